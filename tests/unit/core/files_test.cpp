#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "temp_dir.h"
#include "onboard/core/core.h"

using namespace onboard;
using onboard::testing::TempDir;
namespace fs = std::filesystem;


TEST(Files, AtomicWriteRefusesOverwriteWithoutForce) {
  TempDir d;
  std::string f = (d.path / "out.pem").string();
  ASSERT_TRUE(write_file_atomic(f, "one"));
  auto again = write_file_atomic(f, "two");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::file);
  EXPECT_EQ(*read_file(f), "one");
  ASSERT_TRUE(write_file_atomic(f, "two", {true}));
  EXPECT_EQ(*read_file(f), "two");
  // no temporary file left behind
  int n = 0;
  for (auto& e : fs::directory_iterator(d.path)) (void)e, ++n;
  EXPECT_EQ(n, 1);
}

TEST(Files, ModeIsExact) {
  TempDir d;
  std::string f = (d.path / "k.pem").string();
  ASSERT_TRUE(write_file_atomic(f, "secret", {false, 0600}));
  struct stat st;
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(Files, ErrorsNameThePath) {
  auto r = read_file("/nonexistent/x.pem");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::file);
  EXPECT_NE(r.error().message.find("/nonexistent/x.pem"), std::string::npos);
  auto w = write_file_atomic("/nonexistent/dir/x.pem", "x");
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, Errc::file);
}

TEST(Files, SizeLimit) {
  TempDir d;
  std::string f = (d.path / "big").string();
  ASSERT_TRUE(write_file_atomic(f, std::string(2000, 'x')));
  auto r = read_file(f, 1000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::malformed);
}

// Issue 10: key directories named by --device-key-template are created (0700) like --out-dir.
TEST(Files, MakeDirectoriesCreatesMissingParentsWithTheMode) {
  TempDir d;
  ::umask(022);
  std::string deep = d.file("keys/line-7/shift-2");
  ASSERT_TRUE(make_directories(deep, 0700));
  for (auto p : {d.file("keys"), d.file("keys/line-7"), deep}) {
    struct stat st;
    ASSERT_EQ(::stat(p.c_str(), &st), 0) << p;
    EXPECT_TRUE(S_ISDIR(st.st_mode)) << p;
    EXPECT_EQ(st.st_mode & 0777, 0700u) << p;
  }
  EXPECT_TRUE(make_directories(deep, 0700));  // existing: fine
}

TEST(Files, MakeDirectoriesRefusesAFileInThePath) {
  TempDir d;
  ASSERT_TRUE(write_file_atomic(d.file("keys"), "not a directory"));
  auto r = make_directories(d.file("keys/sub"), 0700);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::file);
  EXPECT_NE(r.error().message.find("not a directory"), std::string::npos) << r.error().message;
}

// ---- SPEC §13.1: what --out may name ----

TEST(Files, OutputNamingADirectoryIsAFileError) {
  TempDir d;
  ::mkdir(d.file("out.pem").c_str(), 0755);
  for (bool force : {false, true}) {
    auto r = write_file_atomic(d.file("out.pem"), "x", {force});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::file);
    EXPECT_NE(r.error().message.find("is a directory"), std::string::npos) << r.error().message;
    auto c = check_writable(d.file("out.pem"), force);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, Errc::file);
  }
  struct stat st;
  ASSERT_EQ(::stat(d.file("out.pem").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));  // untouched
}

TEST(Files, CharacterDeviceIsWrittenIntoNeverReplaced) {
  // A null device of our own (not the machine's /dev/null: an older build run as root replaced
  // that with a regular file, which is the bug this test pins).
  TempDir d;
  std::string dev = d.file("null");
  if (::mknod(dev.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) GTEST_SKIP() << "mknod not permitted here";
  for (bool force : {false, true}) {
    auto c = check_writable(dev, force);
    ASSERT_TRUE(c) << c.error().message;
    auto w = write_file_atomic(dev, "certificate", {force});
    ASSERT_TRUE(w) << w.error().message;
    struct stat st;
    ASSERT_EQ(::lstat(dev.c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode)) << "the device was replaced";
  }
}

TEST(Files, FifoIsWrittenIntoNeverReplaced) {
  TempDir d;
  std::string fifo = d.file("spool");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = *read_file(fifo); });
  auto r = write_file_atomic(fifo, "-----BEGIN CERTIFICATE-----\n", {true});
  reader.join();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(got, "-----BEGIN CERTIFICATE-----\n");
  struct stat st;
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(Files, SymlinkIsFollowedAndItsTargetReplacedAtomically) {
  TempDir d;
  ::mkdir(d.file("real").c_str(), 0755);
  ASSERT_TRUE(write_file_atomic(d.file("real/current.pem"), "old"));
  ASSERT_EQ(::symlink("real/current.pem", d.file("link.pem").c_str()), 0);
  // Without force the existing target is kept.
  auto r = write_file_atomic(d.file("link.pem"), "new");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::file);
  EXPECT_EQ(*read_file(d.file("real/current.pem")), "old");
  // With force: the target gets the new content, the link stays a link.
  ASSERT_TRUE(write_file_atomic(d.file("link.pem"), "new", {true}));
  EXPECT_EQ(*read_file(d.file("real/current.pem")), "new");
  struct stat st;
  ASSERT_EQ(::lstat(d.file("link.pem").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  // A dangling link: its target is created.
  ASSERT_EQ(::symlink("real/next.pem", d.file("next.pem").c_str()), 0);
  ASSERT_TRUE(write_file_atomic(d.file("next.pem"), "fresh"));
  EXPECT_EQ(*read_file(d.file("real/next.pem")), "fresh");
}

// Links are followed as deep as the kernel follows them (40), and a loop is an error, not a write
// over one of its links.
TEST(Files, SymlinkChainsUpToFortyAndLoopsAreRefused) {
  TempDir d;
  auto chain = [&](const std::string& prefix, int links) {
    for (int i = 0; i < links; ++i) {
      std::string target = i + 1 < links ? prefix + std::to_string(i + 1) : prefix + "-target.pem";
      EXPECT_EQ(::symlink(target.c_str(), d.file(prefix + std::to_string(i)).c_str()), 0);
    }
    return d.file(prefix + "0");
  };
  ASSERT_TRUE(write_file_atomic(chain("ok", 40), "deep"));
  EXPECT_EQ(*read_file(d.file("ok-target.pem")), "deep");
  auto too_deep = write_file_atomic(chain("no", 41), "deeper");
  ASSERT_FALSE(too_deep);
  EXPECT_EQ(too_deep.error().code, Errc::file);
  EXPECT_NE(too_deep.error().message.find("too many levels of symbolic links"), std::string::npos)
      << too_deep.error().message;
  EXPECT_FALSE(fs::exists(d.file("no-target.pem")));

  ASSERT_EQ(::symlink("b", d.file("a").c_str()), 0);
  ASSERT_EQ(::symlink("a", d.file("b").c_str()), 0);
  for (bool force : {false, true}) {
    auto loop = write_file_atomic(d.file("a"), "x", {force});
    ASSERT_FALSE(loop);
    EXPECT_EQ(loop.error().code, Errc::file);
    EXPECT_NE(loop.error().message.find("too many levels of symbolic links"), std::string::npos)
        << loop.error().message;
    struct stat st;
    ASSERT_EQ(::lstat(d.file("a").c_str(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    ASSERT_EQ(::lstat(d.file("b").c_str(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
  }
}

// An output in a directory the user may not write to is refused before anything is made. Root may
// write anywhere, so the check runs in a child that has dropped to an unprivileged user.
TEST(Files, UnwritableDirectoryIsRefusedBeforehand) {
  TempDir d;
  ASSERT_EQ(::mkdir(d.file("ro").c_str(), 0555), 0);
  ASSERT_EQ(::chmod(d.path.c_str(), 0755), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::getuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(90);
    auto c = check_writable(d.file("ro/out.pem"), false);
    if (c) ::_exit(1);
    if (c.error().code != Errc::file) ::_exit(2);
    if (c.error().message != d.file("ro/out.pem") + ": directory " + d.file("ro") + " is not writable") ::_exit(3);
    auto w = write_file_atomic(d.file("ro/out.pem"), "x");
    ::_exit(w ? 4 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: accepted, 2: wrong code, 3: wrong message, 4: written, 90: no setuid";
  EXPECT_FALSE(fs::exists(d.file("ro/out.pem")));
}
