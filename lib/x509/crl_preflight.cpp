// SPEC §13.2 preflight for publish-crl (see onboard/x509/preflight.h): the certificates to revoke
// and the previous CRL belong to this CA, and the new CRL's nextUpdate lies within its validity.
#include "onboard/x509/preflight.h"

#include "ossl.h"

namespace onboard::x509 {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

Status check_issued_by(const Certificate& cert, const CertSource& cert_src, const Certificate& ca,
                       const CertSource& ca_src) {
  const std::string what = describe(cert, cert_src);
  if (cert.der() == ca.der())
    return fail(Errc::malformed, what + " is the CA certificate itself: a CA's own certificate is revoked on its "
                                        "issuer's CRL, not on its own");
  if (X509_NAME_cmp(X509_get_subject_name(ca.raw()), X509_get_issuer_name(cert.raw())) != 0)
    return fail(Errc::malformed, what + " was issued by " + cert.issuer() + ", not by " + describe(ca, ca_src) +
                                     ": only the issuing CA's CRL can revoke it");
  int crit = 0;
  ossl::Ptr<AUTHORITY_KEYID> akid(
      static_cast<AUTHORITY_KEYID*>(X509_get_ext_d2i(cert.raw(), NID_authority_key_identifier, &crit, nullptr)));
  ossl::clear_errors();
  if (akid && X509_check_akid(ca.raw(), akid.get()) != X509_V_OK)
    return fail(Errc::malformed, what + " names another issuer key (its authorityKeyIdentifier does not match " +
                                     describe(ca, ca_src) + "): it was issued by another CA of the same name");
  if (!cert.signed_by(ca))
    return fail(Errc::malformed, what + ": its signature does not verify with the key of " + describe(ca, ca_src) +
                                     ": it was issued by another CA of the same name");
  return {};
}

Status check_previous_crl(const Crl& crl, const CertSource& crl_src, const Certificate& ca, const CertSource& ca_src) {
  const std::string what = crl_src.flag + " " + crl_src.path;
  if (X509_NAME_cmp(X509_get_subject_name(ca.raw()), X509_CRL_get_issuer(crl.raw())) != 0)
    return fail(Errc::malformed, what + " is a CRL of " + crl.issuer() + ", not of " + describe(ca, ca_src) +
                                     ": give this CA's last CRL as " + crl_src.flag);
  if (!crl.signed_by(ca))
    return fail(Errc::malformed, what + " names " + crl.issuer() + " as its issuer, but its signature does not verify "
                                        "with the key of " + describe(ca, ca_src) +
                                        " (signed by another CA, or altered): give this CA's last CRL as " + crl_src.flag);
  if (auto ext = crl.unsupported_extensions(); !ext.empty())
    return fail(Errc::malformed, what + " has extensions publish-crl would not carry over (" + joined(ext) +
                                     "): delta, partitioned and indirect CRLs are not supported");
  return {};
}

Expected<NotAfter> fit_next_update(const Certificate& ca, const CertSource& src, UnixTime next_update,
                                   const std::string& requested_flag) {
  const UnixTime limit = ca.not_after();
  if (next_update <= limit) return NotAfter{next_update, ""};
  if (!requested_flag.empty())
    return fail(Errc::malformed, requested_flag + " asks for nextUpdate " + format_time(next_update) + ", after " +
                                     describe(ca, src) + " expires on " + format_time(limit) + ": give a " +
                                     requested_flag + " that ends no later than " + format_time(limit));
  return NotAfter{limit, "the default nextUpdate would outlive " + describe(ca, src) +
                             ": nextUpdate clamped to its expiry, " + format_time(limit)};
}

}  // namespace onboard::x509
