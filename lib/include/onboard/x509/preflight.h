// onboard::x509 preflight (SPEC §13.2 "never produce what will not verify"): the checks every
// tool that issues a certificate, a CRL or a signature runs on its issuer/signer BEFORE anything
// is written (before a key is generated or an output file created). Each refusal is one line
// naming the certificate (flag, file, subject), the date or constraint, and the flag that fixes it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "onboard/x509/x509.h"

namespace onboard::x509 {

/// Where a certificate came from, to name it in a refusal: "--ca-cert ca.pem (CN=Acme CA)".
struct CertSource {
  std::string flag;  ///< the flag that gave it ("--ca-cert", "--cert", "--chain")
  std::string path;  ///< its file
  std::string role = "CA";  ///< what to renew in the fix ("CA", "ticket signer")
};
/// "FLAG PATH (SUBJECT)".
std::string describe(const Certificate& cert, const CertSource& src);

/// Rule 1: the issuer/signer is valid at `now`. Errc::expired (exit 11) naming notBefore/notAfter.
Status check_valid_now(const Certificate& cert, const CertSource& src, UnixTime now);

/// Rule 2: a certificate issuer is a CA: basicConstraints CA:TRUE and keyUsage keyCertSign.
/// Errc::malformed (exit 3).
Status check_can_issue_certificates(const Certificate& issuer, const CertSource& src);
/// Rule 2 for CRLs (publish-crl): CA:TRUE and keyUsage cRLSign. Errc::malformed.
Status check_can_issue_crls(const Certificate& issuer, const CertSource& src);
/// Rule 2, pathLenConstraint: `cas` are the existing CAs above the new certificate, nearest first
/// (the issuer, then its chain as given). A CA at position k has k CAs below it in the path, plus
/// the new certificate when `new_is_ca`; more than its pathLenConstraint allows: Errc::malformed.
Status check_path_length(const std::vector<Certificate>& cas, const std::vector<CertSource>& sources, bool new_is_ca);
/// pathLenConstraint of a CA certificate; nullopt when it sets none.
std::optional<long> path_length_constraint(const Certificate& cert);

/// Rule 3: the new certificate's notAfter against its issuer's.
struct NotAfter {
  UnixTime value = 0;   ///< what to issue with (clamped to the issuer's notAfter when defaulted)
  std::string warning;  ///< non-empty when clamped
};
/// `requested_flag` non-empty = the user asked for `not_after` with that flag (--days,
/// --not-after): beyond the issuer is Errc::malformed. Empty = a profile default: clamped with a
/// warning. IDevIDs/LDevIDs with notAfter 99991231235959Z are exempt (802.1AR lets them outlive
/// their CA).
Expected<NotAfter> fit_not_after(const Certificate& issuer, const CertSource& src, Profile profile, UnixTime not_after,
                                 const std::string& requested_flag);

/// Issuers as given (--ca-chain / --chain): every certificate a CA (keyCertSign) that issued the
/// one before it, starting from `child`. Errc::malformed naming the position.
Status check_chain_links(const Certificate& child, const std::vector<Certificate>& chain, const CertSource& chain_src);

/// Everything a certificate issuer must pass (rules 1 and 2): `issuer` and every certificate of
/// `chain` valid at `now`, `issuer` a CA with keyCertSign, the chain links, pathLenConstraints
/// allow a new CA (`new_is_ca`) or end entity below it.
Status check_certificate_issuer(const Certificate& issuer, const CertSource& src, const std::vector<Certificate>& chain,
                                const CertSource& chain_src, UnixTime now, bool new_is_ca);
/// The same for a CRL issuer: valid now, CA with cRLSign.
Status check_crl_issuer(const Certificate& issuer, const CertSource& src, UnixTime now);

/// Rule 4: a ticket signer is an end entity (CA:FALSE) with keyUsage digitalSignature
/// (Errc::malformed), valid at `now` (Errc::expired); `chain` (x5c after the signer) holds every
/// issuer up to and including the self-signed root, each valid now, linking, at most
/// `max_x5c` certificates in all. A missing chain, one that stops short of the root or does not
/// link: Errc::malformed with "give --chain with every issuer up to the root".
Status check_ticket_signer(const Certificate& signer, const CertSource& src, const std::vector<Certificate>& chain,
                           const CertSource& chain_src, UnixTime now, std::size_t max_x5c);

/// Part 21 §6.1 (rule 6): one warning per non-root certificate of signer + chain that has
/// neither cRLDistributionPoints nor authorityInfoAccess.
std::vector<std::string> revocation_info_warnings(const Certificate& signer, const std::vector<Certificate>& chain);

/// Rule 7: countersigning with the certificate (byte-identical DER) that already signed
/// `ticket_name`: Errc::malformed. `existing_signers` = x5c[0] of each existing signature.
Status check_not_already_signed(const Certificate& signer, const CertSource& src,
                                const std::vector<Certificate>& existing_signers, const std::string& ticket_name);

// ---- publish-crl (SPEC §13.6; the CRL issuer itself: check_crl_issuer) ----

/// A certificate to revoke was issued by `ca`: its issuer name is the CA's subject, its
/// authorityKeyIdentifier (when present) names the CA's key, and the CA's key verifies its
/// signature; the CA's own certificate is refused (its issuer's CRL revokes it). Errc::malformed
/// naming what differs.
Status check_issued_by(const Certificate& cert, const CertSource& cert_src, const Certificate& ca,
                       const CertSource& ca_src);
/// The previous CRL (`crl_src`: "--crl", path) is `ca`'s: it names the CA as issuer, the CA's key
/// verifies it, and it holds nothing a CRL made from it would drop (Crl::unsupported_extensions:
/// delta, partitioned or indirect CRLs). Errc::malformed.
Status check_previous_crl(const Crl& crl, const CertSource& crl_src, const Certificate& ca, const CertSource& ca_src);
/// Rule 3 for a CRL's nextUpdate: not after the CA's notAfter. `requested_flag` non-empty
/// (--days, --next-update) = asked for: beyond is Errc::malformed; empty = the default: clamped
/// with a warning.
Expected<NotAfter> fit_next_update(const Certificate& ca, const CertSource& src, UnixTime next_update,
                                   const std::string& requested_flag);

}  // namespace onboard::x509
