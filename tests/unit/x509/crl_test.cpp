// onboard::x509 revocation: CRL signature by the issuer, currency at a time, revoked entries,
// unknown (CRL DP, no CRL) and not applicable (SPEC §8).
#include <openssl/x509.h>

#include "ossl.h"
#include "pki.h"

using namespace onboard;
using namespace onboard::testing;
using x509::Profile;
using x509::Revocation;

namespace {

/// A CRL by `issuer` (signed with `key`), valid [this_update, next_update], listing `revoked`.
x509::Crl make_crl(const Party& issuer, const keys::Signer& key, UnixTime this_update, UnixTime next_update,
                   const std::vector<const Party*>& revoked) {
  ossl::Ptr<X509_CRL> crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.cert.raw()));
  ossl::Ptr<ASN1_TIME> t1(ASN1_TIME_set(nullptr, static_cast<time_t>(this_update)));
  ossl::Ptr<ASN1_TIME> t2(ASN1_TIME_set(nullptr, static_cast<time_t>(next_update)));
  X509_CRL_set1_lastUpdate(crl.get(), t1.get());
  X509_CRL_set1_nextUpdate(crl.get(), t2.get());
  for (const Party* p : revoked) {
    X509_REVOKED* r = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(p->cert.raw()));
    X509_REVOKED_set_revocationDate(r, t1.get());
    X509_CRL_add0_revoked(crl.get(), r);
  }
  X509_CRL_sort(crl.get());
  EXPECT_GT(X509_CRL_sign(crl.get(), key.pkey(), EVP_sha256()), 0);
  Bytes der = ossl::to_der(i2d_X509_CRL, crl.get());
  auto parsed = x509::Crl::parse(std::string(der.begin(), der.end()), "test.crl");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return *parsed;
}

struct World {
  TestPki f;
  Party root = f.make(Profile::root_ca, "/O=T/CN=Root", nullptr);
  Party ca = f.make(Profile::issuing_ca, "/O=T/CN=CA", &root);
  Party good = f.make(Profile::ticket_signer, "/O=T/CN=Good", &ca);
  Party bad = f.make(Profile::ticket_signer, "/O=T/CN=Revoked", &ca);
  std::vector<x509::Certificate> chain(const Party& p) { return {p.cert, ca.cert, root.cert}; }
};

World& world() {
  static World w;
  return w;
}

}  // namespace

TEST(Crl, GoodRevokedAndNotApplicable) {
  auto& w = world();
  auto crl = make_crl(w.ca, *w.ca.key, kT0, kT0 + kYear, {&w.bad});
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
  auto forged = make_crl(w.ca, *w.good.key, kT0, kT0 + kYear, {});  // right name, wrong key
  auto r = x509::check_revocation(w.chain(w.good), {forged}, {}, kT0 + 100);
  EXPECT_EQ(r.code, Errc::verify_failed);
  EXPECT_NE(r.reason.find("bad signature"), std::string::npos);
  auto crl = make_crl(w.ca, *w.ca.key, kT0 + 1000, kT0 + 2000, {});
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
