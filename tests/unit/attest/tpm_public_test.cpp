// parse_public and the TCG IAK/IDevID template checks, on public areas made by swtpm.
#include <gtest/gtest.h>

#include "vectors.h"

namespace onboard::attest {
namespace {
using testing::pub;
using testing::vec;

TEST(ParsePublic, NameAndKeyAreTheTpms) {
  for (const char* k : {"iak", "idevid", "nofixedtpm", "decrypt"}) {
    auto p = parse_public(vec(std::string(k) + ".pub"));
    ASSERT_TRUE(p) << k << ": " << p.error().message;
    EXPECT_EQ(p->name, vec(std::string(k) + ".name")) << k;
    EXPECT_EQ(p->spki_der, vec(std::string(k) + ".spki.der")) << k;
    EXPECT_EQ(p->key_type, "p256");
    EXPECT_EQ(p->name_alg, 0x000B);
  }
}

TEST(ParsePublic, EndorsementKeys) {
  auto rsa = pub("ek-rsa");
  EXPECT_EQ(rsa.key_type, "rsa2048");
  EXPECT_EQ(rsa.name, vec("ek-rsa.name"));
  auto ecc = pub("ek-ecc");
  EXPECT_EQ(ecc.key_type, "p384");
  EXPECT_EQ(ecc.name, vec("ek-ecc.name"));
  EXPECT_EQ(ecc.name_alg, 0x000C);
  EXPECT_FALSE(ecc.auth_policy.empty());  // the EK templates carry a policy
}

TEST(ParsePublic, Tpm2bAndTpmtFormsAgree) {
  Bytes b = vec("iak.pub");
  auto with_size = parse_public(b);
  auto without = parse_public(ByteView(b).subspan(2));
  ASSERT_TRUE(with_size && without);
  EXPECT_EQ(with_size->area, without->area);
  EXPECT_EQ(with_size->name, without->name);
}

TEST(ParsePublic, TruncatedAtEveryLengthIsMalformed) {
  Bytes b = vec("ek-rsa.pub");
  for (std::size_t n = 0; n + 1 < b.size(); ++n) {
    auto p = parse_public(ByteView(b).first(n));
    ASSERT_FALSE(p) << n;
    EXPECT_EQ(p.error().code, Errc::malformed) << n;
  }
}

TEST(ParsePublic, TrailingBytesAreMalformed) {
  Bytes b = vec("iak.pub");
  b.erase(b.begin(), b.begin() + 2);
  b.push_back(0);
  auto p = parse_public(b);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::malformed);
  EXPECT_NE(p.error().message.find("trailing"), std::string::npos) << p.error().message;
}

TEST(ParsePublic, PointOffTheCurveIsMalformed) {
  Bytes b = vec("idevid.pub");
  b.back() ^= 0x01;  // last byte of y
  auto p = parse_public(b);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::malformed);
}

TEST(Templates, TcgKeysPass) {
  EXPECT_TRUE(check_iak(pub("iak")));
  EXPECT_TRUE(check_idevid(pub("idevid")));
}

void expect_refused(const Status& s, const std::string& why) {
  ASSERT_FALSE(s) << "expected refusal: " << why;
  EXPECT_EQ(s.error().code, Errc::untrusted);
  EXPECT_NE(s.error().message.find(why), std::string::npos) << s.error().message;
}

TEST(Templates, KeyWithoutFixedTpmIsRefused) {
  expect_refused(check_idevid(pub("nofixedtpm")), "lacks fixedTPM");
  expect_refused(check_iak(pub("nofixedtpm")), "lacks fixedTPM");
}

TEST(Templates, KeyThatDecryptsIsRefused) { expect_refused(check_idevid(pub("decrypt")), "has decrypt"); }

TEST(Templates, IakMustBeRestrictedAndIdevidNot) {
  expect_refused(check_iak(pub("idevid")), "IAK key lacks restricted");
  expect_refused(check_idevid(pub("iak")), "IDevID key has restricted");
}

TEST(Templates, EndorsementKeyIsNotAnIak) { expect_refused(check_iak(pub("ek-rsa")), "lacks sign"); }

}  // namespace
}  // namespace onboard::attest
