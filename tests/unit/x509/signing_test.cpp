// Certificates and CSRs signed through keys::Signer (lib/x509/signing.*): the AlgorithmIdentifier
// keys picks per key type in both places of the structure, a wrong key refused, tampering found.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>

#include "onboard/keys/keys.h"
#include "onboard/x509/x509.h"
#include "ossl.h"
#include "signing.h"
#include "temp_dir.h"

using namespace onboard;
using keys::KeyType;
using onboard::testing::TempDir;

namespace {

constexpr UnixTime kNow = 1800000000;

struct Keys {
  TempDir dir;
  keys::KeyContext ctx{{}};
  std::unique_ptr<keys::Signer> make(KeyType t, const std::string& name) {
    auto k = ctx.generate(*keys::parse_key_uri(dir.file(name)), t);
    EXPECT_TRUE(k) << k.error().message;
    return k ? std::move(*k) : nullptr;
  }
};

x509::CertSpec root_spec(const std::string& cn) {
  x509::CertSpec r;
  r.profile = x509::Profile::root_ca;
  r.subject = "/O=Signing/CN=" + cn;
  r.not_before = kNow;
  r.not_after = kNow + 86400 * 365;
  return r;
}

x509::CertSpec idevid_spec() {
  x509::CertSpec s;
  s.profile = x509::Profile::idevid;
  s.manufacturer = "Signing";
  s.model = "M1";
  s.serial_number = "1";
  s.san_uris = {"urn:signing:m1:1"};
  s.not_before = kNow;
  return s;
}

Bytes algor_der(const X509_ALGOR* a) { return ossl::to_der(i2d_X509_ALGOR, a); }

Bytes expected_algorithm(const keys::Signer& key) {
  auto der = keys::signature_algorithm_der(key.key_type(), keys::default_params(key.key_type()));
  EXPECT_TRUE(der);
  return der ? *der : Bytes{};
}

}  // namespace

class CertSigning : public ::testing::TestWithParam<KeyType> {};

TEST_P(CertSigning, KeysAlgorithmInBothPlacesAndVerifies) {
  Keys k;
  auto ca_key = k.make(GetParam(), "ca.pem");
  auto dev = k.make(KeyType::p256, "dev.pem");
  ASSERT_TRUE(ca_key && dev);
  auto root = x509::issue(root_spec("Root"), ca_key->public_key_der(), nullptr, *ca_key);
  ASSERT_TRUE(root) << root.error().message;
  auto leaf = x509::issue(idevid_spec(), dev->public_key_der(), &*root, *ca_key);
  ASSERT_TRUE(leaf) << leaf.error().message;
  Bytes want = expected_algorithm(*ca_key);
  for (const x509::Certificate* c : {&*root, &*leaf}) {
    const ASN1_BIT_STRING* sig = nullptr;
    const X509_ALGOR* outer = nullptr;
    X509_get0_signature(&sig, &outer, c->raw());
    EXPECT_EQ(hex_encode(algor_der(outer)), hex_encode(want));
    EXPECT_EQ(hex_encode(algor_der(X509_get0_tbs_sigalg(c->raw()))), hex_encode(want));
    EXPECT_TRUE(c->signed_by(*root));
  }
  EXPECT_TRUE(root->self_signed());
  auto chain = x509::verify_chain(*leaf, {}, {*root}, kNow + 10, false);
  EXPECT_EQ(chain.code, Errc::ok) << chain.reason;
}

TEST_P(CertSigning, EncodeOnlyCertificateIsTheSameStructure) {
  Keys k;
  auto ca_key = k.make(GetParam(), "ca.pem");
  auto dev = k.make(KeyType::p256, "dev.pem");
  ASSERT_TRUE(ca_key && dev);
  auto root = x509::issue(root_spec("Root"), ca_key->public_key_der(), nullptr, *ca_key);
  ASSERT_TRUE(root);
  auto spec = idevid_spec();
  spec.encode_only = true;
  auto fast = x509::issue(spec, dev->public_key_der(), &*root, *ca_key);
  ASSERT_TRUE(fast) << fast.error().message;
  // What a batch writes (the adopted object's DER) parses and verifies like any certificate.
  auto parsed = x509::Certificate::parse_der(fast->der(), "encode-only");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(parsed->signed_by(*root));
  EXPECT_EQ(parsed->der(), fast->der());
}

TEST_P(CertSigning, TamperedCertificateDoesNotVerify) {
  Keys k;
  auto ca_key = k.make(GetParam(), "ca.pem");
  auto dev = k.make(KeyType::p256, "dev.pem");
  ASSERT_TRUE(ca_key && dev);
  auto root = x509::issue(root_spec("Root"), ca_key->public_key_der(), nullptr, *ca_key);
  ASSERT_TRUE(root);
  auto leaf = x509::issue(idevid_spec(), dev->public_key_der(), &*root, *ca_key);
  ASSERT_TRUE(leaf);
  Bytes der = leaf->der();
  const std::string uri = "urn:signing:m1:1";
  auto at = std::search(der.begin(), der.end(), uri.begin(), uri.end());
  ASSERT_NE(at, der.end());
  at[uri.size() - 1] = '2';  // the SAN says another device
  auto tampered = x509::Certificate::parse_der(der, "tampered");
  ASSERT_TRUE(tampered) << tampered.error().message;
  EXPECT_FALSE(tampered->signed_by(*root));
  EXPECT_NE(x509::verify_chain(*tampered, {}, {*root}, kNow + 10, false).code, Errc::ok);
}

TEST_P(CertSigning, WrongKeyIsRefused) {
  Keys k;
  auto ca_key = k.make(GetParam(), "ca.pem");
  auto other = k.make(GetParam(), "other.pem");
  auto dev = k.make(KeyType::p256, "dev.pem");
  ASSERT_TRUE(ca_key && other && dev);
  auto root = x509::issue(root_spec("Root"), ca_key->public_key_der(), nullptr, *ca_key);
  ASSERT_TRUE(root);
  auto leaf = x509::issue(idevid_spec(), dev->public_key_der(), &*root, *other);
  ASSERT_FALSE(leaf);
  EXPECT_EQ(leaf.error().code, Errc::key);
  EXPECT_NE(leaf.error().message.find("does not match"), std::string::npos) << leaf.error().message;
}

class CsrSigning : public ::testing::TestWithParam<KeyType> {};

TEST_P(CsrSigning, KeysAlgorithmAndProofOfPossession) {
  Keys k;
  auto key = k.make(GetParam(), "dev.pem");
  ASSERT_TRUE(key);
  auto pem = x509::make_csr_pem(*key, "/O=Signing/CN=dev", {"urn:signing:csr:1"});
  ASSERT_TRUE(pem) << pem.error().message;
  auto csr = x509::parse_csr(*pem, "dev.csr");
  ASSERT_TRUE(csr) << csr.error().message;
  EXPECT_EQ(csr->public_key, key->public_key_der());
  ossl::Ptr<BIO> bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  ossl::Ptr<X509_REQ> req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(req);
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_REQ_get0_signature(req.get(), &sig, &alg);
  EXPECT_EQ(hex_encode(algor_der(alg)), hex_encode(expected_algorithm(*key)));
}

TEST_P(CsrSigning, TamperedOrForeignSignatureIsNoProofOfPossession) {
  Keys k;
  auto key = k.make(GetParam(), "a.pem");
  auto other = k.make(GetParam(), "b.pem");
  ASSERT_TRUE(key && other);
  auto a = x509::make_csr_pem(*key, "/CN=a", {});
  auto b = x509::make_csr_pem(*other, "/CN=a", {});
  ASSERT_TRUE(a && b);
  auto read = [](const std::string& pem) {
    ossl::Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    return ossl::Ptr<X509_REQ>(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  };
  // b's signature (another key) on a's request.
  auto ra = read(*a), rb = read(*b);
  ASSERT_TRUE(ra && rb);
  const ASN1_BIT_STRING* sig_b = nullptr;
  const X509_ALGOR* alg_b = nullptr;
  X509_REQ_get0_signature(rb.get(), &sig_b, &alg_b);
  X509_REQ_set0_signature(ra.get(), ASN1_STRING_dup(sig_b));
  Bytes foreign = ossl::to_der(i2d_X509_REQ, ra.get());
  auto r1 = x509::parse_csr(std::string(foreign.begin(), foreign.end()), "foreign.csr");
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code, Errc::malformed);
  EXPECT_NE(r1.error().message.find("proof of possession"), std::string::npos) << r1.error().message;
  // a's own request with its subject changed after signing.
  auto ra2 = read(*a);
  Bytes der = ossl::to_der(i2d_X509_REQ, ra2.get());
  const std::string cn = "a";
  auto at = std::find(der.begin() + 10, der.end(), static_cast<std::uint8_t>('a'));
  ASSERT_NE(at, der.end());
  *at = 'z';
  auto r2 = x509::parse_csr(std::string(der.begin(), der.end()), "tampered.csr");
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, Errc::malformed);
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, CertSigning,
                         ::testing::Values(KeyType::p256, KeyType::p384, KeyType::rsa2048, KeyType::ed25519),
                         [](const auto& info) { return keys::key_type_name(info.param); });
INSTANTIATE_TEST_SUITE_P(KeyTypes, CsrSigning,
                         ::testing::Values(KeyType::p256, KeyType::p384, KeyType::rsa2048, KeyType::ed25519),
                         [](const auto& info) { return keys::key_type_name(info.param); });

TEST(SigningDer, TlvAndSignedShape) {
  Bytes big(300, 0xab);
  Bytes tlv = x509::detail::der_tlv(0x04, big);
  EXPECT_EQ(hex_encode(Bytes(tlv.begin(), tlv.begin() + 4)), "0482012c");
  Bytes s = x509::detail::signed_der(Bytes{0x30, 0x00}, Bytes{0x30, 0x00}, Bytes{0x01, 0x02});
  EXPECT_EQ(hex_encode(s), "3009" "3000" "3000" "0303000102");
}
