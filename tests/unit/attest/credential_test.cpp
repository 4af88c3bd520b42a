// make_credential: structure and freshness here; the cross-check against a real TPM
// (TPM2_ActivateCredential on swtpm gives back the secret) is tests/tpm/credential_activation.sh,
// which runs ActivationOnSwtpm below with a TPM's EK and IAK.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "vectors.h"

namespace onboard::attest {
namespace {
using testing::pub;
using testing::vec;

std::size_t u16(ByteView b) { return static_cast<std::size_t>(b[0] << 8 | b[1]); }

TEST(MakeCredential, RsaEkBlobsAreWellFormed) {
  auto c = make_credential(pub("ek-rsa"), pub("iak").name);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->secret.size(), 32u);
  ASSERT_GE(c->credential_blob.size(), 2u);
  EXPECT_EQ(u16(c->credential_blob), c->credential_blob.size() - 2);
  // TPMS_ID_OBJECT: integrityHMAC (SHA-256) || encIdentity (TPM2B_DIGEST of the 32-byte secret).
  EXPECT_EQ(u16(ByteView(c->credential_blob).subspan(2)), 32u);
  EXPECT_EQ(c->credential_blob.size(), 2u + 2 + 32 + 2 + 32);
  EXPECT_EQ(c->encrypted_secret.size(), 2u + 256);  // RSA-2048 OAEP
  EXPECT_EQ(u16(c->encrypted_secret), 256u);
}

TEST(MakeCredential, EccEkBlobsCarryAnEphemeralPoint) {
  auto c = make_credential(pub("ek-ecc"), pub("iak").name);
  ASSERT_TRUE(c) << c.error().message;
  // TPM2B_ENCRYPTED_SECRET holding a TPMS_ECC_POINT with P-384 coordinates.
  ByteView s(c->encrypted_secret);
  EXPECT_EQ(u16(s), s.size() - 2);
  EXPECT_EQ(u16(s.subspan(2)), 48u);
  EXPECT_EQ(u16(s.subspan(2 + 2 + 48)), 48u);
  EXPECT_EQ(u16(ByteView(c->credential_blob).subspan(2)), 48u);  // SHA-384 HMAC (the EK's nameAlg)
}

TEST(MakeCredential, EveryChallengeIsFresh) {
  auto a = make_credential(pub("ek-rsa"), pub("iak").name);
  auto b = make_credential(pub("ek-rsa"), pub("iak").name);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->secret, b->secret);
  EXPECT_NE(a->credential_blob, b->credential_blob);
  EXPECT_NE(a->encrypted_secret, b->encrypted_secret);
}

TEST(MakeCredential, ASigningKeyIsNotAnEk) {
  auto c = make_credential(pub("iak"), pub("idevid").name);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::untrusted);
}

TEST(MakeCredential, EmptyNameIsRefused) {
  auto c = make_credential(pub("ek-rsa"), {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::usage);
}

// Driven by tests/tpm/credential_activation.sh: ATTEST_ACTIVATION_DIR holds ek.pub (the TPM's EK,
// TPM2B_PUBLIC) and key.name (the object's Name); this writes cred.bin in tpm2-tools'
// credential file format (magic BADCC0DE, version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET)
// and secret.bin, for tpm2_activatecredential to open.
TEST(ActivationOnSwtpm, WritesChallenge) {
  const char* dir = std::getenv("ATTEST_ACTIVATION_DIR");
  if (!dir) GTEST_SKIP() << "run by tests/tpm/credential_activation.sh";
  auto read = [&](const char* n) {
    auto t = read_file(std::string(dir) + "/" + n);
    if (!t) throw std::runtime_error(t.error().message);
    return Bytes(t->begin(), t->end());
  };
  auto ek = parse_public(read("ek.pub"));
  ASSERT_TRUE(ek) << ek.error().message;
  auto c = make_credential(*ek, read("key.name"));
  ASSERT_TRUE(c) << c.error().message;
  Bytes file = {0xBA, 0xDC, 0xC0, 0xDE, 0, 0, 0, 1};
  file.insert(file.end(), c->credential_blob.begin(), c->credential_blob.end());
  file.insert(file.end(), c->encrypted_secret.begin(), c->encrypted_secret.end());
  ASSERT_TRUE(write_file_atomic(std::string(dir) + "/cred.bin", to_string(file), {.force = true}));
  ASSERT_TRUE(write_file_atomic(std::string(dir) + "/secret.bin", to_string(c->secret), {.force = true}));
}

}  // namespace
}  // namespace onboard::attest
