// onboard::x509 CRLs (RFC 5280 §5): reading them, making them (publish-crl, SPEC §13.6) and the
// per-certificate revocation check of SPEC §8. Included by x509.h; include either.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "onboard/x509/x509.h"

struct X509_crl_st;

namespace onboard::x509 {

/// CRLReason (RFC 5280 §5.3.1); the values are the DER ENUMERATED values.
enum class CrlReason {
  unspecified = 0,
  key_compromise = 1,
  ca_compromise = 2,
  affiliation_changed = 3,
  superseded = 4,
  cessation_of_operation = 5,
  certificate_hold = 6,
  remove_from_crl = 8,
  privilege_withdrawn = 9,
  aa_compromise = 10,
};
/// RFC 5280's name: "keyCompromise", "cACompromise", ...
std::string crl_reason_name(CrlReason r);
/// The reasons publish-crl offers (SPEC §13.6): keyCompromise, cACompromise, superseded,
/// cessationOfOperation, affiliationChanged, unspecified. Errc::usage for anything else.
Expected<CrlReason> parse_crl_reason(std::string_view name);

/// A certificate serial number as hex: upper case, whole octets without leading zero octets
/// (Certificate::serial_hex's and openssl's form: "0A1B"). Accepts an optional 0x prefix and ':' between octets; a positive number of at most 20
/// octets (RFC 5280 §4.1.2.2). Errc::malformed otherwise.
Expected<std::string> parse_serial_hex(std::string_view text);

/// One revokedCertificates entry.
struct CrlEntry {
  std::string serial;                      ///< parse_serial_hex form
  UnixTime revoked_at = 0;                 ///< revocationDate
  std::optional<CrlReason> reason;         ///< reasonCode; absent = unspecified (RFC 5280 §5.3.1)
  std::optional<UnixTime> invalidity_date; ///< invalidityDate (kept from a previous CRL)
};

/// A certificate revocation list (RFC 5280 §5), immutable and shared.
class Crl {
 public:
  /// PEM (one CRL) or DER. Errc::malformed.
  static Expected<Crl> parse(const std::string& text, const std::string& where);
  static Expected<Crl> load(const std::string& path);
  X509_crl_st* raw() const { return c_.get(); }
  Bytes der() const;
  std::string pem() const;
  std::string issuer() const;
  UnixTime this_update() const;
  std::optional<UnixTime> next_update() const;
  /// cRLNumber; nullopt when the CRL has none. Errc::malformed when it does not fit 64 bits.
  Expected<std::optional<std::uint64_t>> number() const;
  /// True when `issuer`'s public key verifies the CRL's signature.
  bool signed_by(const Certificate& issuer) const;
  /// The revocation date when `cert` is listed.
  std::optional<UnixTime> revoked(const Certificate& cert) const;
  /// The entry listing `cert` (matched by serial number), if any.
  std::optional<CrlEntry> entry(const Certificate& cert) const;
  /// Every entry, in the CRL's order. Errc::malformed for an entry that cannot be read.
  Expected<std::vector<CrlEntry>> entries() const;
  /// Extensions a CRL made from this one would drop or misstate: CRL extensions other than
  /// authorityKeyIdentifier and cRLNumber (delta, issuingDistributionPoint, ...) and entry
  /// extensions other than reasonCode and invalidityDate (certificateIssuer of indirect CRLs).
  std::vector<std::string> unsupported_extensions() const;

 private:
  explicit Crl(std::shared_ptr<X509_crl_st> c) : c_(std::move(c)) {}
  std::shared_ptr<X509_crl_st> c_;
};

/// What a new CRL says (RFC 5280 §5, v2): the certificates it revokes, when, and its number.
struct CrlSpec {
  UnixTime this_update = 0;
  std::optional<UnixTime> next_update;
  std::vector<std::pair<Certificate, UnixTime>> revoked;  ///< certificate, revocation time (no reason)
  std::vector<CrlEntry> entries;                         ///< further entries by serial, with reasons
  std::uint64_t number = 1;                              ///< cRLNumber
};
/// Make a CRL of `issuer` signed by `issuer_key` (authorityKeyIdentifier, cRLNumber, per entry a
/// revocationDate and, when given, reasonCode and invalidityDate): keys picks the signature
/// algorithm as for certificates. Errc::key when the key is not the issuer's (or its signature
/// does not verify with the issuer's public key), Errc::usage when `issuer` may not sign CRLs
/// (basicConstraints CA:TRUE and keyUsage cRLSign) or nextUpdate is not after thisUpdate,
/// Errc::malformed for an entry whose serial is not parse_serial_hex's form.
Expected<Crl> make_crl(const CrlSpec& spec, const Certificate& issuer, const keys::Signer& issuer_key);

/// Revocation status of one certificate (SPEC §8): a CRL given for its issuer (good/revoked),
/// none given but the certificate names a CRL DP/AIA (unknown), neither (not applicable).
enum class Revocation { good, revoked, unknown, not_applicable };
std::string revocation_name(Revocation r);
struct CertRevocation {
  std::string subject;
  Revocation status = Revocation::not_applicable;
  std::string detail;  ///< which CRL, or why nothing was checked (Part 21 §7.1: skipped checks are reported)
  /// When revoked: the CRL entry's revocationDate and reasonCode (absent = unspecified). SPEC
  /// §13.6: a timestamp before revoked_at keeps a signature unless the reason is keyCompromise.
  std::optional<UnixTime> revoked_at;
  std::optional<CrlReason> reason;
};
struct RevocationResult {
  Errc code = Errc::ok;  ///< ok, revoked, expired (CRL not current), verify_failed (bad CRL signature)
  std::string reason;
  std::vector<CertRevocation> certs;  ///< one per certificate of the chain, leaf first
  /// Summary: revoked > unknown > good > not applicable.
  Revocation overall() const;
};
/// Check every certificate of `chain` (leaf → anchor) against `crls` at time `at`. A CRL counts
/// for a certificate when it names the certificate's issuer and that issuer (the next chain
/// element, or one of `extra_issuers`) verifies its signature; it must be current at `at`.
RevocationResult check_revocation(const std::vector<Certificate>& chain, const std::vector<Crl>& crls,
                                  const std::vector<Certificate>& extra_issuers, UnixTime at);

}  // namespace onboard::x509
