#include <gtest/gtest.h>

#include "onboard/core/core.h"

using namespace onboard;

TEST(Base64, RoundTripsAndPads) {
  EXPECT_EQ(base64_encode(as_bytes("")), "");
  EXPECT_EQ(base64_encode(as_bytes("f")), "Zg==");
  EXPECT_EQ(base64_encode(as_bytes("fo")), "Zm8=");
  EXPECT_EQ(base64_encode(as_bytes("foo")), "Zm9v");
  EXPECT_EQ(to_string(*base64_decode("Zm8=")), "fo");
}

TEST(Base64, RejectsBadInput) {
  EXPECT_FALSE(base64_decode("Zm8"));     // missing padding
  EXPECT_FALSE(base64_decode("Zm9=") );   // non-canonical trailing bits
  EXPECT_FALSE(base64_decode("Zm 8="));   // whitespace
  EXPECT_FALSE(base64_decode("Zm-_"));    // URL alphabet
}

TEST(Base64Url, StrictPerSpec6) {
  Bytes b{0xfb, 0xff};
  EXPECT_EQ(base64url_encode(b), "-_8");
  EXPECT_EQ(*base64url_decode("-_8"), b);
  EXPECT_FALSE(base64url_decode("-_8="));  // padding
  EXPECT_FALSE(base64url_decode("+/8"));   // standard alphabet
  EXPECT_FALSE(base64url_decode("-_9"));   // trailing bits set
  EXPECT_FALSE(base64url_decode("-_8\n"));
  EXPECT_FALSE(base64url_decode("A"));     // impossible length
  EXPECT_EQ(base64url_decode("-_9").error().code, Errc::malformed);
}
