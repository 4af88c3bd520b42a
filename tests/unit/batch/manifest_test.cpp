#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "onboard/batch/batch.h"

using namespace onboard;
namespace fs = std::filesystem;

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
  static fs::path dir = [] {
    char tmpl[] = "/tmp/onboard-batch-XXXXXX";
    return fs::path(::mkdtemp(tmpl));
  }();
  auto p = (dir / name).string();
  std::ofstream(p) << text;
  return p;
}
}  // namespace

TEST(Manifest, CsvWithQuotesBomAndBlankLines) {
  auto path = write_temp("a.csv", "\xEF\xBB\xBFproduct_instance_uri, serial_number\r\n\"urn:a,b\",\"1\"\"2\"\r\n\r\nurn:c,3\n");
  auto r = batch::ManifestReader::open(path);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)->columns(), (std::vector<std::string>{"product_instance_uri", "serial_number"}));
  auto row1 = (*r)->next();
  ASSERT_TRUE(row1 && *row1);
  EXPECT_EQ(*(*row1)->get("product_instance_uri"), "urn:a,b");
  EXPECT_EQ(*(*row1)->get("serial_number"), "1\"2");
  auto row2 = (*r)->next();
  ASSERT_TRUE(row2 && *row2);
  EXPECT_EQ((*row2)->number, 2u);
  EXPECT_EQ((*row2)->line, 4u);
  auto end = (*r)->next();
  ASSERT_TRUE(end);
  EXPECT_FALSE(*end);
}

TEST(Manifest, CsvErrorsNameRowAndLine) {
  auto r = batch::ManifestReader::open(write_temp("b.csv", "a,b\n1,2\n3\n"));
  ASSERT_TRUE(r);
  ASSERT_TRUE((*r)->next());
  auto bad = (*r)->next();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::malformed);
  EXPECT_NE(bad.error().message.find("row 2 (line 3)"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(batch::ManifestReader::open(write_temp("c.csv", "a,a\n1,2\n")));
  EXPECT_FALSE(batch::ManifestReader::open(write_temp("d.csv", "")));
}

TEST(Manifest, JsonLines) {
  auto r = batch::ManifestReader::open(write_temp("e.jsonl", "{\"a\":\"x\",\"n\":5}\n\n{\"a\":[1]}\n"));
  ASSERT_TRUE(r);
  auto row = (*r)->next();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(*(*row)->get("n"), "5");
  auto bad = (*r)->next();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("row 2 (line 3)"), std::string::npos);
}

TEST(Results, JsonLine) {
  batch::Result r{3, "id\"x", "failed", {}, Error{Errc::key, "no key"}};
  EXPECT_EQ(batch::to_json_line(r),
            "{\"row\":3,\"id\":\"id\\\"x\",\"status\":\"failed\",\"outputs\":{},\"error\":{\"code\":4,\"message\":\"no key\"}}\n");
  batch::Result ok{4, "d4", "ok", {{"cert", "out/d4.pem"}, {"key", "file:k/d4.pem"}}, std::nullopt};
  EXPECT_EQ(batch::to_json_line(ok),
            "{\"row\":4,\"id\":\"d4\",\"status\":\"ok\",\"outputs\":{\"cert\":\"out/d4.pem\",\"key\":\"file:k/d4.pem\"}}\n");
}

TEST(Progress, FitsTheWidth) {
  for (int width : {20, 40, 80, 200}) {
    std::string l = batch::Progress::line(1234, 3000, 2, 10.0, width);
    EXPECT_LT(static_cast<int>(l.size()), width) << l;
    EXPECT_NE(l.find("1234/3000"), std::string::npos) << l;
  }
  std::string wide = batch::Progress::line(1500, 3000, 0, 10.0, 120);
  EXPECT_NE(wide.find("150/s"), std::string::npos) << wide;  // rate
  EXPECT_NE(wide.find("ETA 00:10"), std::string::npos) << wide;  // 1500 left at 150/s
  EXPECT_NE(wide.find('#'), std::string::npos) << wide;
}

// An invalid JSON line in the middle of a JSON Lines manifest is an error naming it, not the end of
// the manifest (rows after it would silently be dropped).
TEST(Manifest, JsonLinesInvalidLineIsAnErrorNotTheEnd) {
  auto r = batch::ManifestReader::open(write_temp("f.jsonl", "{\"a\":\"x\"}\n{\"a\": oops}\n{\"a\":\"z\"}\n"));
  ASSERT_TRUE(r);
  ASSERT_TRUE((*r)->next());
  auto bad = (*r)->next();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::malformed);
  EXPECT_NE(bad.error().message.find("row 2 (line 2): invalid JSON"), std::string::npos) << bad.error().message;
}

// Drawn on a terminal, the bar fits $COLUMNS when the terminal size is unknown (stderr is no
// terminal under the test runner), else 80 columns.
TEST(Progress, DrawnLineFitsColumns) {
  auto drawn_width = [](const char* columns) {
    if (columns) ::setenv("COLUMNS", columns, 1);
    else ::unsetenv("COLUMNS");
    std::ostringstream err;
    Env env;
    env.err = &err;
    env.err_is_tty = true;
    batch::Progress p(env, 1);
    p.tick(false);  // the last row is always drawn
    std::string s = err.str();
    EXPECT_EQ(s.substr(0, 1), "\r");
    auto end = s.find("\x1b[K");
    EXPECT_NE(end, std::string::npos);
    return static_cast<int>(end - 1);
  };
  EXPECT_EQ(drawn_width("40"), 39);  // the bar fills the width but the last column
  for (const char* fallback : {"0", "junk", static_cast<const char*>(nullptr)}) {
    int w = drawn_width(fallback);  // 80 columns: a 50-column bar and the figures
    EXPECT_GT(w, 60) << (fallback ? fallback : "unset");
    EXPECT_LT(w, 80) << (fallback ? fallback : "unset");
  }
  ::unsetenv("COLUMNS");
}
