#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <random>

#include "onboard/core.h"

namespace onboard {
namespace {

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

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

Status check_writable(const std::string& path, bool force) {
  if (path == "-") return {};
  if (!force && file_exists(path))
    return fail(Errc::file, path + ": already exists (use --force to overwrite)");
  std::string dir = dir_of(path);
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return fail(Errc::file, path + ": directory " + dir + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0) return fail(Errc::file, path + ": directory " + dir + " is not writable");
  return {};
}

Status write_file_atomic(const std::string& path, std::string_view data, const WriteOptions& opt) {
  if (path == "-") {
    std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
    std::cout.flush();
    if (!std::cout) return fail(Errc::file, "stdout: write failed");
    return {};
  }
  if (auto ok = check_writable(path, opt.force); !ok) return ok;
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string tmp = dir_of(path) + "/.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000000) +
                    "-" + path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, opt.mode);
  if (fd < 0) return fail(Errc::file, path + ": cannot write: " + errno_text());
  ::fchmod(fd, opt.mode);  // umask must not widen or narrow what we asked for
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = errno_text();
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(Errc::file, path + ": cannot write: " + why);
    }
    off += static_cast<std::size_t>(n);
  }
  if ((opt.durable && ::fsync(fd) != 0) || ::close(fd) != 0) {
    std::string why = errno_text();
    ::unlink(tmp.c_str());
    return fail(Errc::file, path + ": cannot write: " + why);
  }
  // Without --force the rename must not replace a file that appeared meanwhile: RENAME_NOREPLACE,
  // or link()+unlink() where the file system lacks it.
  int rc = ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), opt.force ? 0 : RENAME_NOREPLACE);
  if (rc != 0 && (errno == EINVAL || errno == ENOSYS) && !opt.force) {
    rc = ::link(tmp.c_str(), path.c_str());
    if (rc == 0) ::unlink(tmp.c_str());
  }
  if (rc != 0) {
    std::string why = errno == EEXIST ? "already exists (use --force to overwrite)" : errno_text();
    ::unlink(tmp.c_str());
    return fail(Errc::file, path + ": cannot write: " + why);
  }
  return {};
}

}  // namespace onboard
