#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <algorithm>
#include <cstring>
#include <iostream>
#include <random>

#include "onboard/core/core.h"

namespace onboard {
namespace {

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string errno_text() { return std::strerror(errno); }

// SPEC §13.1: where an output really goes. A symlink is followed (its target is what gets
// written, atomically), however many links deep (bounded, like the kernel's 40).
struct OutputTarget {
  std::string path;  ///< the final path (the symlink's target, or `path` itself)
  enum class Kind { absent, regular, stream, directory, other } kind = Kind::absent;
};

Expected<OutputTarget> resolve_output(const std::string& path) {
  OutputTarget t{path, OutputTarget::Kind::absent};
  for (int depth = 0;; ++depth) {
    struct stat st;
    if (::lstat(t.path.c_str(), &st) != 0) {
      if (errno == ENOENT) return t;
      return fail(Errc::file, path + ": " + errno_text());
    }
    if (S_ISLNK(st.st_mode)) {
      if (depth >= 40) return fail(Errc::file, path + ": too many levels of symbolic links");
      char buf[4096];
      ssize_t n = ::readlink(t.path.c_str(), buf, sizeof buf - 1);
      if (n < 0) return fail(Errc::file, path + ": " + errno_text());
      std::string target(buf, static_cast<std::size_t>(n));
      t.path = (!target.empty() && target[0] == '/') ? target : dir_of(t.path) + "/" + target;
      continue;
    }
    if (S_ISREG(st.st_mode)) t.kind = OutputTarget::Kind::regular;
    else if (S_ISDIR(st.st_mode)) t.kind = OutputTarget::Kind::directory;
    else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) t.kind = OutputTarget::Kind::stream;
    else t.kind = OutputTarget::Kind::other;  // block device, socket: never written
    return t;
  }
}

Status refuse_kind(const std::string& path, const OutputTarget& t) {
  if (t.kind == OutputTarget::Kind::directory) return fail(Errc::file, path + ": is a directory (give a file name)");
  if (t.kind == OutputTarget::Kind::other)
    return fail(Errc::file, path + ": is neither a regular file nor a character device or FIFO; not written");
  return {};
}

}  // namespace

Status make_directories(const std::string& dir, unsigned mode) {
  if (dir.empty() || dir == "." || dir == "/") return {};
  struct stat st{};
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return {};
    return fail(Errc::file, dir + ": exists and is not a directory");
  }
  auto slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    if (auto ok = make_directories(dir.substr(0, slash), mode); !ok) return ok;
  }
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST)
    return fail(Errc::file, dir + ": cannot create directory: " + std::strerror(errno));
  return {};
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

void sync_all() { ::sync(); }

void sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sync_all();
  ::syncfs(fd);
  ::close(fd);
}

Expected<std::string> read_file(const std::string& path, std::size_t max_size) {
  if (path == "-") {
    std::string data;
    char buf[65536];
    while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
      data.append(buf, static_cast<std::size_t>(std::cin.gcount()));
      if (data.size() > max_size)
        return fail(Errc::malformed, "stdin: input larger than " + std::to_string(max_size) + " bytes");
    }
    return data;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Errc::file, path + ": cannot read: " + errno_text());
  struct stat st;
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return fail(Errc::file, path + ": cannot read: is a directory");
  }
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return fail(Errc::file, path + ": cannot read: " + errno_text());
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() > max_size) {
      ::close(fd);
      return fail(Errc::malformed, path + ": larger than " + std::to_string(max_size) + " bytes");
    }
  }
  ::close(fd);
  return data;
}

Expected<std::string> read_sensitive_file(const std::string& path, std::size_t max_size) {
  // Key files and passphrase files: read straight into one buffer that never reallocates behind
  // our back (a std::string growing by append frees old copies uncleansed), and wipe it on error.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Errc::file, path + ": cannot read: " + errno_text());
  struct stat st;
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return fail(Errc::file, path + ": cannot read: is a directory");
  }
  std::size_t cap = S_ISREG(st.st_mode) ? std::min<std::size_t>(static_cast<std::size_t>(st.st_size), max_size) + 1 : 4096;
  std::string data(cap, '\0');
  std::size_t len = 0;
  auto wipe = [](std::string& s) { cleanse(s.data(), s.size()); };
  for (;;) {
    if (len == data.size()) {
      if (data.size() > max_size) {
        ::close(fd);
        wipe(data);
        return fail(Errc::malformed, path + ": larger than " + std::to_string(max_size) + " bytes");
      }
      std::string bigger(std::min(data.size() * 2, max_size + 1), '\0');
      std::memcpy(bigger.data(), data.data(), len);
      wipe(data);
      data.swap(bigger);
    }
    ssize_t n = ::read(fd, data.data() + len, data.size() - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string why = errno_text();
      ::close(fd);
      wipe(data);
      return fail(Errc::file, path + ": cannot read: " + why);
    }
    if (n == 0) break;
    len += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (len > max_size) {
    wipe(data);
    return fail(Errc::malformed, path + ": larger than " + std::to_string(max_size) + " bytes");
  }
  cleanse(data.data() + len, data.size() - len);
  data.resize(len);  // shrinking never reallocates
  return data;
}

void cleanse(void* p, std::size_t n) {
  // The same guarantee as OPENSSL_cleanse (core links no OpenSSL): the compiler may not drop it.
  volatile unsigned char* v = static_cast<volatile unsigned char*>(p);
  while (n--) *v++ = 0;
}

Status check_writable(const std::string& path, bool force) {
  if (path == "-") return {};
  auto t = resolve_output(path);
  if (!t) return fail(std::move(t.error()));
  if (auto ok = refuse_kind(path, *t); !ok) return ok;
  if (t->kind == OutputTarget::Kind::stream) {  // a device or FIFO is written into, never replaced
    if (::access(t->path.c_str(), W_OK) != 0) return fail(Errc::file, path + ": not writable: " + errno_text());
    return {};
  }
  if (!force && t->kind == OutputTarget::Kind::regular)
    return fail(Errc::file, path + ": already exists (use --force to overwrite)");
  std::string dir = dir_of(t->path);
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return fail(Errc::file, path + ": directory " + dir + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0) return fail(Errc::file, path + ": directory " + dir + " is not writable");
  return {};
}

namespace {

Status write_all(int fd, std::string_view data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(Errc::file, errno_text());
    off += static_cast<std::size_t>(n);
  }
  return {};
}

std::string temp_name(const std::string& path) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return dir_of(path) + "/" + kTempPrefix + std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000000) + "-" +
         path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
}

// Without --force the final step must not replace a file that appeared meanwhile: RENAME_NOREPLACE,
// or link()+unlink() where the file system lacks it.
int publish(const std::string& tmp, const std::string& path, bool force) {
  int rc = ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), force ? 0 : RENAME_NOREPLACE);
  if (rc != 0 && (errno == EINVAL || errno == ENOSYS) && !force) {
    rc = ::link(tmp.c_str(), path.c_str());
    if (rc == 0) ::unlink(tmp.c_str());
  }
  return rc;
}

Status write_failed(const std::string& path, const std::string& why) {
  return fail(Errc::file, path + ": cannot write: " + why);
}

// Preferred route: an unnamed O_TMPFILE inode, linked into place only when complete, so a
// process killed at any point (SIGKILL, power loss) leaves no temporary file behind.
// std::nullopt = O_TMPFILE or /proc unavailable here: use a named temporary file instead.
std::optional<Status> write_unnamed(const std::string& path, std::string_view data, const WriteOptions& opt) {
  int fd = ::open(dir_of(path).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, opt.mode);
  if (fd < 0) return std::nullopt;
  ::fchmod(fd, opt.mode);  // umask must not widen or narrow what we asked for
  if (auto ok = write_all(fd, data); !ok) {
    ::close(fd);
    return write_failed(path, ok.error().message);
  }
  if (opt.durable && ::fsync(fd) != 0) {
    std::string why = errno_text();
    ::close(fd);
    return write_failed(path, why);
  }
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  // Without --force: linkat never replaces, so it is the no-overwrite check too.
  std::string target = opt.force ? temp_name(path) : path;
  int rc = ::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, target.c_str(), AT_SYMLINK_FOLLOW);
  int link_errno = errno;
  ::close(fd);
  if (rc != 0) {
    if (link_errno == ENOENT && !file_exists("/proc/self/fd")) return std::nullopt;
    if (link_errno == EEXIST) return write_failed(path, "already exists (use --force to overwrite)");
    errno = link_errno;
    return write_failed(path, errno_text());
  }
  if (!opt.force) return Status{};
  // --force: a complete file under a temporary name, renamed over the old one. Killed between
  // the two calls it stays behind complete; clean_stale_temp_files() removes it on the re-run.
  if (::rename(target.c_str(), path.c_str()) != 0) {
    std::string why = errno_text();
    ::unlink(target.c_str());
    return write_failed(path, why);
  }
  return Status{};
}

// SPEC §13.1: an existing character device or FIFO (/dev/stdout, /dev/null, a pipe to a printer
// spooler) is written into as it is; it is never unlinked or replaced, with or without --force.
Status write_stream(const std::string& path, const std::string& target, std::string_view data) {
  int fd = ::open(target.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return write_failed(path, errno_text());
  auto ok = write_all(fd, data);
  if (::close(fd) != 0 && ok) return write_failed(path, errno_text());
  if (!ok) return write_failed(path, ok.error().message);
  return {};
}

}  // namespace

Status write_file_atomic(const std::string& path, std::string_view data, const WriteOptions& opt) {
  if (path == "-") {
    std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
    std::cout.flush();
    if (!std::cout) return fail(Errc::file, "stdout: write failed");
    return {};
  }
  if (auto ok = check_writable(path, opt.force); !ok) return ok;
  auto target = resolve_output(path);
  if (!target) return fail(std::move(target.error()));
  if (target->kind == OutputTarget::Kind::stream) return write_stream(path, target->path, data);
  // A symlink's target is replaced atomically; the link itself stays.
  if (target->path != path) return write_file_atomic(target->path, data, opt);
  if (auto done = write_unnamed(path, data, opt)) return *done;
  std::string tmp = temp_name(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, opt.mode);
  if (fd < 0) return write_failed(path, errno_text());
  ::fchmod(fd, opt.mode);
  if (auto ok = write_all(fd, data); !ok) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return write_failed(path, ok.error().message);
  }
  if ((opt.durable && ::fsync(fd) != 0) || ::close(fd) != 0) {
    std::string why = errno_text();
    ::unlink(tmp.c_str());
    return write_failed(path, why);
  }
  if (publish(tmp, path, opt.force) != 0) {
    std::string why = errno == EEXIST ? "already exists (use --force to overwrite)" : errno_text();
    ::unlink(tmp.c_str());
    return write_failed(path, why);
  }
  return {};
}

std::size_t clean_stale_temp_files(const std::string& dir) {
  std::size_t removed = 0;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return 0;
  const std::string prefix = kTempPrefix;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (!name.starts_with(prefix)) continue;
    // .tmp-PID-RANDOM-NAME: only files of processes that no longer exist are stale.
    char* end = nullptr;
    long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
    if (pid <= 0 || !end || *end != '-') continue;
    if (pid == ::getpid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    struct stat st;
    std::string full = dir + "/" + name;
    if (::lstat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::getuid() && ::unlink(full.c_str()) == 0)
      ++removed;
  }
  ::closedir(d);
  return removed;
}

}  // namespace onboard
