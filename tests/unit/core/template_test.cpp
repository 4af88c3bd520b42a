#include <gtest/gtest.h>

#include "onboard/core/template.h"

using namespace onboard;

TEST(Template, Expand) {
  TemplateValues row{{"serial_number", "42"}, {"model", "x1"}};
  EXPECT_EQ(*expand_template("file:keys/{model}-{serial_number}.pem", row), "file:keys/x1-42.pem");
  EXPECT_EQ(*expand_template("a{{b}}", row), "a{b}");
  auto missing = expand_template("{nope}", row);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::malformed);
  EXPECT_EQ(missing.error().message, "template uses column 'nope', which is missing");
  EXPECT_FALSE(expand_template("{}", row));
  EXPECT_FALSE(expand_template("{open", row));
  EXPECT_FALSE(expand_template("close}", row));
  EXPECT_EQ(*template_columns("{a}/{b}"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*template_columns("{{a}}{b}{a}"), (std::vector<std::string>{"b", "a"}));
  // expanding and listing agree on what is malformed
  for (const char* bad : {"{open", "close}", "{}", "{a{b}"}) {
    EXPECT_FALSE(template_columns(bad)) << bad;
    EXPECT_FALSE(expand_template(bad, row)) << bad;
  }
}

TEST(Template, SafeStem) {
  EXPECT_EQ(*safe_file_stem("dev-1_a.b"), "dev-1_a.b");
  EXPECT_EQ(*safe_file_stem("../etc/passwd"), "_._etc_passwd");
  EXPECT_FALSE(safe_file_stem(""));
}

TEST(Template, SafeStemLimits) {
  EXPECT_FALSE(safe_file_stem(std::string(129, 'a')));
  EXPECT_EQ(*safe_file_stem("../../etc/passwd"), "_._.._etc_passwd");
  EXPECT_EQ(*safe_file_stem(".."), "_.");
}
