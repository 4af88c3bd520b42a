// The one batch runner (SPEC §10, §13.3) driven by a small test tool: what every per-device tool
// inherits from it — validation pass first, bad rows counted, --check, resume, continue-on-error,
// results lines, stdin manifests read once and replayed, rows given by the tool.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "onboard/batch/runner.h"
#include "temp_dir.h"

using namespace onboard;
namespace fs = std::filesystem;

namespace {

struct TestJob : batch::Job {
  std::string value;
};

// One output per row, VALUE.txt holding the row's `value` column; rows whose value is "bad" fail
// validation, rows whose value is "boom" fail while being made.
class TestTool : public batch::Tool {
 public:
  Expected<std::unique_ptr<batch::Job>> validate(const batch::Row& row) override {
    ++validated;
    const std::string* v = row.get("value");
    if (!v || *v == "bad") return fail(Errc::malformed, "value is bad");
    auto job = std::make_unique<TestJob>();
    job->value = *v;
    job->unique.push_back("value " + *v);
    return std::unique_ptr<batch::Job>(std::move(job));
  }
  std::vector<std::pair<std::string, std::string>> files(const batch::Job& job) override {
    return {{"out", job.stem + ".txt"}};
  }
  Status verify_existing(batch::Job& job, const std::map<std::string, std::string>& paths) override {
    ++verified;
    std::ifstream in(paths.at("out"));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text != static_cast<TestJob&>(job).value) return fail(Errc::mismatch, "exists but is another row's");
    return {};
  }
  Expected<std::vector<batch::Output>> make(batch::Job& job) override {
    auto& j = static_cast<TestJob&>(job);
    made.push_back(j.value);
    if (j.value == "boom") return fail(Errc::key, "boom");
    return std::vector<batch::Output>{{"out", j.stem + ".txt", j.value}};
  }
  int validated = 0, verified = 0;
  std::vector<std::string> made;
};

struct Harness {
  std::ostringstream out, err;
  Env env;
  Harness() {
    env.tool = "test-tool";
    env.now = [] { return UnixTime{0}; };
    env.out = &out;
    env.err = &err;
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The batch flags for dir/m.csv with outputs in dir/out.
batch::Options manifest_options(const onboard::testing::TempDir& dir) {
  batch::Options opt;
  opt.manifest = dir.file("m.csv");
  opt.out_dir = dir.file("out");
  return opt;
}

// std::cin reads `text` while alive.
struct StdinFrom {
  std::istringstream in;
  std::streambuf* old;
  explicit StdinFrom(const std::string& text) : in(text), old(std::cin.rdbuf(in.rdbuf())) { std::cin.clear(); }
  ~StdinFrom() {
    std::cin.rdbuf(old);
    std::cin.clear();
  }
};

}  // namespace

TEST(Runner, MakesEveryRowWritesResultsAndSummary) {
  onboard::testing::TempDir dir;
  std::ofstream(dir.file("m.csv")) << "id,value\nd1,a\nd2,b\nd3,c\n";
  TestTool tool;
  Harness run;
  auto opt = manifest_options(dir);
  auto ok = batch::run(opt, tool, run.env);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(tool.made, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(tool.validated, 6);  // two passes
  EXPECT_EQ(slurp(dir.file("out/d2.txt")), "b");
  EXPECT_EQ(run.out.str(), "{\"row\":1,\"id\":\"d1\",\"status\":\"ok\",\"outputs\":{\"out\":\"" + dir.file("out") +
                               "/d1.txt\"}}\n"
                               "{\"row\":2,\"id\":\"d2\",\"status\":\"ok\",\"outputs\":{\"out\":\"" + dir.file("out") +
                               "/d2.txt\"}}\n"
                               "{\"row\":3,\"id\":\"d3\",\"status\":\"ok\",\"outputs\":{\"out\":\"" + dir.file("out") +
                               "/d3.txt\"}}\n");
  EXPECT_EQ(run.err.str(), "test-tool: 3 ok, 0 skipped, 0 failed of 3 rows\n");
}

TEST(Runner, ResumeSkipsRowsWhoseOutputsVerifyAndRefusesOthers) {
  onboard::testing::TempDir dir;
  std::ofstream(dir.file("m.csv")) << "id,value\nd1,a\nd2,b\n";
  auto opt = manifest_options(dir);
  {
    TestTool tool;
    Harness run;
    ASSERT_TRUE(batch::run(opt, tool, run.env));
  }
  TestTool again;
  Harness run;
  ASSERT_TRUE(batch::run(opt, again, run.env));
  EXPECT_TRUE(again.made.empty());
  EXPECT_EQ(again.verified, 2);
  EXPECT_NE(run.out.str().find("\"status\":\"skipped\""), std::string::npos) << run.out.str();
  EXPECT_EQ(run.err.str(), "test-tool: 0 ok, 2 skipped, 0 failed of 2 rows\n");

  // The manifest changed since: d2's file holds another value; the row fails, its file stays.
  std::ofstream(dir.file("m.csv")) << "id,value\nd1,a\nd2,z\n";
  TestTool changed;
  Harness run2;
  auto bad = batch::run(opt, changed, run2.env);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::mismatch);
  EXPECT_EQ(slurp(dir.file("out/d2.txt")), "b");
  EXPECT_NE(run2.out.str().find("{\"row\":2,\"id\":\"d2\",\"status\":\"failed\""), std::string::npos) << run2.out.str();

  // --force replaces.
  opt.force = true;
  TestTool forced;
  Harness run3;
  ASSERT_TRUE(batch::run(opt, forced, run3.env));
  EXPECT_EQ(forced.made, (std::vector<std::string>{"a", "z"}));
  EXPECT_EQ(slurp(dir.file("out/d2.txt")), "z");
}

TEST(Runner, SomeOutputsPresentIsAFailureNotAResume) {
  onboard::testing::TempDir dir;
  std::ofstream(dir.file("m.csv")) << "id,value\nd1,a\n";
  fs::create_directory(dir.file("out"));
  std::ofstream(dir.file("out/d1.txt")) << "a";
  class TwoFiles : public TestTool {
    std::vector<std::pair<std::string, std::string>> files(const batch::Job& job) override {
      return {{"out", job.stem + ".txt"}, {"extra", job.stem + ".extra"}};
    }
  } tool;
  Harness run;
  auto opt = manifest_options(dir);
  auto bad = batch::run(opt, tool, run.env);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::file);
  EXPECT_NE(bad.error().message.find("some of this row's outputs exist, not all"), std::string::npos)
      << bad.error().message;
  EXPECT_TRUE(tool.made.empty());
}

TEST(Runner, BadRowsAreAllReportedAndNothingIsMade) {
  onboard::testing::TempDir dir;
  std::ofstream(dir.file("m.csv")) << "id,value\nd1,a\nd2,bad\nd3,a\nd4,bad\n";
  TestTool tool;
  Harness run;
  auto opt = manifest_options(dir);
  auto bad = batch::run(opt, tool, run.env);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::malformed);
  EXPECT_NE(bad.error().message.find(": 3 of 4 rows are bad; nothing was made"), std::string::npos)
      << bad.error().message;
  EXPECT_TRUE(tool.made.empty());
  EXPECT_FALSE(fs::exists(dir.file("out")));
  const std::string err = run.err.str();
  EXPECT_NE(err.find("row 2 (line 3): value is bad"), std::string::npos) << err;
  EXPECT_NE(err.find("row 3 (line 4): duplicate value a"), std::string::npos) << err;
  EXPECT_NE(err.find("row 4 (line 5): value is bad"), std::string::npos) << err;

  // One bad row of one: singular.
  std::ofstream(dir.file("one.csv")) << "id,value\nd1,bad\n";
  opt.manifest = dir.file("one.csv");
  TestTool tool2;
  Harness run2;
  auto one = batch::run(opt, tool2, run2.env);
  ASSERT_FALSE(one);
  EXPECT_NE(one.error().message.find(": 1 of 1 row is bad;"), std::string::npos) << one.error().message;
}

TEST(Runner, DuplicateIdsAndEmptyManifests) {
  onboard::testing::TempDir dir;
  std::ofstream(dir.file("m.csv")) << "id,value\nd1,a\nd1,b\n";
  auto opt = manifest_options(dir);
  TestTool tool;
  Harness run;
  auto dup = batch::run(opt, tool, run.env);
  ASSERT_FALSE(dup);
  EXPECT_NE(run.err.str().find("row 2 (line 3): duplicate id 'd1'"), std::string::npos) << run.err.str();

  std::ofstream(dir.file("empty.csv")) << "id,value\n";
  opt.manifest = dir.file("empty.csv");
  TestTool tool2;
  Harness run2;
  auto none = batch::run(opt, tool2, run2.env);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::malformed);
  EXPECT_NE(none.error().message.find("no rows"), std::string::npos) << none.error().message;

  // Without --out-dir a tool with per-row files is a usage error; so is no manifest at all.
  opt.manifest = dir.file("m.csv");
  opt.out_dir.clear();
  TestTool tool3;
  Harness run3;
  auto usage = batch::run(opt, tool3, run3.env);
  ASSERT_FALSE(usage);
  EXPECT_EQ(usage.error().code, Errc::usage);
  batch::Options nothing;
  auto none2 = batch::run(nothing, tool3, run3.env);
  ASSERT_FALSE(none2);
  EXPECT_EQ(none2.error().code, Errc::usage);
}

TEST(Runner, StopsAtTheFirstFailureUnlessToldToContinue) {
  onboard::testing::TempDir dir;
  std::ofstream(dir.file("m.csv")) << "id,value\nd1,a\nd2,boom\nd3,c\n";
  auto opt = manifest_options(dir);
  TestTool tool;
  Harness run;
  auto stop = batch::run(opt, tool, run.env);
  ASSERT_FALSE(stop);
  EXPECT_EQ(stop.error().code, Errc::key);
  EXPECT_NE(stop.error().message.find("row 2"), std::string::npos) << stop.error().message;
  EXPECT_EQ(tool.made, (std::vector<std::string>{"a", "boom"}));
  EXPECT_EQ(run.err.str(), "test-tool: 1 ok, 0 skipped, 1 failed of 3 rows\n");

  opt.continue_on_error = true;
  fs::remove_all(dir.file("out"));
  TestTool tool2;
  Harness run2;
  auto cont = batch::run(opt, tool2, run2.env);
  ASSERT_FALSE(cont);
  EXPECT_EQ(cont.error().code, Errc::key);
  EXPECT_EQ(tool2.made, (std::vector<std::string>{"a", "boom", "c"}));
  EXPECT_TRUE(fs::exists(dir.file("out/d3.txt")));
  EXPECT_EQ(run2.err.str(), "test-tool: 2 ok, 0 skipped, 1 failed of 3 rows\n");
}

TEST(Runner, CheckValidatesAndMakesNothing) {
  onboard::testing::TempDir dir;
  std::ofstream(dir.file("m.csv")) << "id,value\nd1,a\nd2,b\n";
  auto opt = manifest_options(dir);
  opt.check = true;
  TestTool tool;
  Harness run;
  ASSERT_TRUE(batch::run(opt, tool, run.env));
  EXPECT_TRUE(tool.made.empty());
  EXPECT_FALSE(fs::exists(dir.file("out")));
  EXPECT_EQ(run.err.str(), "test-tool: " + dir.file("m.csv") + ": 2 rows, all valid\n");
  EXPECT_EQ(run.out.str(), "");
}

TEST(Runner, InlineOutputsAndAResultsFile) {
  onboard::testing::TempDir dir;
  std::ofstream(dir.file("m.csv")) << "id,value\nd1,a\n";
  batch::Options opt;
  opt.manifest = dir.file("m.csv");
  opt.inline_outputs = true;
  opt.results = dir.file("results.jsonl");
  std::ofstream(opt.results) << "earlier\n";
  TestTool tool;
  Harness run;
  ASSERT_TRUE(batch::run(opt, tool, run.env));
  EXPECT_EQ(run.out.str(), "");  // results go to the file, appended
  EXPECT_EQ(slurp(opt.results), "earlier\n{\"row\":1,\"id\":\"d1\",\"status\":\"ok\",\"outputs\":{\"out\":\"a\"}}\n");

  opt.results = "-";
  TestTool tool2;
  Harness run2;
  ASSERT_TRUE(batch::run(opt, tool2, run2.env));
  EXPECT_EQ(run2.out.str(), "{\"row\":1,\"id\":\"d1\",\"status\":\"ok\",\"outputs\":{\"out\":\"a\"}}\n");

  opt.results = dir.file("no-such-dir/results.jsonl");
  TestTool tool3;
  Harness run3;
  auto bad = batch::run(opt, tool3, run3.env);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::file);
  EXPECT_TRUE(tool3.made.empty());
}

TEST(Runner, StdinManifestIsReadOnceAndEveryRowReplayed) {
  onboard::testing::TempDir dir;
  StdinFrom stdin_text("id,value\nd1,a\nd2,b\nd3,c\n");
  batch::Options opt;
  opt.manifest = "-";
  opt.out_dir = dir.file("out");
  TestTool tool;
  Harness run;
  auto ok = batch::run(opt, tool, run.env);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(tool.made, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(tool.validated, 6);
}

TEST(Runner, RowsGivenByTheToolNeedNoManifest) {
  onboard::testing::TempDir dir;
  std::vector<batch::Row> rows(2);
  rows[0].number = rows[0].line = 1;
  rows[0].values["id"] = "t1";
  rows[0].values["value"] = "x";
  rows[1].number = rows[1].line = 2;
  rows[1].values["id"] = "t2";
  rows[1].values["value"] = "y";
  batch::Options opt;
  opt.rows = &rows;
  opt.out_dir = dir.file("out");
  TestTool tool;
  Harness run;
  auto ok = batch::run(opt, tool, run.env);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(tool.made, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(slurp(dir.file("out/t2.txt")), "y");
}

TEST(Runner, IdsComeFromIdThenSerialNumberThenTheRowNumber) {
  onboard::testing::TempDir dir;
  std::ofstream(dir.file("m.csv")) << "serial_number,value\nSN-1,a\n,b\n";
  auto opt = manifest_options(dir);
  TestTool tool;
  Harness run;
  ASSERT_TRUE(batch::run(opt, tool, run.env));
  EXPECT_TRUE(fs::exists(dir.file("out/SN-1.txt")));
  EXPECT_TRUE(fs::exists(dir.file("out/2.txt")));
}

TEST(Runner, ManifestRelativePaths) {
  EXPECT_EQ(batch::manifest_relative("dir/m.csv", "k.pem"), "dir/k.pem");
  EXPECT_EQ(batch::manifest_relative("m.csv", "k.pem"), "k.pem");
  EXPECT_EQ(batch::manifest_relative("dir/m.csv", "/abs/k.pem"), "/abs/k.pem");
  EXPECT_EQ(batch::manifest_relative("-", "k.pem"), "k.pem");
  EXPECT_EQ(batch::manifest_relative("dir/m.csv", ""), "");
}

TEST(Runner, AMissingManifestIsAFileError) {
  onboard::testing::TempDir dir;
  batch::Options opt;
  opt.manifest = dir.file("missing.csv");
  opt.out_dir = dir.file("out");
  TestTool tool;
  Harness run;
  auto bad = batch::run(opt, tool, run.env);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::file);
  EXPECT_NE(bad.error().message.find("missing.csv"), std::string::npos) << bad.error().message;
  EXPECT_EQ(tool.validated, 0);
  EXPECT_FALSE(fs::exists(dir.file("out")));
}

// SIGINT/SIGTERM stop the batch between rows, naming the last row made (SPEC §13.3).
TEST(Runner, SignalsStopBetweenRowsNamingTheLastOne) {
  onboard::testing::TempDir dir;
  std::ofstream(dir.file("m.csv")) << "id,value\nd1,a\nd2,b\nd3,c\n";
  auto opt = manifest_options(dir);

  class InterruptedBeforeTheFirstRow : public TestTool {
    Status prepare() override {
      std::raise(SIGINT);
      return {};
    }
  } before;
  Harness run;
  auto a = batch::run(opt, before, run.env);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::interrupted);
  EXPECT_EQ(a.error().message, "interrupted after row 0; run the same command again to resume");
  EXPECT_TRUE(before.made.empty());

  class TerminatedInRowTwo : public TestTool {
    Expected<std::vector<batch::Output>> make(batch::Job& job) override {
      auto out = TestTool::make(job);
      if (made.size() == 2) std::raise(SIGTERM);
      return out;
    }
  } during;
  Harness run2;
  auto b = batch::run(opt, during, run2.env);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::terminated);
  EXPECT_EQ(b.error().message, "interrupted after row 2; run the same command again to resume");
  EXPECT_EQ(during.made, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(fs::exists(dir.file("out/d2.txt")));  // the row in flight is finished, not cut
  EXPECT_FALSE(fs::exists(dir.file("out/d3.txt")));

  // Resuming makes the rest.
  TestTool resume;
  Harness run3;
  ASSERT_TRUE(batch::run(opt, resume, run3.env));
  EXPECT_EQ(resume.made, (std::vector<std::string>{"c"}));
  EXPECT_EQ(run3.err.str(), "test-tool: 1 ok, 2 skipped, 0 failed of 3 rows\n");
}
