// verify_ek on EK certificates read from swtpm's NV, chained to the swtpm local CA.
#include <gtest/gtest.h>

#include "vectors.h"

namespace onboard::attest {
namespace {
using testing::anchors;
using testing::now;
using testing::vec;

TEST(VerifyEk, RsaEkChainsToTheLocalCa) {
  auto ek = verify_ek(vec("ek-rsa.crt.der"), vec("ek-rsa.pub"), anchors("ek-ca.pem"), now());
  ASSERT_TRUE(ek) << ek.error().message;
  EXPECT_EQ(ek->ek.key_type, "rsa2048");
  EXPECT_EQ(hex_encode(ek->hw_serial), [&] {  // hwSerialNum: the EK certificate's serial number
    std::string s = ek->cert.serial_hex();
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s.size() % 2 ? "0" + s : s;
  }());
  EXPECT_NE(ek->summary.find("chains to --ek-ca"), std::string::npos);
}

TEST(VerifyEk, EccEkChainsToTheLocalCa) {
  auto ek = verify_ek(vec("ek-ecc.crt.der"), vec("ek-ecc.pub"), anchors("ek-ca.pem"), now());
  ASSERT_TRUE(ek) << ek.error().message;
  EXPECT_EQ(ek->ek.key_type, "p384");
}

TEST(VerifyEk, RootAndIntermediateAsAnchors) {
  auto both = anchors("ek-root.pem");
  auto ca = anchors("ek-ca.pem");
  both.insert(both.end(), ca.begin(), ca.end());
  EXPECT_TRUE(verify_ek(vec("ek-rsa.crt.der"), vec("ek-rsa.pub"), both, now()));
  // The root alone is not enough: the local CA's certificate is not in the EK's NV.
  auto r = verify_ek(vec("ek-rsa.crt.der"), vec("ek-rsa.pub"), anchors("ek-root.pem"), now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::untrusted);
}

TEST(VerifyEk, AnotherCaIsUntrusted) {
  auto r = verify_ek(vec("ek-rsa.crt.der"), vec("ek-rsa.pub"), anchors("other-ek-ca.pem"), now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::untrusted);
  EXPECT_NE(r.error().message.find("does not chain to --ek-ca"), std::string::npos) << r.error().message;
}

TEST(VerifyEk, NoAnchorsIsUntrusted) {
  auto r = verify_ek(vec("ek-rsa.crt.der"), vec("ek-rsa.pub"), {}, now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::untrusted);
}

TEST(VerifyEk, EkPublicNotTheCertificatesKeyIsUntrusted) {
  auto r = verify_ek(vec("ek-rsa.crt.der"), vec("ek-ecc.pub"), anchors("ek-ca.pem"), now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::untrusted);
  EXPECT_NE(r.error().message.find("not the EK certificate's key"), std::string::npos) << r.error().message;
}

TEST(VerifyEk, NvPaddingIsIgnoredGarbageIsNot) {
  Bytes padded = vec("ek-rsa.crt.der");
  padded.insert(padded.end(), 64, 0xff);
  EXPECT_TRUE(verify_ek(padded, vec("ek-rsa.pub"), anchors("ek-ca.pem"), now()));
  padded.push_back(0x42);
  auto r = verify_ek(padded, vec("ek-rsa.pub"), anchors("ek-ca.pem"), now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::malformed);
}

TEST(VerifyEk, UnparsableInputsAreMalformed) {
  Bytes cert = vec("ek-rsa.crt.der");
  auto r = verify_ek(ByteView(cert).first(100), vec("ek-rsa.pub"), anchors("ek-ca.pem"), now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::malformed);
  auto p = verify_ek(cert, ByteView(vec("ek-rsa.pub")).first(10), anchors("ek-ca.pem"), now());
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::malformed);
}

TEST(VerifyEk, TamperedCertificateIsUntrusted) {
  Bytes cert = vec("ek-rsa.crt.der");
  cert[cert.size() - 10] ^= 0x01;  // in the signature
  auto r = verify_ek(cert, vec("ek-rsa.pub"), anchors("ek-ca.pem"), now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::untrusted);
}

TEST(VerifyEk, BeforeTheCertificateIsValidIsUntrusted) {
  auto r = verify_ek(vec("ek-rsa.crt.der"), vec("ek-rsa.pub"), anchors("ek-ca.pem"), 1000000000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::untrusted);
}

}  // namespace
}  // namespace onboard::attest
