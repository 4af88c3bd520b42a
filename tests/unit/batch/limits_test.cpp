// Manifest limits (SECURITY.md): rows streamed from any istream, line length checked while
// reading, row count, format detection without loading the file.
#include <gtest/gtest.h>

#include <sstream>

#include "onboard/batch/batch.h"

using namespace onboard;
using batch::ManifestReader;

namespace {
Expected<std::unique_ptr<ManifestReader>> from(const std::string& text, ManifestReader::Format f = ManifestReader::Format::detect) {
  return ManifestReader::from_stream(std::make_unique<std::istringstream>(text), "m", f);
}
std::size_t count_rows(ManifestReader& r, std::string* error) {
  std::size_t n = 0;
  for (;;) {
    auto row = r.next();
    if (!row) {
      *error = row.error().message;
      return n;
    }
    if (!*row) return n;
    ++n;
  }
}
}  // namespace

TEST(ManifestLimits, LineLengthCheckedWhileReading) {
  std::string ok_line(batch::kMaxLineBytes - 2, 'a');
  auto r = from("id\n" + ok_line + "\n");
  ASSERT_TRUE(r);
  std::string err;
  EXPECT_EQ(count_rows(**r, &err), 1u);
  EXPECT_EQ(err, "");
  // A line without an end: refused at the limit, not after reading the rest.
  auto big = from("id\n" + std::string(batch::kMaxLineBytes * 4, 'b'));
  ASSERT_TRUE(big);
  count_rows(**big, &err);
  EXPECT_NE(err.find("line 2 longer than 65536 bytes"), std::string::npos) << err;
  auto header = from(std::string(batch::kMaxLineBytes + 1, 'h'), ManifestReader::Format::csv);
  ASSERT_FALSE(header);
  EXPECT_NE(header.error().message.find("longer than"), std::string::npos);
}

TEST(ManifestLimits, RowCount) {
  std::string text = "id\n";
  text.reserve(3 + 2 * (batch::kMaxManifestRows + 1));
  for (std::size_t i = 0; i <= batch::kMaxManifestRows; ++i) text += "x\n";
  auto r = from(text);
  ASSERT_TRUE(r);
  std::string err;
  EXPECT_EQ(count_rows(**r, &err), batch::kMaxManifestRows);
  EXPECT_NE(err.find("more than 1000000 rows"), std::string::npos) << err;
}

TEST(ManifestLimits, DetectsFormatAfterBlankLinesKeepingLineNumbers) {
  auto r = from("\n\n  {\"id\":\"a\"}\n{\"id\":1}\n");
  ASSERT_TRUE(r);
  auto row = (*r)->next();
  ASSERT_TRUE(row && *row) << (row ? "" : row.error().message);
  EXPECT_EQ((*row)->line, 3u);
  EXPECT_EQ(*(*row)->get("id"), "a");
  // CSV: the header is the first line, as before (blank lines are skipped between rows only).
  auto csv = from("\n\nid,sn\na,1\n");
  ASSERT_FALSE(csv);
  EXPECT_NE(csv.error().message.find("no header row"), std::string::npos);
  auto csv2 = from("id,sn\n\na,1\n");
  ASSERT_TRUE(csv2);
  auto r2 = (*csv2)->next();
  ASSERT_TRUE(r2 && *r2);
  EXPECT_EQ((*r2)->line, 3u);
}

TEST(ManifestLimits, JsonlNestingIsRefusedNotRecursed) {
  // Values must be strings, numbers or booleans; deep nesting within one line stays bounded by
  // the line limit and is refused as a non-string value.
  std::string deep = "{\"id\":" + std::string(20000, '[') + std::string(20000, ']') + "}\n";
  auto r = from(deep);
  ASSERT_TRUE(r);
  std::string err;
  count_rows(**r, &err);
  EXPECT_FALSE(err.empty());
}

