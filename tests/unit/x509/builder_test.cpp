// SPEC §3 profiles through x509::issue with file keys; chain checks at chosen times.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <filesystem>

#include "onboard/keys/keys.h"
#include "onboard/x509/x509.h"

using namespace onboard;
namespace fs = std::filesystem;

namespace {
struct Pki {
  fs::path dir;
  keys::KeyContext keys{{}};
  std::unique_ptr<keys::Signer> root_key, ca_key, dev_key;
  std::optional<x509::Certificate> root, ca;
  static constexpr UnixTime kNow = 1800000000;  // 2027-01-15

  Pki() {
    char tmpl[] = "/tmp/onboard-x509-XXXXXX";
    dir = ::mkdtemp(tmpl);
    root_key = std::move(*keys.generate(*keys::parse_key_uri((dir / "root.key").string()), keys::KeyType::p256));
    ca_key = std::move(*keys.generate(*keys::parse_key_uri((dir / "ca.key").string()), keys::KeyType::p384));
    dev_key = std::move(*keys.generate(*keys::parse_key_uri((dir / "dev.key").string()), keys::KeyType::p256));
    x509::CertSpec r;
    r.profile = x509::Profile::root_ca;
    r.subject = "/O=Acme/CN=Root";
    r.not_before = kNow;
    r.not_after = x509::default_not_after(x509::Profile::root_ca, kNow);
    root = *x509::issue(r, root_key->public_key_der(), nullptr, *root_key);
    x509::CertSpec c;
    c.profile = x509::Profile::issuing_ca;
    c.subject = "/O=Acme/CN=CA";
    c.not_before = kNow;
    c.not_after = kNow + 1000 * 86400;
    ca = *x509::issue(c, ca_key->public_key_der(), &*root, *root_key);
  }
  ~Pki() { fs::remove_all(dir); }

  x509::CertSpec idevid(const std::string& uri) const {
    x509::CertSpec s;
    s.profile = x509::Profile::idevid;
    s.manufacturer = "Acme";
    s.model = "X1";
    s.serial_number = "123";
    s.san_uris = {uri};
    s.not_before = kNow;
    return s;
  }
};
}  // namespace

TEST(Builder, IdevidProfile) {
  Pki p;
  auto cert = x509::issue(p.idevid("urn:acme.example:x1:123"), p.dev_key->public_key_der(), &*p.ca, *p.ca_key);
  ASSERT_TRUE(cert) << cert.error().message;
  EXPECT_EQ(cert->san_uris(), std::vector<std::string>{"urn:acme.example:x1:123"});
  EXPECT_EQ(cert->not_after(), kNoExpiry);
  EXPECT_EQ(cert->subject(), "O=Acme,CN=X1,serialNumber=123");
  EXPECT_FALSE(cert->is_ca());
  EXPECT_TRUE(cert->allows_digital_signature());
  EXPECT_FALSE(cert->allows_cert_sign());
  EXPECT_TRUE(cert->signed_by(*p.ca));
  EXPECT_FALSE(cert->signed_by(*p.root));
  EXPECT_EQ(cert->public_key_der(), p.dev_key->public_key_der());
  EXPECT_EQ(X509_get0_subject_key_id(cert->raw()), nullptr);  // no SKI unless asked
  EXPECT_NE(X509_get0_authority_key_id(cert->raw()), nullptr);
  EXPECT_EQ(OBJ_obj2nid(X509_get0_tbs_sigalg(cert->raw())->algorithm), NID_ecdsa_with_SHA384);  // P-384 CA
  EXPECT_EQ(cert->serial_hex().size(), 32u);
  auto reparsed = x509::Certificate::parse_der(cert->der());
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(reparsed->fingerprint(), cert->fingerprint());
}

TEST(Builder, CompositeLdevidHasBothUris) {
  Pki p;
  auto spec = p.idevid("urn:acme.example:x1:1");
  spec.profile = x509::Profile::ldevid;
  spec.san_uris.push_back("urn:builder.example:cell-3");
  auto cert = x509::issue(spec, p.dev_key->public_key_der(), &*p.ca, *p.ca_key);
  ASSERT_TRUE(cert);
  EXPECT_EQ(cert->san_uris().size(), 2u);
}

TEST(Builder, RefusesWrongIssuerKeyAndNonCa) {
  Pki p;
  auto wrong = x509::issue(p.idevid("urn:a:1"), p.dev_key->public_key_der(), &*p.ca, *p.root_key);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::key);
  auto leaf = *x509::issue(p.idevid("urn:a:2"), p.dev_key->public_key_der(), &*p.ca, *p.ca_key);
  auto from_leaf = x509::issue(p.idevid("urn:a:3"), p.dev_key->public_key_der(), &leaf, *p.dev_key);
  ASSERT_FALSE(from_leaf);
  EXPECT_EQ(from_leaf.error().code, Errc::usage);
  auto garbage = x509::issue(p.idevid("urn:a:4"), as_bytes("not an spki"), &*p.ca, *p.ca_key);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, Errc::malformed);
}

TEST(Chain, TimesAndTrust) {
  Pki p;
  auto leaf = *x509::issue(p.idevid("urn:a:5"), p.dev_key->public_key_der(), &*p.ca, *p.ca_key);
  auto ok = x509::verify_chain(leaf, {*p.ca}, {*p.root}, Pki::kNow + 10);
  EXPECT_EQ(ok.code, Errc::ok) << ok.reason;
  EXPECT_EQ(ok.chain.size(), 3u);
  // After the CA expired (1000 days), the chain is expired even though the leaf lives to 9999.
  EXPECT_EQ(x509::verify_chain(leaf, {*p.ca}, {*p.root}, Pki::kNow + 1001 * 86400).code, Errc::expired);
  EXPECT_EQ(x509::verify_chain(leaf, {*p.ca}, {*p.root}, Pki::kNow - 10).code, Errc::expired);
  EXPECT_EQ(x509::verify_chain(leaf, {}, {*p.root}, Pki::kNow + 10).code, Errc::untrusted);
  EXPECT_EQ(x509::verify_chain(leaf, {*p.ca}, {}, Pki::kNow + 10).code, Errc::untrusted);
  // Partial chains: the CA itself as the anchor.
  EXPECT_EQ(x509::verify_chain(leaf, {}, {*p.ca}, Pki::kNow + 10).code, Errc::ok);
}

TEST(Csr, MakeAndVerify) {
  Pki p;
  auto pem = x509::make_csr_pem(*p.dev_key, "/CN=dev", {"urn:a:6"});
  ASSERT_TRUE(pem) << pem.error().message;
  auto csr = x509::parse_csr(*pem, "test.csr");
  ASSERT_TRUE(csr) << csr.error().message;
  EXPECT_EQ(csr->public_key, p.dev_key->public_key_der());
  EXPECT_EQ(csr->san_uris, std::vector<std::string>{"urn:a:6"});
  EXPECT_FALSE(x509::parse_csr("garbage", "bad.csr"));
}

// create-authority(1): default validity root-ca 25, issuing-ca 15, ticket-signer 5, tsa 10 years
// (Gregorian years of 365.2425 days); device certificates never expire (802.1AR).
TEST(Builder, DefaultValidityPerProfile) {
  constexpr UnixTime kNow = 1800000000, kGregorianYear = 31556952;
  EXPECT_EQ(x509::default_not_after(x509::Profile::root_ca, kNow), kNow + 25 * kGregorianYear);
  EXPECT_EQ(x509::default_not_after(x509::Profile::issuing_ca, kNow), kNow + 15 * kGregorianYear);
  EXPECT_EQ(x509::default_not_after(x509::Profile::ticket_signer, kNow), kNow + 5 * kGregorianYear);
  EXPECT_EQ(x509::default_not_after(x509::Profile::tsa, kNow), kNow + 10 * kGregorianYear);
  EXPECT_EQ(x509::default_not_after(x509::Profile::idevid, kNow), kNoExpiry);
  EXPECT_EQ(x509::default_not_after(x509::Profile::ldevid, kNow), kNoExpiry);
}

TEST(Builder, ProfileNamesRoundTripAndUnknownIsRefused) {
  for (auto p : {x509::Profile::root_ca, x509::Profile::issuing_ca, x509::Profile::ticket_signer, x509::Profile::idevid,
                 x509::Profile::ldevid, x509::Profile::tsa}) {
    auto back = x509::parse_profile(x509::profile_name(p));
    ASSERT_TRUE(back) << x509::profile_name(p);
    EXPECT_EQ(*back, p);
  }
  for (const char* bad : {"root", "", "Root-CA", "iak-x"}) {
    auto p = x509::parse_profile(bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error().code, Errc::usage);
    EXPECT_NE(p.error().message.find("unknown profile '" + std::string(bad) + "'"), std::string::npos);
  }
}

// RFC 5280 §4.1.2.5: a certificate valid for no time at all is refused, not issued.
TEST(Builder, NotAfterMustBeLaterThanNotBefore) {
  Pki p;
  for (UnixTime delta : {UnixTime{0}, UnixTime{-1}}) {
    x509::CertSpec s;
    s.profile = x509::Profile::issuing_ca;
    s.subject = "/O=Acme/CN=Zero";
    s.not_before = Pki::kNow;
    s.not_after = Pki::kNow + delta;
    auto c = x509::issue(s, p.ca_key->public_key_der(), &*p.root, *p.root_key);
    ASSERT_FALSE(c) << delta;
    EXPECT_EQ(c.error().message, "notAfter must be later than notBefore");
  }
  x509::CertSpec one_second;
  one_second.profile = x509::Profile::issuing_ca;
  one_second.subject = "/O=Acme/CN=Short";
  one_second.not_before = Pki::kNow;
  one_second.not_after = Pki::kNow + 1;
  EXPECT_TRUE(x509::issue(one_second, p.ca_key->public_key_der(), &*p.root, *p.root_key));
}

// A CRL or OCSP URL the extension cannot carry is an error; the certificate is never issued without it.
TEST(Builder, UnencodableRevocationUrlIsRefused) {
  Pki p;
  auto spec = [&] {
    x509::CertSpec s;
    s.profile = x509::Profile::issuing_ca;
    s.subject = "/O=Acme/CN=CA2";
    s.not_before = Pki::kNow;
    s.not_after = Pki::kNow + 86400;
    return s;
  };
  auto crl = spec();
  crl.crl_urls = {""};
  auto c = x509::issue(crl, p.ca_key->public_key_der(), &*p.root, *p.root_key);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::usage);
  EXPECT_NE(c.error().message.find("adding cRLDistributionPoints"), std::string::npos) << c.error().message;
  auto ocsp = spec();
  ocsp.ocsp_urls = {""};
  auto o = x509::issue(ocsp, p.ca_key->public_key_der(), &*p.root, *p.root_key);
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().message.find("adding authorityInfoAccess"), std::string::npos) << o.error().message;
  auto good = spec();
  good.crl_urls = {"http://crl.example.com/root.crl"};
  good.ocsp_urls = {"http://ocsp.example.com"};
  ASSERT_TRUE(x509::issue(good, p.ca_key->public_key_der(), &*p.root, *p.root_key));
}

// RFC 5480 §2.1.1: an EC subject key with explicit curve parameters (specifiedCurve) is refused,
// never carried into a certificate; the same key with its named curve is issued byte for byte.
TEST(Builder, ExplicitEcParametersAreRefused) {
  Pki p;
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(key, nullptr);
  auto spki = [&] {
    unsigned char* der = nullptr;
    int n = i2d_PUBKEY(key, &der);
    Bytes out(der, der + n);
    OPENSSL_free(der);
    return out;
  };
  Bytes named = spki();
  ASSERT_EQ(EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING, OSSL_PKEY_EC_ENCODING_EXPLICIT), 1);
  Bytes explicit_params = spki();
  EVP_PKEY_free(key);
  ASSERT_GT(explicit_params.size(), named.size() + 100);  // the curve itself, not its OID
  auto bad = x509::issue(p.idevid("urn:acme:x1:1"), explicit_params, &*p.ca, *p.ca_key);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::malformed);
  EXPECT_NE(bad.error().message.find("does not name its EC curve (explicit or implicitCA parameters)"), std::string::npos) << bad.error().message;
  auto good = x509::issue(p.idevid("urn:acme:x1:1"), named, &*p.ca, *p.ca_key);
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(good->public_key_der(), named);
}
