// Crash safety and secrets hygiene of core's file functions (issue 6, SECURITY.md).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "onboard/core/core.h"

using namespace onboard;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/onboard-hardening-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};
std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for (auto& e : fs::directory_iterator(dir)) (void)e, ++n;
  return n;
}
}  // namespace

TEST(Hardening, AtomicWriteLeavesOnlyTheFile) {
  TempDir d;
  std::string f = (d.path / "a.pem").string();
  ASSERT_TRUE(write_file_atomic(f, "one", {false, 0600}));
  EXPECT_EQ(entries(d.path), 1u);
  struct stat st;
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(write_file_atomic(f, "two", {true, 0644}));
  EXPECT_EQ(entries(d.path), 1u) << "--force leaves no temporary file";
  EXPECT_EQ(*read_file(f), "two");
  auto again = write_file_atomic(f, "three");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already exists"), std::string::npos);
  EXPECT_EQ(entries(d.path), 1u);
}

TEST(Hardening, StaleTempFilesOfDeadProcessesAreRemoved) {
  TempDir d;
  std::ofstream(d.path / ".tmp-999999999-1-x.pem") << "complete but stale";
  std::string mine = ".tmp-" + std::to_string(::getpid()) + "-2-y.pem";
  std::ofstream(d.path / mine) << "ours, in progress";
  std::string live = ".tmp-1-3-z.pem";  // pid 1 runs
  std::ofstream(d.path / live) << "another live process";
  std::ofstream(d.path / ".tmp-notapid") << "not ours";
  std::ofstream(d.path / "keep.pem") << "output";
  EXPECT_EQ(clean_stale_temp_files(d.path.string()), 1u);
  EXPECT_FALSE(fs::exists(d.path / ".tmp-999999999-1-x.pem"));
  EXPECT_TRUE(fs::exists(d.path / mine));
  EXPECT_TRUE(fs::exists(d.path / live));
  EXPECT_TRUE(fs::exists(d.path / ".tmp-notapid"));
  EXPECT_TRUE(fs::exists(d.path / "keep.pem"));
}

TEST(Hardening, ReadSensitiveFile) {
  TempDir d;
  std::string f = (d.path / "k.pem").string();
  std::ofstream(f) << std::string(5000, 'k');
  auto text = read_sensitive_file(f, 5000);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, std::string(5000, 'k'));
  auto big = read_sensitive_file(f, 4999);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::malformed);
  EXPECT_EQ(read_sensitive_file((d.path / "none").string(), 10).error().code, Errc::file);
  EXPECT_EQ(read_sensitive_file(d.path.string(), 10).error().code, Errc::file);
  // A pipe (no size known in advance): grows without losing data.
  std::string fifo = (d.path / "p").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string payload(10000, 'p');
  pid_t child = ::fork();
  if (child == 0) {
    std::ofstream(fifo) << payload;
    ::_exit(0);
  }
  auto piped = read_sensitive_file(fifo, 1 << 20);
  ::waitpid(child, nullptr, 0);
  ASSERT_TRUE(piped);
  EXPECT_EQ(*piped, payload);
  // A pipe longer than the limit is refused, not cut at the limit (it grows past 4096 first).
  child = ::fork();
  if (child == 0) {
    std::ofstream(fifo) << payload;
    ::_exit(0);
  }
  auto too_long = read_sensitive_file(fifo, 6000);
  ::waitpid(child, nullptr, 0);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, Errc::malformed);
  EXPECT_NE(too_long.error().message.find("larger than 6000 bytes"), std::string::npos) << too_long.error().message;
}

TEST(Hardening, CleanseZeroes) {
  char buf[32];
  for (auto& c : buf) c = 'x';
  cleanse(buf, sizeof buf);
  for (char c : buf) EXPECT_EQ(c, 0);
}
