// CRLs (RFC 5280 §5) and the per-certificate revocation check of SPEC §8: a CRL counts only
// when its issuer's key verifies it and it is current at the evaluation time.
#include <openssl/pem.h>

#include <ctime>

#include "ossl.h"
#include "onboard/x509/x509.h"
#include "signing.h"

namespace onboard::x509 {
namespace {

UnixTime to_unix(const ASN1_TIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<UnixTime>(timegm(&tm));
}

std::shared_ptr<X509_CRL> share(X509_CRL* c) { return std::shared_ptr<X509_CRL>(c, ossl::Deleter<X509_CRL>()); }

bool names_issuer_of(const Crl& crl, const Certificate& cert) {
  return X509_NAME_cmp(X509_CRL_get_issuer(crl.raw()), X509_get_issuer_name(cert.raw())) == 0;
}

/// The certificate that issued `cert`: the next chain element, else one of `extra` by name + signature.
const Certificate* find_issuer(const std::vector<Certificate>& chain, std::size_t i,
                               const std::vector<Certificate>& extra) {
  if (i + 1 < chain.size()) return &chain[i + 1];
  for (const auto& c : extra)
    if (X509_NAME_cmp(X509_get_subject_name(c.raw()), X509_get_issuer_name(chain[i].raw())) == 0 &&
        chain[i].signed_by(c))
      return &c;
  return nullptr;
}

/// `cert` against the CRLs naming its issuer: one must verify with the issuer's key and be current.
Errc check_with_crl(const Certificate& cert, const Certificate& issuer, const std::vector<const Crl*>& named,
                    UnixTime at, CertRevocation& out) {
  const Crl* crl = nullptr;
  for (const Crl* c : named)
    if (c->signed_by(issuer)) crl = c;
  if (!crl) {
    out.status = Revocation::unknown;
    out.detail = "the CRL naming " + cert.issuer() + " has a bad signature (not signed by the issuer's key)";
    return Errc::verify_failed;
  }
  if (crl->this_update() > at) {
    out.status = Revocation::unknown;
    out.detail = "the CRL of " + cert.issuer() + " is not yet valid at " + format_time(at) + " (thisUpdate " +
                 format_time(crl->this_update()) + ")";
    return Errc::expired;
  }
  if (auto next = crl->next_update(); next && *next < at) {
    out.status = Revocation::unknown;
    out.detail = "the CRL of " + cert.issuer() + " is out of date at " + format_time(at) + " (nextUpdate " +
                 format_time(*next) + ")";
    return Errc::expired;
  }
  std::string next = crl->next_update() ? ", next update " + format_time(*crl->next_update()) : "";
  if (auto when = crl->revoked(cert)) {
    out.status = Revocation::revoked;
    out.revoked_at = *when;
    out.reason_code = crl->revocation_reason(cert);
    out.detail = "revoked on " + format_time(*when) + " (serial " + cert.serial_hex() + ", CRL of " + cert.issuer() + ")";
    return Errc::revoked;
  }
  out.status = Revocation::good;
  out.detail = "not revoked (CRL of " + cert.issuer() + " issued " + format_time(crl->this_update()) + next + ")";
  return Errc::ok;
}

/// Check one certificate; returns the error code for this certificate (ok when good/unknown/n.a.).
Errc check_one(const std::vector<Certificate>& chain, std::size_t i, const std::vector<Crl>& crls,
               const std::vector<Certificate>& extra, UnixTime at, CertRevocation& out) {
  const Certificate& cert = chain[i];
  out.subject = cert.subject();
  if (i + 1 == chain.size() && cert.self_signed()) {
    out.detail = "self-signed trust anchor";
    return Errc::ok;
  }
  std::vector<const Crl*> named;
  for (const auto& crl : crls)
    if (names_issuer_of(crl, cert)) named.push_back(&crl);
  if (named.empty()) {
    if (cert.has_revocation_pointer()) {
      out.status = Revocation::unknown;
      out.detail = "not checked: it names a CRL DP/AIA but no CRL of " + cert.issuer() + " was given";
    } else {
      out.detail = "no CRL given, no CRL DP or AIA in the certificate";
    }
    return Errc::ok;
  }
  const Certificate* issuer = find_issuer(chain, i, extra);
  if (!issuer) {
    out.status = Revocation::unknown;
    out.detail = "a CRL of " + cert.issuer() + " was given, but its issuer certificate is not available to check it";
    return Errc::ok;
  }
  return check_with_crl(cert, *issuer, named, at, out);
}

}  // namespace

Expected<Crl> Crl::parse(const std::string& text, const std::string& where) {
  X509_CRL* c = nullptr;
  if (text.find("-----BEGIN") != std::string::npos) {
    ossl::Ptr<BIO> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    c = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr);
  } else {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(text.data());
    c = d2i_X509_CRL(nullptr, &p, static_cast<long>(text.size()));
  }
  if (!c) {
    auto err = ossl::error("reading CRL", Errc::malformed);
    return fail(Errc::malformed, where + ": not a PEM or DER CRL (" + err.message + ")");
  }
  return Crl(share(c));
}

Expected<Crl> Crl::load(const std::string& path) {
  auto text = read_file(path);
  if (!text) return fail(std::move(text.error()));
  return parse(*text, path);
}

std::string Crl::issuer() const { return ossl::name_to_string(X509_CRL_get_issuer(c_.get())); }
UnixTime Crl::this_update() const { return to_unix(X509_CRL_get0_lastUpdate(c_.get())); }

std::optional<UnixTime> Crl::next_update() const {
  const ASN1_TIME* t = X509_CRL_get0_nextUpdate(c_.get());
  if (!t) return std::nullopt;
  return to_unix(t);
}

bool Crl::signed_by(const Certificate& issuer) const {
  EVP_PKEY* key = X509_get0_pubkey(issuer.raw());
  bool ok = key && X509_CRL_verify(c_.get(), key) == 1;
  ossl::clear_errors();
  return ok;
}

std::optional<UnixTime> Crl::revoked(const Certificate& cert) const {
  X509_REVOKED* entry = nullptr;
  if (X509_CRL_get0_by_cert(c_.get(), &entry, cert.raw()) != 1 || !entry) return std::nullopt;
  return to_unix(X509_REVOKED_get0_revocationDate(entry));
}

Expected<Crl> make_crl(const CrlSpec& spec, const Certificate& issuer, const keys::Signer& issuer_key) {
  if (!issuer.is_ca() || (X509_get_key_usage(issuer.raw()) & KU_CRL_SIGN) == 0)
    return fail(Errc::usage, "issuer certificate " + issuer.subject() + " is not a CA allowed to sign CRLs");
  if (spec.next_update && *spec.next_update <= spec.this_update)
    return fail(Errc::usage, "the CRL's nextUpdate must be later than its thisUpdate");
  if (issuer_key.public_key_der() != issuer.public_key_der())
    return fail(Errc::key, "the CA key " + issuer_key.description() + " does not match the CA certificate " +
                               issuer.subject());
  auto alg = detail::signature_algorithm(issuer_key);
  if (!alg) return fail(std::move(alg.error()));

  // OpenSSL has no setter for TBSCertList.signature (the AlgorithmIdentifier inside the signed
  // part) of an unsigned CRL: start from a minimal CRL that carries keys' AlgorithmIdentifier there
  // (version 2, empty issuer, a placeholder thisUpdate), then fill in the real fields.
  Bytes skeleton_tbs = {0x02, 0x01, 0x01};
  skeleton_tbs.insert(skeleton_tbs.end(), alg->der.begin(), alg->der.end());
  for (std::uint8_t b : {0x30, 0x00}) skeleton_tbs.push_back(b);
  Bytes placeholder = detail::der_tlv(0x17, as_bytes("700101000000Z"));
  skeleton_tbs.insert(skeleton_tbs.end(), placeholder.begin(), placeholder.end());
  Bytes skeleton = detail::signed_der(detail::der_tlv(0x30, skeleton_tbs), alg->der, {});
  const unsigned char* p = skeleton.data();
  ossl::Ptr<X509_CRL> crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(skeleton.size())));
  if (!crl) return ossl::fail("building the CRL");
  ossl::Ptr<ASN1_STRING> this_update(ASN1_TIME_set(nullptr, spec.this_update));
  ossl::Ptr<ASN1_STRING> next_update(spec.next_update ? ASN1_TIME_set(nullptr, *spec.next_update) : nullptr);
  if (!this_update || (spec.next_update && !next_update) ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.raw())) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
      (next_update && X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1))
    return ossl::fail("building the CRL");
  for (const auto& [cert, when] : spec.revoked) {
    X509_REVOKED* entry = X509_REVOKED_new();
    ossl::Ptr<ASN1_STRING> date(ASN1_TIME_set(nullptr, when));
    if (!entry || !date || X509_REVOKED_set_serialNumber(entry, const_cast<ASN1_INTEGER*>(X509_get0_serialNumber(cert.raw()))) != 1 ||
        X509_REVOKED_set_revocationDate(entry, date.get()) != 1 || X509_CRL_add0_revoked(crl.get(), entry) != 1) {
      X509_REVOKED_free(entry);
      return ossl::fail("adding a revoked certificate to the CRL");
    }
  }
  ossl::Ptr<AUTHORITY_KEYID> aki(AUTHORITY_KEYID_new());
  aki->keyid = ASN1_OCTET_STRING_new();
  if (const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(issuer.raw())) {
    ASN1_OCTET_STRING_set(aki->keyid, ASN1_STRING_get0_data(skid), ASN1_STRING_length(skid));
  } else {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_pubkey_digest(issuer.raw(), EVP_sha1(), md, &len);
    ASN1_OCTET_STRING_set(aki->keyid, md, static_cast<int>(len));
  }
  ossl::Ptr<ASN1_STRING> number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_uint64(number.get(), spec.number) != 1 || X509_CRL_sort(crl.get()) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_authority_key_identifier, aki.get(), 0, X509V3_ADD_DEFAULT) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT) != 1)
    return ossl::fail("adding the CRL's extensions");

  Bytes tbs = ossl::to_der(i2d_re_X509_CRL_tbs, crl.get());
  if (tbs.empty()) return ossl::fail("encoding the CRL");
  auto value = issuer_key.sign(tbs, alg->params);
  if (!value) return fail(std::move(value.error()).context("signing the CRL"));
  Bytes der = detail::signed_der(tbs, alg->der, *value);
  auto made = Crl::parse(std::string(der.begin(), der.end()), "new CRL");
  if (!made) return fail(Errc::internal, made.error().message);
  if (!made->signed_by(issuer))
    return fail(Errc::key, "the new CRL's signature does not verify with the public key of " + issuer.subject());
  return made;
}

std::string revocation_name(Revocation r) {
  switch (r) {
    case Revocation::good: return "good";
    case Revocation::revoked: return "revoked";
    case Revocation::unknown: return "unknown";
    case Revocation::not_applicable: return "not applicable";
  }
  return "?";
}

Revocation RevocationResult::overall() const {
  Revocation worst = Revocation::not_applicable;
  auto rank = [](Revocation r) {
    switch (r) {
      case Revocation::revoked: return 3;
      case Revocation::unknown: return 2;
      case Revocation::good: return 1;
      case Revocation::not_applicable: return 0;
    }
    return 0;
  };
  for (const auto& c : certs)
    if (rank(c.status) > rank(worst)) worst = c.status;
  return worst;
}

RevocationResult check_revocation(const std::vector<Certificate>& chain, const std::vector<Crl>& crls,
                                  const std::vector<Certificate>& extra_issuers, UnixTime at) {
  RevocationResult result;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    CertRevocation cr;
    Errc code = check_one(chain, i, crls, extra_issuers, at, cr);
    if (code != Errc::ok && result.code == Errc::ok) {
      result.code = code;
      result.reason = cr.subject + ": " + cr.detail;
    }
    result.certs.push_back(std::move(cr));
  }
  return result;
}

int Crl::revocation_reason(const Certificate& cert) const {
  X509_REVOKED* entry = nullptr;
  if (X509_CRL_get0_by_cert(c_.get(), &entry, cert.raw()) != 1 || !entry) return -1;
  int crit = 0;
  ossl::Ptr<ASN1_STRING> reason(
      static_cast<ASN1_STRING*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &crit, nullptr)));
  ossl::clear_errors();
  return reason ? static_cast<int>(ASN1_ENUMERATED_get(reason.get())) : -1;
}

}  // namespace onboard::x509
