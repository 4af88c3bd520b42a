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
