// onboard::x509 — certificates: profiles (SPEC §3), the builder, CSR checks, chain checks.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "onboard/core/core.h"
#include "onboard/keys/keys.h"

struct x509_st;
struct X509_req_st;
struct X509_crl_st;

namespace onboard::x509 {

/// An immutable, shared X.509 certificate.
class Certificate {
 public:
  static Expected<Certificate> parse_der(ByteView der, const std::string& where = "certificate");
  /// All certificates of a PEM (or single DER) file.
  static Expected<std::vector<Certificate>> load_all(const std::string& path);
  /// Exactly one certificate.
  static Expected<Certificate> load(const std::string& path);
  static Expected<std::vector<Certificate>> parse_pem(const std::string& text, const std::string& where);
  /// Take ownership of an OpenSSL certificate.
  static Certificate adopt(x509_st* owned);

  x509_st* raw() const { return x_.get(); }
  Bytes der() const;
  std::string pem() const;
  std::string subject() const;  ///< RFC 2253 one-line form
  Bytes subject_der() const;
  /// First value of a subject attribute ("O", "CN", "serialNumber") as UTF-8; empty if absent.
  std::string subject_field(const std::string& short_name) const;
  std::string issuer() const;
  std::string serial_hex() const;
  UnixTime not_before() const;
  UnixTime not_after() const;
  bool is_ca() const;
  bool self_signed() const;
  /// URI subjectAltNames in order.
  std::vector<std::string> san_uris() const;
  Bytes public_key_der() const;
  /// True when `signer` (its public key) verified this certificate's signature.
  bool signed_by(const Certificate& issuer) const;
  /// keyUsage digitalSignature (or no keyUsage extension at all).
  bool allows_digital_signature() const;
  bool allows_cert_sign() const;
  /// SHA-256 over the DER, hex: a stable identity for caches and reports.
  std::string fingerprint() const;
  /// cRLDistributionPoints or authorityInfoAccess present (RFC 5280): revocation is checkable.
  bool has_revocation_pointer() const;

 private:
  explicit Certificate(std::shared_ptr<x509_st> x) : x_(std::move(x)) {}
  std::shared_ptr<x509_st> x_;
};

/// tsa: an RFC 3161 time-stamping unit (RFC 3161 §2.3: EKU timeStamping only, critical; SPEC §13.6).
/// iak: the certificate of a TPM's Initial Attestation Key (TCG "TPM 2.0 Keys for Device Identity
/// and Attestation" v1.00 r12 §8: subject as the IDevID's, keyUsage critical digitalSignature only,
/// EKU tcg-kp-AIKCertificate, certificatePolicies verifiedTPMResidency + verifiedTPMRestricted,
/// SAN hardwareModuleName; notAfter 99991231235959Z like a DevID). Made by mint-idevid --iak-out.
enum class Profile { root_ca, issuing_ca, ticket_signer, idevid, ldevid, tsa, iak };

// TCG OIDs (TCG OID registry; TCG Keys for Device Identity and Attestation §8).
inline constexpr const char* kOidTpm20HwType = "2.23.133.1.2";            ///< hwType TPM 2.0
inline constexpr const char* kOidTcgKpAikCertificate = "2.23.133.8.3";    ///< EKU of an IAK certificate
inline constexpr const char* kOidVerifiedTpmResidency = "2.23.133.11.1.1";  ///< tcg-cap-verifiedTPMResidency
inline constexpr const char* kOidVerifiedTpmFixed = "2.23.133.11.1.2";      ///< tcg-cap-verifiedTPMFixed (IDevID)
inline constexpr const char* kOidVerifiedTpmRestricted = "2.23.133.11.1.3";  ///< tcg-cap-verifiedTPMRestricted (IAK)
Expected<Profile> parse_profile(std::string_view name);
std::string profile_name(Profile p);

/// RFC 4108 HardwareModuleName (otherName 1.3.6.1.5.5.7.8.4).
struct HardwareModuleName {
  std::string hw_type_oid = "2.23.133.1.2";  ///< TPM 2.0
  Bytes hw_serial;
};

/// Everything a new certificate says, besides keys.
struct CertSpec {
  Profile profile = Profile::idevid;
  std::string subject;  ///< "/O=Org/CN=Name" (CA and signer profiles)
  Bytes subject_der;    ///< or a DER Name copied as is (LDevID from an IDevID or CSR)
  // DevID subject parts (SPEC §3): O=manufacturer, CN=model, serialNumber=serial
  std::string manufacturer, model, serial_number;
  std::vector<std::string> san_uris;
  std::optional<HardwareModuleName> hardware_module_name;
  UnixTime not_before = 0;
  UnixTime not_after = kNoExpiry;
  std::vector<std::string> crl_urls, ocsp_urls;
  bool add_ski = false;  ///< DevID profiles: no SKI unless asked (802.1AR)
  /// certificatePolicies OIDs (non-critical), e.g. the TCG verifiedTPM* capabilities of an attested
  /// IDevID. The iak profile always carries verifiedTPMResidency and verifiedTPMRestricted.
  std::vector<std::string> policy_oids;
  /// The caller only needs pem()/der() of the result (batches): skips a public key decode.
  /// Other accessors of such a certificate that need its public key do not work.
  bool encode_only = false;
};

/// Default notAfter for a profile from `now` (root 25 y, issuing 15 y, signer 5 y, DevID 9999).
UnixTime default_not_after(Profile p, UnixTime now);

/// Issue a certificate for `subject_public_key` (SPKI DER), signed by `issuer_key`.
/// `issuer` null = self-signed (root-ca only). Checks that the issuer is a CA allowed to sign
/// certificates, that `issuer_key` matches it, and verifies the result before returning it.
Expected<Certificate> issue(const CertSpec& spec, ByteView subject_public_key, const Certificate* issuer,
                            const keys::Signer& issuer_key);

/// A PKCS#10 request whose self-signature has been verified (proof of possession).
struct VerifiedCsr {
  Bytes public_key;  ///< SPKI DER
  std::string subject;
  Bytes subject_der;
  std::vector<std::string> san_uris;
};
/// Parse (PEM or DER) and check the self-signature. Errc::malformed with the reason.
Expected<VerifiedCsr> load_csr(const std::string& path);
Expected<VerifiedCsr> parse_csr(const std::string& text, const std::string& where);
/// Make a CSR (for tests, tools and the demo): subject + URI SANs, signed by `key`.
Expected<std::string> make_csr_pem(const keys::Signer& key, const std::string& subject,
                                   const std::vector<std::string>& uris);

/// Result of a chain check.
struct ChainResult {
  Errc code = Errc::ok;     ///< ok, untrusted, expired, revoked, verify_failed
  std::string reason;       ///< OpenSSL's reason when not ok
  std::vector<Certificate> chain;  ///< leaf → anchor when built
};
/// Build and check leaf → anchors with `untrusted` intermediates at time `at`.
/// `partial` lets a non-self-signed anchor end the chain (Part 21 TicketAuthorities).
/// `check_time` false leaves validity periods to the caller (ticket verification reports the
/// trust and the time results separately, and computes "valid until" from the chain).
ChainResult verify_chain(const Certificate& leaf, const std::vector<Certificate>& untrusted,
                         const std::vector<Certificate>& anchors, UnixTime at, bool partial = true,
                         bool check_time = true);

}  // namespace onboard::x509

// CRLs: reading, making (publish-crl) and the revocation check of SPEC §8.
#include "onboard/x509/crl.h"  // IWYU pragma: export
