// CRLs (RFC 5280 §5) and the per-certificate revocation check of SPEC §8: a CRL counts only
// when its issuer's key verifies it and it is current at the evaluation time.
#include <openssl/pem.h>

#include <algorithm>
#include <ctime>

#include "crl_internal.h"
#include "ossl.h"
#include "onboard/x509/x509.h"

namespace onboard::x509 {

namespace detail {

UnixTime asn1_to_unix(const ASN1_TIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<UnixTime>(timegm(&tm));
}

std::string serial_to_hex(const ASN1_INTEGER* serial) {
  if (!serial || ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER) return "";
  ossl::Ptr<BIGNUM> bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn || BN_is_zero(bn.get())) return "";
  char* hex = BN_bn2hex(bn.get());
  std::string s = hex ? hex : "";
  OPENSSL_free(hex);
  return s;
}

ossl::Ptr<ASN1_STRING> serial_from_hex(const std::string& hex) {
  BIGNUM* raw = nullptr;
  if (hex.empty() || BN_hex2bn(&raw, hex.c_str()) != static_cast<int>(hex.size())) {
    BN_free(raw);
    return nullptr;
  }
  ossl::Ptr<BIGNUM> bn(raw);
  return ossl::Ptr<ASN1_STRING>(BN_to_ASN1_INTEGER(bn.get(), nullptr));
}

Expected<CrlEntry> read_entry(const X509_REVOKED* entry) {
  CrlEntry out;
  out.serial = serial_to_hex(X509_REVOKED_get0_serialNumber(entry));
  if (out.serial.empty()) return fail(Errc::malformed, "an entry's serial number is not a positive integer");
  out.revoked_at = asn1_to_unix(X509_REVOKED_get0_revocationDate(entry));
  int crit = 0;
  ossl::Ptr<ASN1_STRING> reason(
      static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &crit, nullptr)));
  if (reason) {
    long v = ASN1_ENUMERATED_get(reason.get());
    if (v < 0 || v > 10 || v == 7)
      return fail(Errc::malformed, "entry " + out.serial + " has reasonCode " + std::to_string(v) + ", not a CRLReason");
    out.reason = static_cast<CrlReason>(v);
  } else if (crit != -1) {
    return fail(Errc::malformed, "entry " + out.serial + " has an unreadable reasonCode");
  }
  ossl::Ptr<ASN1_STRING> invalid(
      static_cast<ASN1_GENERALIZEDTIME*>(X509_REVOKED_get_ext_d2i(entry, NID_invalidity_date, &crit, nullptr)));
  if (invalid) out.invalidity_date = asn1_to_unix(invalid.get());
  else if (crit != -1) return fail(Errc::malformed, "entry " + out.serial + " has an unreadable invalidityDate");
  ossl::clear_errors();
  return out;
}

}  // namespace detail

namespace {

using detail::asn1_to_unix;

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
  if (auto entry = crl->entry(cert)) {
    out.status = Revocation::revoked;
    out.revoked_at = entry->revoked_at;
    out.reason = entry->reason;
    out.detail = "revoked on " + format_time(entry->revoked_at) + ", reason " +
                 crl_reason_name(entry->reason.value_or(CrlReason::unspecified)) + " (serial " + cert.serial_hex() +
                 ", CRL of " + cert.issuer() + ")";
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
UnixTime Crl::this_update() const { return asn1_to_unix(X509_CRL_get0_lastUpdate(c_.get())); }

std::optional<UnixTime> Crl::next_update() const {
  const ASN1_TIME* t = X509_CRL_get0_nextUpdate(c_.get());
  if (!t) return std::nullopt;
  return asn1_to_unix(t);
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
  return asn1_to_unix(X509_REVOKED_get0_revocationDate(entry));
}

std::optional<CrlEntry> Crl::entry(const Certificate& cert) const {
  X509_REVOKED* found = nullptr;
  if (X509_CRL_get0_by_cert(c_.get(), &found, cert.raw()) != 1 || !found) return std::nullopt;
  auto e = detail::read_entry(found);
  if (e) return *e;
  // An entry that lists the certificate but whose extensions are unreadable still revokes it.
  return CrlEntry{cert.serial_hex(), asn1_to_unix(X509_REVOKED_get0_revocationDate(found)), std::nullopt, std::nullopt};
}

Expected<std::vector<CrlEntry>> Crl::entries() const {
  std::vector<CrlEntry> out;
  STACK_OF(X509_REVOKED)* list = X509_CRL_get_REVOKED(c_.get());
  for (int i = 0; i < sk_X509_REVOKED_num(list); ++i) {
    auto e = detail::read_entry(sk_X509_REVOKED_value(list, i));
    if (!e) return fail(std::move(e.error()));
    out.push_back(std::move(*e));
  }
  return out;
}

Expected<std::optional<std::uint64_t>> Crl::number() const {
  int crit = 0;
  ossl::Ptr<ASN1_STRING> n(static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(c_.get(), NID_crl_number, &crit, nullptr)));
  ossl::clear_errors();
  if (!n) {
    if (crit == -1) return std::optional<std::uint64_t>();
    return fail(Errc::malformed, "its cRLNumber extension cannot be read");
  }
  std::uint64_t v = 0;
  if (ASN1_STRING_type(n.get()) == V_ASN1_NEG_INTEGER || ASN1_INTEGER_get_uint64(&v, n.get()) != 1) {
    ossl::clear_errors();
    return fail(Errc::malformed, "its cRLNumber is negative or larger than 64 bits");
  }
  return std::optional<std::uint64_t>(v);
}

std::vector<std::string> Crl::unsupported_extensions() const {
  auto name = [](const X509_EXTENSION* ext) {
    char buf[128];
    OBJ_obj2txt(buf, sizeof buf, X509_EXTENSION_get_object(const_cast<X509_EXTENSION*>(ext)), 0);
    return std::string(buf);
  };
  std::vector<std::string> out;
  for (int i = 0; i < X509_CRL_get_ext_count(c_.get()); ++i) {
    const X509_EXTENSION* ext = X509_CRL_get_ext(c_.get(), i);
    int nid = OBJ_obj2nid(X509_EXTENSION_get_object(const_cast<X509_EXTENSION*>(ext)));
    if (nid != NID_authority_key_identifier && nid != NID_crl_number) out.push_back(name(ext));
  }
  STACK_OF(X509_REVOKED)* list = X509_CRL_get_REVOKED(c_.get());
  for (int i = 0; i < sk_X509_REVOKED_num(list); ++i) {
    const X509_REVOKED* entry = sk_X509_REVOKED_value(list, i);
    for (int k = 0; k < X509_REVOKED_get_ext_count(entry); ++k) {
      const X509_EXTENSION* ext = X509_REVOKED_get_ext(entry, k);
      int nid = OBJ_obj2nid(X509_EXTENSION_get_object(const_cast<X509_EXTENSION*>(ext)));
      if (nid != NID_crl_reason && nid != NID_invalidity_date) out.push_back("entry " + name(ext));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Bytes Crl::der() const { return ossl::to_der(i2d_X509_CRL, c_.get()); }

std::string Crl::pem() const {
  ossl::Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), c_.get()) != 1) return "";
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
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

}  // namespace onboard::x509
