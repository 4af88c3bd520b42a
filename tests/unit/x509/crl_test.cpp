// onboard::x509 revocation: CRL signature by the issuer, currency at a time, revoked entries,
// unknown (CRL DP, no CRL) and not applicable (SPEC §8).
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <map>

#include "ossl.h"
#include "temp_dir.h"
#include "pki.h"
#include "onboard/x509/preflight.h"

using namespace onboard;
using namespace onboard::testing;
using x509::Profile;
using x509::Revocation;

namespace {

/// A CRL by `issuer` (signed with its key through x509::make_crl), valid [this_update,
/// next_update], listing `revoked`.
x509::Crl make_crl(const Party& issuer, UnixTime this_update, UnixTime next_update,
                   const std::vector<const Party*>& revoked) {
  x509::CrlSpec spec;
  spec.this_update = this_update;
  spec.next_update = next_update;
  for (const Party* p : revoked) spec.revoked.emplace_back(p->cert, this_update);
  auto crl = x509::make_crl(spec, issuer.cert, *issuer.key);
  EXPECT_TRUE(crl) << crl.error().message;
  return *crl;
}

Bytes der_of(const x509::Crl& crl) { return ossl::to_der(i2d_X509_CRL, crl.raw()); }

struct World {
  TestPki f;
  Party root = f.make(Profile::root_ca, "/O=T/CN=Root", nullptr);
  Party ca = f.make(Profile::issuing_ca, "/O=T/CN=CA", &root);
  Party good = f.make(Profile::ticket_signer, "/O=T/CN=Good", &ca);
  Party bad = f.make(Profile::ticket_signer, "/O=T/CN=Revoked", &ca);
  Party impostor = f.make(Profile::issuing_ca, "/O=T/CN=CA", &root);  // the CA's name, another key
  std::vector<x509::Certificate> chain(const Party& p) { return {p.cert, ca.cert, root.cert}; }
};

World& world() {
  static World w;
  return w;
}

}  // namespace

TEST(Crl, GoodRevokedAndNotApplicable) {
  auto& w = world();
  auto crl = make_crl(w.ca, kT0, kT0 + kYear, {&w.bad});
  auto r = x509::check_revocation(w.chain(w.good), {crl}, {}, kT0 + 100);
  EXPECT_EQ(r.code, Errc::ok);
  EXPECT_EQ(r.certs[0].status, Revocation::good);
  EXPECT_EQ(r.certs[1].status, Revocation::not_applicable);  // no CRL of the root given, no CRL DP
  EXPECT_EQ(r.certs[2].status, Revocation::not_applicable);  // self-signed anchor
  EXPECT_EQ(r.overall(), Revocation::good);
  r = x509::check_revocation(w.chain(w.bad), {crl}, {}, kT0 + 100);
  EXPECT_EQ(r.code, Errc::revoked);
  EXPECT_EQ(r.overall(), Revocation::revoked);
  EXPECT_NE(r.reason.find("Revoked: revoked on"), std::string::npos) << r.reason;
}

TEST(Crl, BadSignatureAndCurrency) {
  auto& w = world();
  auto forged = make_crl(w.impostor, kT0, kT0 + kYear, {});  // right name, wrong key
  auto r = x509::check_revocation(w.chain(w.good), {forged}, {}, kT0 + 100);
  EXPECT_EQ(r.code, Errc::verify_failed);
  EXPECT_NE(r.reason.find("bad signature"), std::string::npos);
  auto crl = make_crl(w.ca, kT0 + 1000, kT0 + 2000, {});
  EXPECT_EQ(x509::check_revocation(w.chain(w.good), {crl}, {}, kT0 + 3000).code, Errc::expired);
  EXPECT_EQ(x509::check_revocation(w.chain(w.good), {crl}, {}, kT0 + 10).code, Errc::expired);
  EXPECT_EQ(x509::check_revocation(w.chain(w.good), {crl}, {}, kT0 + 1500).code, Errc::ok);
}

TEST(Crl, UnknownWhenTheCertificateNamesACrlDp) {
  auto& w = world();
  auto key = w.f.new_key();
  x509::CertSpec spec;
  spec.profile = Profile::issuing_ca;
  spec.subject = "/O=T/CN=CA with DP";
  spec.not_before = kT0;
  spec.not_after = kT0 + 5 * kYear;
  spec.crl_urls = {"http://crl.example/root.crl"};
  auto ca = x509::issue(spec, key->public_key_der(), &w.root.cert, *w.root.key);
  ASSERT_TRUE(ca) << ca.error().message;
  auto r = x509::check_revocation({*ca, w.root.cert}, {}, {}, kT0 + 100);
  EXPECT_EQ(r.code, Errc::ok);
  EXPECT_EQ(r.certs[0].status, Revocation::unknown);
  EXPECT_NE(r.certs[0].detail.find("CRL DP/AIA"), std::string::npos);
}

TEST(Crl, ParseRejectsJunk) {
  auto c = x509::Crl::parse("not a crl", "junk.crl");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::malformed);
}

// Signing CRLs (x509::make_crl): keys' algorithm, a wrong key refused, tampering detected.
TEST(CrlSigning, SignedWithTheIssuersKeyAndAlgorithm) {
  auto& w = world();
  auto crl = make_crl(w.ca, kT0, kT0 + kYear, {&w.bad});
  EXPECT_TRUE(crl.signed_by(w.ca.cert));
  EXPECT_FALSE(crl.signed_by(w.root.cert));
  EXPECT_EQ(crl.issuer(), w.ca.cert.subject());
  EXPECT_EQ(crl.this_update(), kT0);
  EXPECT_EQ(crl.next_update(), kT0 + kYear);
  EXPECT_TRUE(crl.revoked(w.bad.cert));
  EXPECT_FALSE(crl.revoked(w.good.cert));
  // Both AlgorithmIdentifiers (TBSCertList.signature, CertificateList.signatureAlgorithm) are keys'.
  auto want = keys::signature_algorithm_der(w.ca.key->key_type(), keys::default_params(w.ca.key->key_type()));
  ASSERT_TRUE(want);
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* outer = nullptr;
  X509_CRL_get0_signature(crl.raw(), &sig, &outer);
  EXPECT_EQ(ossl::to_der(i2d_X509_ALGOR, outer), *want);
  Bytes der = der_of(crl);
  // CertificateList ::= SEQUENCE { SEQUENCE { INTEGER 1, AlgorithmIdentifier, ... }: within 40 bytes.
  EXPECT_NE(std::search(der.begin(), der.begin() + 40, want->begin(), want->end()), der.begin() + 40)
      << "TBSCertList.signature is not keys' AlgorithmIdentifier";
  // RFC 5280 §5.2: authorityKeyIdentifier and cRLNumber.
  EXPECT_GE(X509_CRL_get_ext_by_NID(crl.raw(), NID_authority_key_identifier, -1), 0);
  EXPECT_GE(X509_CRL_get_ext_by_NID(crl.raw(), NID_crl_number, -1), 0);
}

TEST(CrlSigning, WrongKeyIsRefused) {
  auto& w = world();
  x509::CrlSpec spec;
  spec.this_update = kT0;
  auto crl = x509::make_crl(spec, w.ca.cert, *w.good.key);
  ASSERT_FALSE(crl);
  EXPECT_EQ(crl.error().code, Errc::key);
  EXPECT_NE(crl.error().message.find("does not match"), std::string::npos) << crl.error().message;
}

TEST(CrlSigning, TamperedCrlDoesNotVerify) {
  auto& w = world();
  Bytes der = der_of(make_crl(w.ca, kT0, kT0 + kYear, {&w.bad}));
  // Flip a bit in the last byte of the revoked serial number inside the TBS.
  Bytes serial = ossl::to_der(i2d_ASN1_INTEGER, X509_get0_serialNumber(w.bad.cert.raw()));
  auto at = std::search(der.begin(), der.end(), serial.begin(), serial.end());
  ASSERT_NE(at, der.end());
  at[static_cast<std::ptrdiff_t>(serial.size()) - 1] ^= 0x01;
  auto tampered = x509::Crl::parse(std::string(der.begin(), der.end()), "tampered.crl");
  ASSERT_TRUE(tampered) << tampered.error().message;
  EXPECT_FALSE(tampered->signed_by(w.ca.cert));
  auto r = x509::check_revocation(w.chain(w.good), {*tampered}, {}, kT0 + 100);
  EXPECT_EQ(r.code, Errc::verify_failed);
}

TEST(CrlSigning, BadRequestsAreRefused) {
  auto& w = world();
  x509::CrlSpec spec;
  spec.this_update = kT0;
  spec.next_update = kT0;
  auto same = x509::make_crl(spec, w.ca.cert, *w.ca.key);
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().code, Errc::usage);
  spec.next_update.reset();
  auto not_ca = x509::make_crl(spec, w.good.cert, *w.good.key);
  ASSERT_FALSE(not_ca);
  EXPECT_EQ(not_ca.error().code, Errc::usage);
}

TEST(CrlSigning, EveryKeyType) {
  auto& w = world();
  TempDir d;
  keys::KeyContext kc({});
  for (keys::KeyType t : {keys::KeyType::p256, keys::KeyType::p384, keys::KeyType::rsa2048, keys::KeyType::ed25519}) {
    auto made = kc.generate(*keys::parse_key_uri(d.file(keys::key_type_name(t) + ".pem")), t);
    ASSERT_TRUE(made) << made.error().message;
    const auto& key = *made;
    x509::CertSpec spec;
    spec.profile = Profile::issuing_ca;
    spec.subject = "/O=T/CN=CA " + keys::key_type_name(t);
    spec.not_before = kT0;
    spec.not_after = kT0 + 5 * kYear;
    auto ca = x509::issue(spec, key->public_key_der(), &w.root.cert, *w.root.key);
    ASSERT_TRUE(ca) << ca.error().message;
    x509::CrlSpec c;
    c.this_update = kT0;
    auto crl = x509::make_crl(c, *ca, *key);
    ASSERT_TRUE(crl) << keys::key_type_name(t) << ": " << crl.error().message;
    EXPECT_TRUE(crl->signed_by(*ca)) << keys::key_type_name(t);
  }
}

// publish-crl's building blocks (SPEC §13.6): reasons, serials, entries kept with dates and reasons,
// cRLNumber, the revocation check reporting the reason, the preflight of the inputs.
TEST(CrlReasons, NamesAndTheOfferedSet) {
  EXPECT_EQ(x509::crl_reason_name(x509::CrlReason::key_compromise), "keyCompromise");
  EXPECT_EQ(x509::crl_reason_name(x509::CrlReason::ca_compromise), "cACompromise");
  for (const char* n : {"keyCompromise", "cACompromise", "superseded", "cessationOfOperation", "affiliationChanged",
                        "unspecified"}) {
    auto r = x509::parse_crl_reason(n);
    ASSERT_TRUE(r) << n;
    EXPECT_EQ(x509::crl_reason_name(*r), n);
  }
  for (const char* n : {"certificateHold", "removeFromCRL", "keycompromise", "", "1"}) {
    auto r = x509::parse_crl_reason(n);
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code, Errc::usage);
  }
}

TEST(CrlSerials, HexIsNormalisedAndBoundsAreChecked) {
  EXPECT_EQ(*x509::parse_serial_hex("7211e0ed"), "7211E0ED");
  EXPECT_EQ(*x509::parse_serial_hex("0x00ff"), "FF");
  EXPECT_EQ(*x509::parse_serial_hex("a1b2c"), "0A1B2C");
  EXPECT_EQ(*x509::parse_serial_hex(std::string(39, '7')), "0" + std::string(39, '7'));
  EXPECT_EQ(*x509::parse_serial_hex("72:11:E0:ED"), "7211E0ED");
  EXPECT_EQ(*x509::parse_serial_hex(std::string(40, '7')), std::string(40, '7'));  // 20 octets
  for (const std::string& bad : std::vector<std::string>{"", "0", "00", "0x", "g1", "12:", ":12", "1::2", "-1", "1 2", std::string(41, '1'),
                          "8" + std::string(39, '0')}) {
    auto s = x509::parse_serial_hex(bad);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().code, Errc::malformed) << bad;
  }
}

TEST(CrlSigning, EntriesKeepDatesReasonsAndInvalidityDates) {
  auto& w = world();
  x509::CrlSpec spec;
  spec.this_update = kT0 + 500;
  spec.next_update = kT0 + 1000;
  spec.number = 41;
  spec.entries = {{w.bad.cert.serial_hex(), kT0 + 100, x509::CrlReason::key_compromise, kT0 + 50},
                  {"0A1B", kT0 + 200, x509::CrlReason::unspecified, std::nullopt},
                  {"C3", kT0 + 300, std::nullopt, std::nullopt}};
  auto crl = x509::make_crl(spec, w.ca.cert, *w.ca.key);
  ASSERT_TRUE(crl) << crl.error().message;
  auto number = crl->number();
  ASSERT_TRUE(number && *number);
  EXPECT_EQ(**number, 41u);
  auto entries = crl->entries();
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 3u);
  std::map<std::string, x509::CrlEntry> by;
  for (const auto& e : *entries) by[e.serial] = e;
  const auto& bad = by.at(w.bad.cert.serial_hex());
  EXPECT_EQ(bad.revoked_at, kT0 + 100);
  EXPECT_EQ(bad.reason, x509::CrlReason::key_compromise);
  EXPECT_EQ(bad.invalidity_date, kT0 + 50);
  // RFC 5280 §5.3.1: unspecified is written as no reasonCode at all.
  EXPECT_EQ(by.at("0A1B").reason, std::nullopt);
  EXPECT_EQ(by.at("C3").revoked_at, kT0 + 300);
  EXPECT_TRUE(crl->unsupported_extensions().empty());
  // The check reports date and reason, in the structure and in the words.
  auto r = x509::check_revocation(w.chain(w.bad), {*crl}, {}, kT0 + 600);
  EXPECT_EQ(r.code, Errc::revoked);
  EXPECT_EQ(r.certs[0].revoked_at, kT0 + 100);
  EXPECT_EQ(r.certs[0].reason, x509::CrlReason::key_compromise);
  EXPECT_NE(r.reason.find("reason keyCompromise"), std::string::npos) << r.reason;
  auto good = x509::check_revocation(w.chain(w.good), {*crl}, {}, kT0 + 600);
  EXPECT_EQ(good.certs[0].reason, std::nullopt);
  // A round trip through DER and PEM keeps everything.
  auto again = x509::Crl::parse(crl->pem(), "pem");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->der(), crl->der());
}

TEST(CrlSigning, BadEntrySerialIsRefused) {
  auto& w = world();
  x509::CrlSpec spec;
  spec.this_update = kT0;
  spec.entries = {{"A1B", kT0, std::nullopt, std::nullopt}};  // not whole octets
  auto crl = x509::make_crl(spec, w.ca.cert, *w.ca.key);
  ASSERT_FALSE(crl);
  EXPECT_EQ(crl.error().code, Errc::malformed);
}

TEST(CrlPreflight, CertificatesToRevokeMustBeThisCasOwn) {
  auto& w = world();
  const x509::CertSource ca_src{"--ca-cert", "ca.pem", "CA"};
  const x509::CertSource src{"--revoke", "x.pem", "certificate"};
  EXPECT_TRUE(x509::check_issued_by(w.bad.cert, src, w.ca.cert, ca_src));
  auto other = x509::check_issued_by(w.ca.cert, src, w.ca.cert, ca_src);  // the CA itself
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, Errc::malformed);
  auto root_issued = x509::check_issued_by(w.ca.cert, src, w.good.cert, ca_src);  // issued by the root
  ASSERT_FALSE(root_issued);
  EXPECT_NE(root_issued.error().message.find("was issued by O=T,CN=Root"), std::string::npos) << root_issued.error().message;
  // Same issuer name, another key: the AKI says so.
  auto by_impostor = w.f.make(Profile::ticket_signer, "/O=T/CN=By Impostor", &w.impostor);
  auto aki = x509::check_issued_by(by_impostor.cert, src, w.ca.cert, ca_src);
  ASSERT_FALSE(aki);
  EXPECT_EQ(aki.error().code, Errc::malformed);
  EXPECT_NE(aki.error().message.find("authorityKeyIdentifier"), std::string::npos) << aki.error().message;
}

TEST(CrlPreflight, PreviousCrlMustBeThisCasOwn) {
  auto& w = world();
  const x509::CertSource ca_src{"--ca-cert", "ca.pem", "CA"};
  const x509::CertSource crl_src{"--crl", "prev.crl", "CRL"};
  EXPECT_TRUE(x509::check_previous_crl(make_crl(w.ca, kT0, kT0 + kYear, {&w.bad}), crl_src, w.ca.cert, ca_src));
  auto root_crl = x509::check_previous_crl(make_crl(w.root, kT0, kT0 + kYear, {}), crl_src, w.ca.cert, ca_src);
  ASSERT_FALSE(root_crl);
  EXPECT_EQ(root_crl.error().code, Errc::malformed);
  EXPECT_NE(root_crl.error().message.find("is a CRL of O=T,CN=Root"), std::string::npos);
  auto forged = x509::check_previous_crl(make_crl(w.impostor, kT0, kT0 + kYear, {}), crl_src, w.ca.cert, ca_src);
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().code, Errc::malformed);
  EXPECT_NE(forged.error().message.find("does not verify"), std::string::npos);
}

TEST(CrlPreflight, NextUpdateWithinTheCa) {
  auto& w = world();
  const x509::CertSource ca_src{"--ca-cert", "ca.pem", "CA"};
  const UnixTime end = w.ca.cert.not_after();
  auto inside = x509::fit_next_update(w.ca.cert, ca_src, end - 10, "--days");
  ASSERT_TRUE(inside);
  EXPECT_EQ(inside->value, end - 10);
  EXPECT_TRUE(inside->warning.empty());
  auto asked = x509::fit_next_update(w.ca.cert, ca_src, end + 10, "--next-update");
  ASSERT_FALSE(asked);
  EXPECT_EQ(asked.error().code, Errc::malformed);
  auto clamped = x509::fit_next_update(w.ca.cert, ca_src, end + 10, "");
  ASSERT_TRUE(clamped);
  EXPECT_EQ(clamped->value, end);
  EXPECT_FALSE(clamped->warning.empty());
}

// The reason names the first certificate of the chain that failed (the leaf first); a chain
// that passes has no reason at all.
TEST(Crl, ReasonNamesTheFirstFailureOnly) {
  auto& w = world();
  auto ca_crl = make_crl(w.ca, kT0, kT0 + kYear, {&w.bad});
  auto good = x509::check_revocation(w.chain(w.good), {ca_crl}, {}, kT0 + 100);
  EXPECT_EQ(good.code, Errc::ok);
  EXPECT_EQ(good.reason, "");
  auto root_crl = make_crl(w.root, kT0, kT0 + kYear, {&w.ca});
  auto both = x509::check_revocation(w.chain(w.bad), {ca_crl, root_crl}, {}, kT0 + 100);
  EXPECT_EQ(both.code, Errc::revoked);
  EXPECT_EQ(both.certs[0].status, Revocation::revoked);
  EXPECT_EQ(both.certs[1].status, Revocation::revoked);
  EXPECT_EQ(both.reason.rfind(both.certs[0].subject + ": revoked on", 0), 0u) << both.reason;
  // A failure after passing certificates is still named.
  auto ca_only = x509::check_revocation(w.chain(w.good), {ca_crl, root_crl}, {}, kT0 + 100);
  EXPECT_EQ(ca_only.code, Errc::revoked);
  EXPECT_EQ(ca_only.reason.rfind(ca_only.certs[1].subject + ": revoked on", 0), 0u) << ca_only.reason;
}

// RFC 5280 §5.3.1: a reasonCode that does not decode as a CRLReason makes the entry unreadable:
// listing the CRL's entries fails, while the listed certificate still counts as revoked.
TEST(Crl, UnreadableReasonCode) {
  auto& w = world();
  auto crl = make_crl(w.ca, kT0, kT0 + kYear, {&w.bad});
  ossl::Ptr<X509_CRL> copy(X509_CRL_dup(crl.raw()));
  X509_REVOKED* entry = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(copy.get()), 0);
  ASSERT_NE(entry, nullptr);
  ossl::Ptr<ASN1_OCTET_STRING> value(ASN1_OCTET_STRING_new());
  const unsigned char integer_not_enumerated[] = {0x02, 0x01, 0x01};
  ASN1_OCTET_STRING_set(value.get(), integer_not_enumerated, sizeof integer_not_enumerated);
  ossl::Ptr<X509_EXTENSION> ext(X509_EXTENSION_create_by_NID(nullptr, NID_crl_reason, 0, value.get()));
  ASSERT_EQ(X509_REVOKED_add_ext(entry, ext.get(), -1), 1);
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_GT(X509_CRL_sign(copy.get(), key, EVP_sha256()), 0);  // re-encodes; the signature is not the point
  EVP_PKEY_free(key);
  Bytes der = ossl::to_der(i2d_X509_CRL, copy.get());
  auto parsed = x509::Crl::parse(std::string(der.begin(), der.end()), "bad.crl");
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto entries = parsed->entries();
  ASSERT_FALSE(entries);
  EXPECT_EQ(entries.error().code, Errc::malformed);
  EXPECT_NE(entries.error().message.find("has an unreadable reasonCode"), std::string::npos) << entries.error().message;
  auto e = parsed->entry(w.bad.cert);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->serial, w.bad.cert.serial_hex());
  EXPECT_FALSE(e->reason);
}
