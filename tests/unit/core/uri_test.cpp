#include <gtest/gtest.h>

#include "onboard/core/core.h"

using namespace onboard;

TEST(InstanceUri, AcceptsSpecExamples) {
  for (auto u : {"urn:example.com:model-x1:snr-16273849", "tag:example.com,2026-01:x1:16273849",
                 "https://id.example.com/x1/16273849"})
    EXPECT_TRUE(validate_instance_uri(u)) << u;
}

TEST(InstanceUri, RejectsRelativeLongAndWhitespace) {
  EXPECT_FALSE(validate_instance_uri(""));
  EXPECT_FALSE(validate_instance_uri("device/123"));
  EXPECT_FALSE(validate_instance_uri(":abc"));
  EXPECT_FALSE(validate_instance_uri("1urn:abc"));
  EXPECT_FALSE(validate_instance_uri("urn:a b"));
  EXPECT_FALSE(validate_instance_uri("urn:a\tb"));
  EXPECT_FALSE(validate_instance_uri("urn:"));
  EXPECT_TRUE(validate_instance_uri("urn:" + std::string(251, 'a')));
  auto r = validate_instance_uri("urn:" + std::string(252, 'a'));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::malformed);
  EXPECT_NE(r.error().message.find("256"), std::string::npos);
}

TEST(InstanceUri, Lint) {
  EXPECT_TRUE(lint_instance_uri("https://id.example.com/x", true).empty());
  EXPECT_EQ(lint_instance_uri("HTTPS://ID.example.com/x", false).size(), 1u);
  EXPECT_EQ(lint_instance_uri("urn:example.com:x", true).size(), 1u);
  EXPECT_EQ(lint_instance_uri("urn:example.com:x", false).size(), 0u);
  EXPECT_EQ(lint_instance_uri("https://id.example.com/" + std::string(60, 'a'), false).size(), 1u);
}

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ); nothing else in it.
TEST(InstanceUri, SchemeCharacters) {
  for (auto u : {"coap+tcp://d.example.com/1", "x-vendor.v2:1", "A1:b", "z:1"}) EXPECT_TRUE(validate_instance_uri(u)) << u;
  for (auto u : {"ur_n:1", "ur~n:1", "ur%6E:1", "ur/n:1", "ur\xC3\xA9n:1", "+urn:1", "-urn:1", ".urn:1"}) {
    auto r = validate_instance_uri(u);
    ASSERT_FALSE(r) << u;
    EXPECT_EQ(r.error().code, Errc::malformed) << u;
  }
  EXPECT_NE(validate_instance_uri("ur_n:1", "ProductInstanceUri").error().message.find("invalid character in scheme"),
            std::string::npos);
}
