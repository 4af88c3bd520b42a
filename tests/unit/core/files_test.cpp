#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

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
