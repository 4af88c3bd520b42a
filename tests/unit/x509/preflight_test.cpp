// SPEC §13.2 preflight checks (onboard/x509/preflight.h), one test per rule. The odd
// certificates (expired, not yet valid, no keyCertSign, pathlen 0 ...) are built here with
// OpenSSL directly, so each one is exactly what its test says.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <string>
#include <utility>
#include <vector>

#include "onboard/x509/preflight.h"

using namespace onboard;

namespace {

constexpr UnixTime kNow = 1800000000;  // 2027-01-15T08:00:00Z
constexpr UnixTime kDay = 86400;

struct Key {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  Key() = default;
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() { EVP_PKEY_free(pkey); }
};

/// A certificate for `subject_key` named `cn`, signed by `issuer_key` (issuer null: self-signed),
/// valid [nb, na], with the given extensions in openssl.cnf syntax.
x509::Certificate make(const std::string& cn, const Key& subject_key, const x509::Certificate* issuer,
                       const Key& issuer_key, UnixTime nb, UnixTime na,
                       const std::vector<std::pair<int, std::string>>& exts) {
  X509* x = X509_new();
  X509_set_version(x, X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(x), static_cast<long>(std::hash<std::string>{}(cn) & 0x7fffffff));
  X509_NAME* name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Acme"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_subject_name(x, name);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->raw()) : name);
  X509_NAME_free(name);
  ASN1_TIME_set(X509_getm_notBefore(x), nb);
  ASN1_TIME_set(X509_getm_notAfter(x), na);
  X509_set_pubkey(x, subject_key.pkey);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer->raw() : x, x, nullptr, nullptr, 0);
  std::vector<std::pair<int, std::string>> all = exts;
  all.emplace_back(NID_subject_key_identifier, "hash");
  if (issuer) all.emplace_back(NID_authority_key_identifier, "keyid");
  for (const auto& [nid, value] : all) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    EXPECT_NE(ext, nullptr) << value;
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  EXPECT_GT(X509_sign(x, issuer_key.pkey, EVP_sha256()), 0);
  return x509::Certificate::adopt(x);
}

const std::vector<std::pair<int, std::string>> kCa{{NID_basic_constraints, "critical,CA:TRUE"},
                                                   {NID_key_usage, "critical,keyCertSign,cRLSign"}};
const std::vector<std::pair<int, std::string>> kCaPathlen0{{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                                           {NID_key_usage, "critical,keyCertSign,cRLSign"}};
const std::vector<std::pair<int, std::string>> kSigner{{NID_basic_constraints, "CA:FALSE"},
                                                       {NID_key_usage, "critical,digitalSignature"},
                                                       {NID_crl_distribution_points, "URI:http://crl.example.com/ca.crl"}};

/// Root → issuing CA (pathlen 0, valid 1000 days) → ticket signer.
struct Pki {
  Key root_key, ca_key, signer_key;
  x509::Certificate root = make("Root", root_key, nullptr, root_key, kNow - kDay, kNow + 9000 * kDay, kCa);
  x509::Certificate ca = make("Device CA", ca_key, &root, root_key, kNow - kDay, kNow + 1000 * kDay,
                              {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                               {NID_key_usage, "critical,keyCertSign,cRLSign"},
                               {NID_crl_distribution_points, "URI:http://crl.example.com/root.crl"}});
  x509::Certificate signer = make("Signer", signer_key, &ca, ca_key, kNow - kDay, kNow + 500 * kDay, kSigner);
};

const x509::CertSource kCaSrc{"--ca-cert", "ca.pem", "CA"};
const x509::CertSource kChainSrc{"--chain", "chain.pem", "CA"};
const x509::CertSource kCertSrc{"--cert", "signer.pem", "ticket signer certificate"};

}  // namespace

// ---- rule 1: issuer/signer valid now, else exit 11 ----

TEST(Preflight, Rule1_ExpiredIssuerIsExit11NamingFileSubjectDateAndFlag) {
  Key k;
  auto ca = make("Old CA", k, nullptr, k, kNow - 900 * kDay, kNow - 10 * kDay, kCa);
  auto ok = x509::check_valid_now(ca, kCaSrc, kNow);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::expired);
  EXPECT_EQ(ok.error().message, "--ca-cert ca.pem (O=Acme,CN=Old CA) expired on " + format_time(kNow - 10 * kDay) +
                                    ": renew the CA or use a valid --ca-cert");
}

TEST(Preflight, Rule1_NotYetValidIssuerIsExit11) {
  Key k;
  auto ca = make("Future CA", k, nullptr, k, kNow + 10 * kDay, kNow + 900 * kDay, kCa);
  auto ok = x509::check_certificate_issuer(ca, kCaSrc, {}, kChainSrc, kNow, false);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::expired);
  EXPECT_NE(ok.error().message.find("is not valid before " + format_time(kNow + 10 * kDay)), std::string::npos);
}

TEST(Preflight, Rule1_ValidIssuerPasses) {
  Pki p;
  EXPECT_TRUE(x509::check_certificate_issuer(p.ca, kCaSrc, {p.root}, kChainSrc, kNow, false));
}

TEST(Preflight, Rule1_ExpiredCertificateInIssuerChainIsExit11) {
  Key rk, ck;
  auto root = make("Old Root", rk, nullptr, rk, kNow - 900 * kDay, kNow - kDay, kCa);
  auto ca = make("CA", ck, &root, rk, kNow - 10 * kDay, kNow + 10 * kDay, kCa);
  auto ok = x509::check_certificate_issuer(ca, kCaSrc, {root}, kChainSrc, kNow, false);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::expired);
  EXPECT_NE(ok.error().message.find("--chain chain.pem (O=Acme,CN=Old Root)"), std::string::npos);
}

// ---- rule 2: issuer a CA (CA:TRUE + keyCertSign; cRLSign for CRLs), pathLenConstraint ----

TEST(Preflight, Rule2_IssuerWithoutCaTrueIsExit3) {
  Key k;
  auto ee = make("Not A CA", k, nullptr, k, kNow - kDay, kNow + kDay,
                 {{NID_basic_constraints, "CA:FALSE"}, {NID_key_usage, "critical,digitalSignature,keyCertSign"}});
  auto ok = x509::check_certificate_issuer(ee, kCaSrc, {}, kChainSrc, kNow, false);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::malformed);
  EXPECT_NE(ok.error().message.find("is not a CA (no basicConstraints CA:TRUE)"), std::string::npos);
}

TEST(Preflight, Rule2_IssuerWithoutKeyCertSignIsExit3) {
  Key k;
  auto ca = make("CRL Only CA", k, nullptr, k, kNow - kDay, kNow + kDay,
                 {{NID_basic_constraints, "critical,CA:TRUE"}, {NID_key_usage, "critical,cRLSign"}});
  auto ok = x509::check_can_issue_certificates(ca, kCaSrc);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::malformed);
  EXPECT_NE(ok.error().message.find("lacks keyUsage keyCertSign"), std::string::npos);
  EXPECT_TRUE(x509::check_can_issue_crls(ca, kCaSrc));
}

TEST(Preflight, Rule2_CrlIssuerWithoutCrlSignIsExit3) {
  Key k;
  auto ca = make("Cert Only CA", k, nullptr, k, kNow - kDay, kNow + kDay,
                 {{NID_basic_constraints, "critical,CA:TRUE"}, {NID_key_usage, "critical,keyCertSign"}});
  auto ok = x509::check_crl_issuer(ca, kCaSrc, kNow);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::malformed);
  EXPECT_NE(ok.error().message.find("lacks keyUsage cRLSign"), std::string::npos);
  EXPECT_TRUE(x509::check_can_issue_certificates(ca, kCaSrc));
}

TEST(Preflight, Rule2_CrlIssuerExpiredIsExit11) {
  Key k;
  auto ca = make("Old CA", k, nullptr, k, kNow - 90 * kDay, kNow - kDay, kCa);
  auto ok = x509::check_crl_issuer(ca, kCaSrc, kNow);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::expired);
}

TEST(Preflight, Rule2_NewCaUnderPathlen0IsExit3) {
  Pki p;
  EXPECT_EQ(x509::path_length_constraint(p.ca), 0);
  auto ok = x509::check_certificate_issuer(p.ca, kCaSrc, {}, kChainSrc, kNow, /*new_is_ca=*/true);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::malformed);
  EXPECT_NE(ok.error().message.find("pathLenConstraint 0"), std::string::npos);
  // an end entity below it is what pathlen 0 is for
  EXPECT_TRUE(x509::check_certificate_issuer(p.ca, kCaSrc, {}, kChainSrc, kNow, false));
}

TEST(Preflight, Rule2_PathlenCountsTheChainAsGiven) {
  Key rk, ik;
  auto root = make("Root", rk, nullptr, rk, kNow - kDay, kNow + 900 * kDay, kCaPathlen0);  // no CA below the root
  auto inter = make("Intermediate", ik, &root, rk, kNow - kDay, kNow + 900 * kDay, kCa);
  // without the chain only the issuer's own constraint (none) is known
  EXPECT_TRUE(x509::check_certificate_issuer(inter, kCaSrc, {}, kChainSrc, kNow, false));
  auto ok = x509::check_certificate_issuer(inter, kCaSrc, {root}, kChainSrc, kNow, false);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::malformed);
  EXPECT_NE(ok.error().message.find("--chain chain.pem (O=Acme,CN=Root) has pathLenConstraint 0"), std::string::npos);
}

TEST(Preflight, Rule2_RootWithoutPathlenAllowsANewCa) {
  Pki p;
  EXPECT_FALSE(x509::path_length_constraint(p.root));
  EXPECT_TRUE(x509::check_certificate_issuer(p.root, kCaSrc, {}, kChainSrc, kNow, true));
}

// ---- rule 3: notAfter within the issuer's ----

TEST(Preflight, Rule3_RequestedNotAfterBeyondIssuerIsExit3) {
  Pki p;
  auto fit = x509::fit_not_after(p.ca, kCaSrc, x509::Profile::ticket_signer, p.ca.not_after() + 1, "--not-after");
  ASSERT_FALSE(fit);
  EXPECT_EQ(fit.error().code, Errc::malformed);
  EXPECT_NE(fit.error().message.find("--not-after asks for notAfter " + format_time(p.ca.not_after() + 1)),
            std::string::npos);
  EXPECT_NE(fit.error().message.find("expires on " + format_time(p.ca.not_after())), std::string::npos);
}

TEST(Preflight, Rule3_RequestedNotAfterWithinIssuerIsKept) {
  Pki p;
  auto fit = x509::fit_not_after(p.ca, kCaSrc, x509::Profile::ticket_signer, p.ca.not_after(), "--days");
  ASSERT_TRUE(fit);
  EXPECT_EQ(fit->value, p.ca.not_after());
  EXPECT_TRUE(fit->warning.empty());
}

TEST(Preflight, Rule3_DefaultBeyondIssuerIsClampedWithWarning) {
  Pki p;
  UnixTime dflt = x509::default_not_after(x509::Profile::ticket_signer, kNow);
  ASSERT_GT(dflt, p.ca.not_after());
  auto fit = x509::fit_not_after(p.ca, kCaSrc, x509::Profile::ticket_signer, dflt, "");
  ASSERT_TRUE(fit);
  EXPECT_EQ(fit->value, p.ca.not_after());
  EXPECT_NE(fit->warning.find("clamped"), std::string::npos);
}

TEST(Preflight, Rule3_DevIdWithNoExpiryIsExempt) {
  Pki p;
  for (auto profile : {x509::Profile::idevid, x509::Profile::ldevid}) {
    auto fit = x509::fit_not_after(p.ca, kCaSrc, profile, kNoExpiry, "--not-after");
    ASSERT_TRUE(fit);
    EXPECT_EQ(fit->value, kNoExpiry);
    EXPECT_TRUE(fit->warning.empty());
  }
  // any other explicit date beyond the CA is refused, also for a DevID
  EXPECT_FALSE(x509::fit_not_after(p.ca, kCaSrc, x509::Profile::idevid, p.ca.not_after() + kDay, "--not-after"));
}

// ---- rule 4: ticket signer: end entity, digitalSignature, x5c up to the root ----

TEST(Preflight, Rule4_FullChainToRootPasses) {
  Pki p;
  EXPECT_TRUE(x509::check_ticket_signer(p.signer, kCertSrc, {p.ca, p.root}, kChainSrc, kNow, 8));
}

TEST(Preflight, Rule4_SignerWithoutDigitalSignatureIsExit3) {
  Pki p;
  Key k;
  auto s = make("No DS", k, &p.ca, p.ca_key, kNow - kDay, kNow + kDay,
                {{NID_basic_constraints, "CA:FALSE"}, {NID_key_usage, "critical,keyEncipherment"}});
  auto ok = x509::check_ticket_signer(s, kCertSrc, {p.ca, p.root}, kChainSrc, kNow, 8);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::malformed);
  EXPECT_NE(ok.error().message.find("--cert signer.pem (O=Acme,CN=No DS) lacks keyUsage digitalSignature"),
            std::string::npos);
}

TEST(Preflight, Rule4_CaAsSignerIsExit3) {
  Pki p;
  auto ok = x509::check_ticket_signer(p.ca, kCertSrc, {p.root}, kChainSrc, kNow, 8);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::malformed);
  EXPECT_NE(ok.error().message.find("is a CA certificate"), std::string::npos);
}

TEST(Preflight, Rule4_MissingChainIsExit3) {
  Pki p;
  auto ok = x509::check_ticket_signer(p.signer, kCertSrc, {}, {"--chain", "", "CA"}, kNow, 8);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::malformed);
  EXPECT_NE(ok.error().message.find("give --chain with every issuer up to the root"), std::string::npos);
}

TEST(Preflight, Rule4_ChainShortOfRootIsExit3) {
  Pki p;
  auto ok = x509::check_ticket_signer(p.signer, kCertSrc, {p.ca}, kChainSrc, kNow, 8);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::malformed);
  EXPECT_NE(ok.error().message.find("not a self-signed root"), std::string::npos);
  EXPECT_NE(ok.error().message.find("give --chain with every issuer up to the root"), std::string::npos);
}

TEST(Preflight, Rule4_ChainThatDoesNotLinkIsExit3) {
  Pki p, other;
  auto ok = x509::check_ticket_signer(p.signer, kCertSrc, {other.ca, other.root}, kChainSrc, kNow, 8);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::malformed);
  EXPECT_NE(ok.error().message.find("did not issue"), std::string::npos);
  EXPECT_NE(ok.error().message.find("give --chain with every issuer up to the root"), std::string::npos);
  // nearest first: the root before the CA does not link either
  EXPECT_FALSE(x509::check_ticket_signer(p.signer, kCertSrc, {p.root, p.ca}, kChainSrc, kNow, 8));
}

TEST(Preflight, Rule4_SignerIssuedByRootNeedsOnlyTheRoot) {
  Pki p;
  Key k;
  auto s = make("Root Signer", k, &p.root, p.root_key, kNow - kDay, kNow + kDay, kSigner);
  EXPECT_TRUE(x509::check_ticket_signer(s, kCertSrc, {p.root}, kChainSrc, kNow, 8));
  EXPECT_FALSE(x509::check_ticket_signer(s, kCertSrc, {}, kChainSrc, kNow, 8));
}

TEST(Preflight, Rule4_SelfSignedSignerNeedsNoChain) {
  Key k;
  auto s = make("Self", k, nullptr, k, kNow - kDay, kNow + kDay,
                {{NID_basic_constraints, "CA:FALSE"}, {NID_key_usage, "critical,digitalSignature"}});
  EXPECT_TRUE(x509::check_ticket_signer(s, kCertSrc, {}, kChainSrc, kNow, 8));
}

TEST(Preflight, Rule4_ExpiredSignerIsExit11) {
  Pki p;
  Key k;
  auto s = make("Old Signer", k, &p.ca, p.ca_key, kNow - 90 * kDay, kNow - kDay, kSigner);
  auto ok = x509::check_ticket_signer(s, kCertSrc, {p.ca, p.root}, kChainSrc, kNow, 8);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::expired);
  EXPECT_EQ(ok.error().message, "--cert signer.pem (O=Acme,CN=Old Signer) expired on " + format_time(kNow - kDay) +
                                    ": renew the ticket signer certificate or use a valid --cert");
}

TEST(Preflight, Rule4_ChainLongerThanX5cLimitIsExit3) {
  Pki p;
  auto ok = x509::check_ticket_signer(p.signer, kCertSrc, {p.ca, p.root}, kChainSrc, kNow, 2);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::malformed);
}

// ---- rule 6: revocation info on the non-root certificates of the signer's chain ----

TEST(Preflight, Rule6_WarnsForNonRootWithoutCrlDpOrAia) {
  Pki p;
  EXPECT_TRUE(x509::revocation_info_warnings(p.signer, {p.ca, p.root}).empty());  // the root needs none
  Key k;
  auto bare = make("Bare Signer", k, &p.ca, p.ca_key, kNow - kDay, kNow + kDay,
                   {{NID_basic_constraints, "CA:FALSE"}, {NID_key_usage, "critical,digitalSignature"}});
  auto w = x509::revocation_info_warnings(bare, {p.ca, p.root});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("O=Acme,CN=Bare Signer"), std::string::npos);
}

// ---- rule 7: a second signature by the same certificate ----

TEST(Preflight, Rule7_SameCertificateAlreadySignedIsExit3) {
  Pki p;
  auto ok = x509::check_not_already_signed(p.signer, kCertSrc, {p.root, p.signer}, "t.json");
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::malformed);
  EXPECT_NE(ok.error().message.find("t.json: signature #1 is already by --cert signer.pem"), std::string::npos);
}

TEST(Preflight, Rule7_NewerCertificateOfTheSameSubjectIsFine) {
  Pki p;
  auto renewed = make("Signer", p.signer_key, &p.ca, p.ca_key, kNow, kNow + 600 * kDay, kSigner);
  ASSERT_EQ(renewed.subject(), p.signer.subject());
  EXPECT_TRUE(x509::check_not_already_signed(renewed, kCertSrc, {p.signer}, "t.json"));
}
