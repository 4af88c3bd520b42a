// check_certify on a TPM2_Certify made by swtpm (the IAK certifying the IDevID over a nonce).
#include <gtest/gtest.h>

#include "vectors.h"

namespace onboard::attest {
namespace {
using testing::pub;
using testing::vec;

struct Certify : ::testing::Test {
  TpmPublic iak = pub("iak"), idevid = pub("idevid");
  Bytes attest = vec("certify.attest"), sig = vec("certify.sig"), nonce = vec("nonce.bin");

  void expect_refused(ByteView a, ByteView s, ByteView n, const TpmPublic& certified, const std::string& check) {
    auto r = check_certify(iak, certified, a, s, n);
    ASSERT_FALSE(r) << "expected " << check << " to fail";
    EXPECT_EQ(r.error().code, Errc::untrusted);
    EXPECT_EQ(r.error().message.rfind(check + ":", 0), 0u) << r.error().message;
  }
};

TEST_F(Certify, GoodVectorPasses) {
  auto r = check_certify(iak, idevid, attest, sig, nonce);
  EXPECT_TRUE(r) << r.error().message;
  auto checks = certify_checks(iak, idevid, attest, sig, nonce);
  ASSERT_EQ(checks.size(), 5u);
  for (const auto& c : checks) EXPECT_TRUE(c.passed) << c.name << ": " << c.detail;
}

TEST_F(Certify, WrongNonceIsRefused) {
  Bytes other = nonce;
  other[0] ^= 1;
  expect_refused(attest, sig, other, idevid, "certify-nonce");
  expect_refused(attest, sig, {}, idevid, "certify-nonce");
}

TEST_F(Certify, FlippedAttestByteIsRefused) {
  Bytes a = attest;
  a[a.size() - 40] ^= 0x01;  // inside the certified names: the signature no longer covers it
  auto r = check_certify(iak, idevid, a, sig, nonce);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::untrusted);
  // A flipped byte in the clock info changes nothing but the signature.
  Bytes b = attest;
  std::size_t clock = 6 + 2 + iak.name.size() + 2 + nonce.size();  // magic, type, qualifiedSigner, extraData
  b[clock + 3] ^= 0x01;
  expect_refused(b, sig, nonce, idevid, "certify-signature");
}

TEST_F(Certify, OtherKeysNameIsRefused) { expect_refused(attest, sig, nonce, pub("nofixedtpm"), "certify-name"); }

TEST_F(Certify, BadMagicIsRefused) {
  Bytes a = attest;
  a[0] = 0x00;  // TPM_GENERATED_VALUE is ff544347
  expect_refused(a, sig, nonce, idevid, "certify-magic");
}

TEST_F(Certify, WrongTypeIsRefused) {
  Bytes a = attest;
  a[5] = 0x1A;  // TPM_ST_ATTEST_CREATION (0x801A): the same layout, another meaning
  expect_refused(a, sig, nonce, idevid, "certify-type");
}

TEST_F(Certify, SignatureByAnotherKeyIsRefused) {
  // The same certify signed by the IDevID key itself, not by the IAK.
  expect_refused(vec("certify-self.attest"), vec("certify-self.sig"), nonce, idevid, "certify-signature");
  expect_refused(attest, vec("certify-self.sig"), nonce, idevid, "certify-signature");
}

TEST_F(Certify, TruncatedStructuresAreMalformed) {
  for (std::size_t n = 0; n < attest.size(); ++n) {
    auto r = check_certify(iak, idevid, ByteView(attest).first(n), sig, nonce);
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code, Errc::malformed) << n;
  }
  for (std::size_t n = 0; n < sig.size(); ++n) EXPECT_FALSE(check_certify(iak, idevid, attest, ByteView(sig).first(n), nonce)) << n;
}

}  // namespace
}  // namespace onboard::attest

namespace onboard::attest {
namespace {
using testing::pub;
using testing::vec;

// The other TCG IAK templates: RSA-2048 (RSASSA-SHA256) and P-384 (ECDSA-SHA384, SHA-384 names).
TEST(CertifyOtherTemplates, RsaAndP384IaksPass) {
  for (std::string k : {"rsa", "p384"}) {
    auto iak = pub("iak-" + k);
    EXPECT_EQ(iak.name, vec("iak-" + k + ".name"));
    EXPECT_EQ(iak.spki_der, vec("iak-" + k + ".spki.der"));
    EXPECT_TRUE(check_iak(iak)) << k;
    auto r = check_certify(iak, pub("idevid"), vec("certify-" + k + ".attest"), vec("certify-" + k + ".sig"), vec("nonce.bin"));
    EXPECT_TRUE(r) << k << ": " << r.error().message;
  }
  EXPECT_EQ(pub("iak-rsa").key_type, "rsa2048");
  EXPECT_EQ(pub("iak-p384").key_type, "p384");
  EXPECT_EQ(pub("iak-p384").name_alg, 0x000C);
}

TEST(CertifyOtherTemplates, RsaSignatureChecksAreReal) {
  auto iak = pub("iak-rsa");
  Bytes attest = vec("certify-rsa.attest"), sig = vec("certify-rsa.sig"), nonce = vec("nonce.bin");
  // Another IAK's signature, of another kind.
  auto r = check_certify(iak, pub("idevid"), attest, vec("certify.sig"), nonce);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("certify-signature:", 0), 0u) << r.error().message;
  // A flipped bit in the RSA signature.
  sig[sig.size() - 1] ^= 0x01;
  r = check_certify(iak, pub("idevid"), attest, sig, nonce);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("certify-signature:", 0), 0u) << r.error().message;
  // The P-256 IAK's signature does not verify with the P-384 IAK.
  r = check_certify(pub("iak-p384"), pub("idevid"), vec("certify.attest"), vec("certify.sig"), nonce);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("certify-signature:", 0), 0u) << r.error().message;
}

}  // namespace
}  // namespace onboard::attest
