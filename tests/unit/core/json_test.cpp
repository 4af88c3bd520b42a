#include <gtest/gtest.h>

#include "onboard/core/json.h"

using namespace onboard;

TEST(JsonStrict, Grammar) {
  EXPECT_TRUE(json::parse(R"({"a":[1,-2.5e3,true,false,null,"x\u00e9\ud83d\ude00"]})"));
  EXPECT_EQ(json::parse(R"("\u00e9")")->text, "\xc3\xa9");
  for (const char* bad : {"{\"a\":1,}", "[1,]", "01", "1.", "{'a':1}", "\"\\ud800\"", "\"a\x01\"", "\"\xc0\xaf\"",
                          "{\"a\":1}x", "", "tru", "\"\\x\""})
    EXPECT_FALSE(json::parse(bad)) << bad;
  EXPECT_FALSE(json::parse(std::string(100, '[') + std::string(100, ']')));
  auto v = json::parse(R"( {"k" : [ 1 , 2 ] } )");
  EXPECT_EQ(v->get("k")->raw, "[ 1 , 2 ]");
  EXPECT_EQ(json::quote("a\"b\\\n\x01é"), "\"a\\\"b\\\\\\n\\u0001é\"");
}

TEST(JsonStrict, Depth) {
  EXPECT_TRUE(json::parse(std::string(64, '[') + std::string(64, ']')));
  auto deep = json::parse(std::string(66, '[') + std::string(66, ']'));
  ASSERT_FALSE(deep);
  EXPECT_NE(deep.error().message.find("nesting deeper than 64"), std::string::npos);
  EXPECT_FALSE(json::parse(std::string(100000, '[')));
}

TEST(JsonStrict, DuplicateMembersAtAnyLevel) {
  auto top = json::parse(R"({"a":1,"a":2})");
  ASSERT_FALSE(top);
  EXPECT_EQ(top.error().code, Errc::malformed);
  EXPECT_NE(top.error().message.find("duplicate member 'a'"), std::string::npos) << top.error().message;
  EXPECT_FALSE(json::parse(R"({"x":[{"b":1,"b":1}]})"));
  EXPECT_TRUE(json::parse(R"({"x":{"b":1},"y":{"b":1}})"));  // the same name in two objects is fine
}

TEST(Utf8, WellFormedOnly) {
  EXPECT_TRUE(check_utf8("h\xc3\xa9 \xf0\x9f\x98\x80", "s"));
  EXPECT_FALSE(check_utf8("\xc0\xaf", "s"));      // overlong
  EXPECT_FALSE(check_utf8("\xed\xa0\x80", "s"));  // surrogate
  EXPECT_EQ(check_utf8("ab\xff", "field").error().message, "field: invalid UTF-8 at byte 2");
  EXPECT_EQ(check_utf8("\xffok", "s").error().message, "s: invalid UTF-8 at byte 0");  // the first byte is checked too
}

// RFC 3629 §4's table, boundary by boundary: every lead-byte class at its edges, and each of its
// continuation bytes out of range or missing. The error names the sequence's first byte.
TEST(Json, Utf8TableOfRfc3629) {
  const char* valid[] = {"\x7F", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xE0\xBF\xBF", "\xE1\x80\x80",
                         "\xEC\xBF\xBF", "\xED\x80\x80", "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBF",
                         "\xF0\x90\x80\x80", "\xF0\xBF\xBF\xBF", "\xF1\x80\x80\x80", "\xF3\xBF\xBF\xBF",
                         "\xF4\x80\x80\x80", "\xF4\x8F\xBF\xBF"};
  for (const char* s : valid) {
    EXPECT_TRUE(check_utf8(s, "s")) << testing::PrintToString(std::string(s));
    EXPECT_TRUE(check_utf8(std::string("ab") + s + "c", "s")) << testing::PrintToString(std::string(s));
  }
  const char* invalid[] = {
      "\x80", "\xBF", "\xC0\x80", "\xC1\xBF", "\xC2", "\xC2\x7F", "\xC2\xC0", "\xDF\x7F",
      "\xE0\x9F\xBF", "\xE0\xA0", "\xE0\xC0\x80", "\xE0\xA0\x7F", "\xE1\x7F\x80", "\xE1\x80\x7F", "\xE1\x80",
      "\xEC\xC0\x80", "\xEC\x80\xC0", "\xED\xA0\x80", "\xED\x7F\x80", "\xED\x80\xC0", "\xEE\x80\x7F",
      "\xEE\x7F\x80", "\xEF\x7F\xBF", "\xEF\xBF\xC0", "\xF0\x8F\xBF\xBF", "\xF0\xC0\x80\x80",
      "\xF0\x90\x7F\x80", "\xF0\x90\x80\x7F", "\xF0\x90\x80", "\xF1\x7F\x80\x80", "\xF1\x80\x7F\x80",
      "\xF1\x80\x80\x7F", "\xF3\x80\x80\xC0", "\xF3\xC0\x80\x80", "\xF4\x90\x80\x80", "\xF4\x7F\x80\x80",
      "\xF4\x8F\x7F\x80", "\xF4\x8F\xBF\x7F", "\xF5\x80\x80\x80", "\xF8\x88\x80\x80\x80", "\xFF"};
  for (const char* s : invalid) {
    auto r = check_utf8(std::string("ab") + s + "c", "f");
    ASSERT_FALSE(r) << testing::PrintToString(std::string(s));
    EXPECT_EQ(r.error().message, "f: invalid UTF-8 at byte 2") << testing::PrintToString(std::string(s));
  }
}
