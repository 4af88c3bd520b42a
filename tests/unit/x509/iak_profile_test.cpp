// The IAK certificate profile (TCG "TPM 2.0 Keys for Device Identity and Attestation" v1.00 r12
// §8) and the TCG policies of an attested IDevID, pinned extension by extension.
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <filesystem>

#include "onboard/keys/keys.h"
#include "onboard/x509/x509.h"

using namespace onboard;
namespace fs = std::filesystem;

namespace {
constexpr UnixTime kNow = 1800000000;  // 2027-01-15

struct Pki {
  fs::path dir;
  keys::KeyContext keys{{}};
  std::unique_ptr<keys::Signer> ca_key, iak_key, rsa_key;
  std::optional<x509::Certificate> ca;

  Pki() {
    char tmpl[] = "/tmp/onboard-iak-XXXXXX";
    dir = ::mkdtemp(tmpl);
    ca_key = std::move(*keys.generate(*keys::parse_key_uri((dir / "ca.key").string()), keys::KeyType::p256));
    iak_key = std::move(*keys.generate(*keys::parse_key_uri((dir / "iak.key").string()), keys::KeyType::p256));
    rsa_key = std::move(*keys.generate(*keys::parse_key_uri((dir / "rsa.key").string()), keys::KeyType::rsa2048));
    x509::CertSpec r;
    r.profile = x509::Profile::root_ca;
    r.subject = "/O=Acme/CN=Device CA";
    r.not_before = kNow;
    r.not_after = x509::default_not_after(x509::Profile::root_ca, kNow);
    ca = *x509::issue(r, ca_key->public_key_der(), nullptr, *ca_key);
  }
  ~Pki() { fs::remove_all(dir); }

  x509::CertSpec spec(x509::Profile profile) const {
    x509::CertSpec s;
    s.profile = profile;
    s.manufacturer = "Acme";
    s.model = "X1";
    s.serial_number = "A1";
    s.not_before = kNow;
    s.hardware_module_name = x509::HardwareModuleName{x509::kOidTpm20HwType, Bytes{0x01, 0x02, 0x03}};
    return s;
  }
};

std::vector<std::string> oids_of(const STACK_OF(ASN1_OBJECT) * objs) {
  std::vector<std::string> out;
  for (int i = 0; i < sk_ASN1_OBJECT_num(objs); ++i) {
    char buf[80];
    OBJ_obj2txt(buf, sizeof buf, sk_ASN1_OBJECT_value(objs, i), 1);
    out.emplace_back(buf);
  }
  return out;
}

std::vector<std::string> policies_of(const x509::Certificate& c) {
  int crit = -1;
  auto* cp = static_cast<CERTIFICATEPOLICIES*>(X509_get_ext_d2i(c.raw(), NID_certificate_policies, &crit, nullptr));
  std::vector<std::string> out;
  for (int i = 0; cp && i < sk_POLICYINFO_num(cp); ++i) {
    char buf[80];
    OBJ_obj2txt(buf, sizeof buf, sk_POLICYINFO_value(cp, i)->policyid, 1);
    out.emplace_back(buf);
  }
  if (cp) EXPECT_EQ(crit, 0) << "certificatePolicies is not critical";
  CERTIFICATEPOLICIES_free(cp);
  return out;
}

// "HWTYPE" and the hwSerialNum bytes of the SAN's hardwareModuleName; the number of URIs.
struct San {
  std::string hw_type;
  Bytes hw_serial;
  int uris = 0;
};
San san_of(const x509::Certificate& c) {
  San s;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(c.raw(), NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_URI) ++s.uris;
    if (gn->type != GEN_OTHERNAME) continue;
    char buf[80];
    OBJ_obj2txt(buf, sizeof buf, gn->d.otherName->type_id, 1);
    EXPECT_STREQ(buf, "1.3.6.1.5.5.7.8.4");
    const ASN1_STRING* seq = gn->d.otherName->value->value.sequence;
    const unsigned char* p = ASN1_STRING_get0_data(seq);
    long len = 0;
    int tag = 0, cls = 0;
    ASN1_get_object(&p, &len, &tag, &cls, ASN1_STRING_length(seq));
    ASN1_OBJECT* type = d2i_ASN1_OBJECT(nullptr, &p, len);
    ASN1_OCTET_STRING* serial = d2i_ASN1_OCTET_STRING(nullptr, &p, len);
    OBJ_obj2txt(buf, sizeof buf, type, 1);
    s.hw_type = buf;
    s.hw_serial.assign(ASN1_STRING_get0_data(serial), ASN1_STRING_get0_data(serial) + ASN1_STRING_length(serial));
    ASN1_OBJECT_free(type);
    ASN1_OCTET_STRING_free(serial);
  }
  GENERAL_NAMES_free(names);
  return s;
}
}  // namespace

TEST(IakProfile, TcgExtensions) {
  Pki p;
  auto cert = x509::issue(p.spec(x509::Profile::iak), p.iak_key->public_key_der(), &*p.ca, *p.ca_key);
  ASSERT_TRUE(cert) << cert.error().message;
  EXPECT_TRUE(cert->signed_by(*p.ca));
  EXPECT_EQ(cert->subject(), "O=Acme,CN=X1,serialNumber=A1");  // the IDevID's subject
  EXPECT_EQ(cert->not_after(), kNoExpiry);
  EXPECT_FALSE(cert->is_ca());
  EXPECT_NE(X509_get_extension_flags(cert->raw()) & EXFLAG_BCONS, 0u) << "basicConstraints present";
  // keyUsage critical, digitalSignature only
  EXPECT_EQ(X509_get_key_usage(cert->raw()), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE));
  int crit = -1;
  ASN1_BIT_STRING_free(static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(cert->raw(), NID_key_usage, &crit, nullptr)));
  EXPECT_EQ(crit, 1);
  // EKU: tcg-kp-AIKCertificate alone (no serverAuth/clientAuth: an IAK is no TLS identity)
  auto* eku = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert->raw(), NID_ext_key_usage, &crit, nullptr));
  ASSERT_NE(eku, nullptr);
  EXPECT_EQ(oids_of(eku), std::vector<std::string>{"2.23.133.8.3"});
  EXTENDED_KEY_USAGE_free(eku);
  EXPECT_EQ(policies_of(*cert), (std::vector<std::string>{"2.23.133.11.1.1", "2.23.133.11.1.3"}));
  San san = san_of(*cert);
  EXPECT_EQ(san.hw_type, "2.23.133.1.2");
  EXPECT_EQ(san.hw_serial, (Bytes{0x01, 0x02, 0x03}));
  EXPECT_EQ(san.uris, 0) << "an IAK certificate names the TPM, not the ProductInstanceUri";
  EXPECT_EQ(X509_get0_subject_key_id(cert->raw()), nullptr);
  EXPECT_NE(X509_get0_authority_key_id(cert->raw()), nullptr);
}

TEST(IakProfile, RsaIakHasNoKeyEncipherment) {
  Pki p;
  auto cert = x509::issue(p.spec(x509::Profile::iak), p.rsa_key->public_key_der(), &*p.ca, *p.ca_key);
  ASSERT_TRUE(cert) << cert.error().message;
  EXPECT_EQ(X509_get_key_usage(cert->raw()), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE));
}

TEST(IakProfile, NeedsTheHardwareModuleName) {
  Pki p;
  auto spec = p.spec(x509::Profile::iak);
  spec.hardware_module_name.reset();
  auto cert = x509::issue(spec, p.iak_key->public_key_der(), &*p.ca, *p.ca_key);
  ASSERT_FALSE(cert);
  EXPECT_EQ(cert.error().code, Errc::usage);
}

TEST(IakProfile, AttestedIdevidCarriesResidencyAndFixedPolicies) {
  Pki p;
  auto spec = p.spec(x509::Profile::idevid);
  spec.san_uris = {"urn:acme.example:x1:A1"};
  spec.policy_oids = {x509::kOidVerifiedTpmResidency, x509::kOidVerifiedTpmFixed};
  auto cert = x509::issue(spec, p.iak_key->public_key_der(), &*p.ca, *p.ca_key);
  ASSERT_TRUE(cert) << cert.error().message;
  EXPECT_EQ(policies_of(*cert), (std::vector<std::string>{"2.23.133.11.1.1", "2.23.133.11.1.2"}));
  San san = san_of(*cert);
  EXPECT_EQ(san.uris, 1);
  EXPECT_EQ(san.hw_type, "2.23.133.1.2");
  // A plain IDevID has no certificatePolicies.
  spec.policy_oids.clear();
  auto plain = x509::issue(spec, p.iak_key->public_key_der(), &*p.ca, *p.ca_key);
  ASSERT_TRUE(plain);
  EXPECT_TRUE(policies_of(*plain).empty());
}

TEST(IakProfile, BadPolicyOidIsRefused) {
  Pki p;
  auto spec = p.spec(x509::Profile::idevid);
  spec.san_uris = {"urn:acme.example:x1:A1"};
  spec.policy_oids = {"not an oid"};
  auto cert = x509::issue(spec, p.iak_key->public_key_der(), &*p.ca, *p.ca_key);
  ASSERT_FALSE(cert);
  EXPECT_EQ(cert.error().code, Errc::usage);
}
