// The TCG EK certificate allowance of verify_ek_chain: an EK certificate with an empty subject,
// a critical SAN directoryName of TPM attributes and a critical subjectDirectoryAttributes
// chains; any other unknown critical extension does not. Certificates made here with OpenSSL
// (swtpm's local CA marks subjectDirectoryAttributes non-critical, real TPM vendors do not all).
#include <gtest/gtest.h>

#include <openssl/x509v3.h>

#include "ossl.h"
#include "vectors.h"

namespace onboard::attest {
namespace {

ossl::Ptr<EVP_PKEY> ec_key() { return ossl::Ptr<EVP_PKEY>(EVP_EC_gen("P-256")); }

void add_ext(X509* x, X509* issuer, const char* name, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
  ossl::Ptr<X509_EXTENSION> e(X509V3_EXT_nconf(nullptr, &ctx, name, value));
  ASSERT_TRUE(e) << name;
  X509_add_ext(x, e.get(), -1);
}

struct EkQuirks : ::testing::Test {
  ossl::Ptr<EVP_PKEY> ca_key = ec_key(), ek_key = ec_key();
  ossl::Ptr<X509> ca = make_ca();

  ossl::Ptr<X509> make_ca(X509* parent = nullptr, EVP_PKEY* parent_key = nullptr, EVP_PKEY* key = nullptr,
                          const char* extra = nullptr) {
    ossl::Ptr<X509> x(X509_new());
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x.get()), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("Test EK CA"), -1, -1, 0);
    X509* issuer = parent ? parent : x.get();
    X509_set_issuer_name(x.get(), X509_get_subject_name(issuer));
    X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
    X509_set_pubkey(x.get(), key ? key : ca_key.get());
    add_ext(x.get(), issuer, "basicConstraints", "critical,CA:TRUE");
    add_ext(x.get(), issuer, "keyUsage", "critical,keyCertSign");
    add_ext(x.get(), issuer, "subjectKeyIdentifier", "hash");
    if (parent) add_ext(x.get(), issuer, "authorityKeyIdentifier", "keyid");
    if (extra) add_ext(x.get(), issuer, "2.5.29.9", extra);
    X509_sign(x.get(), parent_key ? parent_key : ca_key.get(), EVP_sha256());
    return x;
  }

  // An EK certificate after the TCG EK Credential Profile, with `extra` extensions.
  Bytes make_ek(const std::vector<std::pair<const char*, const char*>>& extra, X509* issuer = nullptr,
                EVP_PKEY* issuer_key = nullptr) {
    X509* by = issuer ? issuer : ca.get();
    ossl::Ptr<X509> x(X509_new());
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 0x1234);
    X509_set_issuer_name(x.get(), X509_get_subject_name(by));  // empty subject
    X509_gmtime_adj(X509_getm_notBefore(x.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 3000);
    X509_set_pubkey(x.get(), ek_key.get());
    // SAN directoryName of TPM manufacturer, model, version (2.23.133.2.1/2/3), critical.
    ossl::Ptr<X509_NAME> dn(X509_NAME_new());
    for (auto [oid, v] : {std::pair{"2.23.133.2.1", "id:00001014"}, {"2.23.133.2.2", "swtpm"}, {"2.23.133.2.3", "id:20191023"}}) {
      ossl::Ptr<ASN1_OBJECT> o(OBJ_txt2obj(oid, 1));
      X509_NAME_add_entry_by_OBJ(dn.get(), o.get(), MBSTRING_ASC, reinterpret_cast<const unsigned char*>(v), -1, -1, 0);
    }
    GENERAL_NAMES* gens = sk_GENERAL_NAME_new_null();
    GENERAL_NAME* gn = GENERAL_NAME_new();
    GENERAL_NAME_set0_value(gn, GEN_DIRNAME, dn.release());
    sk_GENERAL_NAME_push(gens, gn);
    X509_add1_ext_i2d(x.get(), NID_subject_alt_name, gens, 1, 0);
    GENERAL_NAMES_free(gens);
    add_ext(x.get(), by, "authorityKeyIdentifier", "keyid");
    add_ext(x.get(), by, "keyUsage", "critical,keyAgreement");
    add_ext(x.get(), by, "extendedKeyUsage", "2.23.133.8.1");
    for (auto [name, value] : extra) add_ext(x.get(), by, name, value);
    X509_sign(x.get(), issuer_key ? issuer_key : ca_key.get(), EVP_sha256());
    return ossl::cert_to_der(x.get());
  }
  std::vector<x509::Certificate> anchor() { return {x509::Certificate::adopt(ossl::up_ref(ca.get()).release())}; }
};

// subjectDirectoryAttributes with tpmSpecification (2.23.133.2.16) "2.0", level 0, revision 164.
constexpr const char* kSda = "DER:3019301706056781050210310e300c0c03322e30020100020200a4";

TEST_F(EkQuirks, TcgEkCertificateChains) {
  auto ek = verify_ek_chain(make_ek({{"2.5.29.9", kSda}}), anchor(), std::time(nullptr));
  EXPECT_TRUE(ek) << ek.error().message;
  EXPECT_EQ(hex_encode(ek_hw_serial(*ek)), "1234");
}

TEST_F(EkQuirks, CriticalSubjectDirectoryAttributesIsAccepted) {
  auto ek = verify_ek_chain(make_ek({{"2.5.29.9", (std::string("critical,") + kSda).c_str()}}), anchor(), std::time(nullptr));
  EXPECT_TRUE(ek) << ek.error().message;
}

TEST_F(EkQuirks, OtherUnknownCriticalExtensionIsRefused) {
  auto ek = verify_ek_chain(make_ek({{"1.3.6.1.4.1.99999.1", "critical,DER:0500"}}), anchor(), std::time(nullptr));
  ASSERT_FALSE(ek);
  EXPECT_EQ(ek.error().code, Errc::untrusted);
  EXPECT_NE(ek.error().message.find("unhandled critical extension"), std::string::npos) << ek.error().message;
}

TEST_F(EkQuirks, AllowanceIsForTheEkOnlyNotItsIssuers) {
  // An intermediate CA with a critical subjectDirectoryAttributes is not an EK: refused.
  auto inter_key = ec_key();
  std::string critical_sda = std::string("critical,") + kSda;
  auto inter = make_ca(ca.get(), ca_key.get(), inter_key.get(), critical_sda.c_str());
  X509_NAME_add_entry_by_txt(X509_get_subject_name(inter.get()), "OU", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Intermediate"), -1, -1, 0);
  X509_sign(inter.get(), ca_key.get(), EVP_sha256());
  auto ek = verify_ek_chain(make_ek({}, inter.get(), inter_key.get()),
                           {anchor()[0], x509::Certificate::adopt(ossl::up_ref(inter.get()).release())}, std::time(nullptr));
  ASSERT_FALSE(ek);
  EXPECT_EQ(ek.error().code, Errc::untrusted);
}

}  // namespace
}  // namespace onboard::attest
