// onboard::attest — the verifier side of TPM-attested IDevIDs (SPEC §13.7). Pure software
// (OpenSSL + libtss2-mu for TPM structure marshaling); no TPM is touched here.
//
// Follows TCG "TPM 2.0 Keys for Device Identity and Attestation", Version 1.00 Revision 12
// (8 October 2021; the revision keys::tpm2 creates the keys after): §7.3 (IAK/IDevID templates
// and attributes), §6.1.2 (IAK certificate from the EK certificate: MakeCredential /
// ActivateCredential), §6.2 (TPM2_Certify of the IDevID by the IAK over the CA's nonce), the
// IDevID certificate's hardwareModuleName (hwSerialNum from the EK certificate) and the
// TCG-CSR-IDEVID structures (TCG_CSR_IDEVID, TCG_IDEVID_CONTENT; §13.1 in the public-review
// Revision 2, the text the structure layout below was checked against). Credential protection
// follows TPM 2.0 Library Part 1 §24 (KDFa, KDFe, the "IDENTITY"/"STORAGE"/"INTEGRITY" labels)
// and Part 2 (TPMT_PUBLIC, TPMS_ATTEST, TPMT_SIGNATURE, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET).
//
// TCG-CSR-IDEVID wire format. The two open-source parsers disagree: openconfig/attestz reads a
// `hash[hashSz]` field right after hashSz; jeremyhahn/go-trusted-platform does not. The TCG text
// (§13.1, TCG_IDEVID_CONTENT) declares no such member — the line "Hash of all that follows is
// placed here" is a comment in the declaration, and hashAlgoId/hashSz name the digest the
// IDevID signature is computed with. We follow the declared members (as go-trusted-platform
// does): structVer, hashAlgoId, hashSz, 13 big-endian 4-byte size fields, then the payloads in
// the same order, then padSz bytes of pad.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "onboard/core/core.h"
#include "onboard/keys/keys.h"
#include "onboard/x509/x509.h"

namespace onboard::attest {

/// A parsed TPMT_PUBLIC (Part 2 §12.2.4).
struct TpmPublic {
  Bytes area;                    ///< the TPMT_PUBLIC as marshaled (no TPM2B size prefix)
  Bytes name;                    ///< nameAlg (2 bytes, big-endian) || H_nameAlg(area): the TPM's Name
  std::uint16_t type = 0;        ///< TPM_ALG_RSA (0x0001) or TPM_ALG_ECC (0x0023)
  std::uint16_t name_alg = 0;    ///< TPM_ALG_SHA256 (0x000B), SHA384 (0x000C), ...
  std::uint32_t attributes = 0;  ///< TPMA_OBJECT
  Bytes auth_policy;             ///< authPolicy digest (empty when none)
  Bytes spki_der;                ///< the public key as SubjectPublicKeyInfo DER
  std::string key_type;          ///< "p256", "p384", "rsa2048", ...
};

/// Parse a TPMT_PUBLIC (or a TPM2B_PUBLIC: a 2-byte size prefix that covers the rest exactly is
/// accepted and dropped). Errc::malformed with where and why; trailing bytes are refused.
Expected<TpmPublic> parse_public(ByteView tpmt_public);

// TPMA_OBJECT bits (Part 2 §8.3).
inline constexpr std::uint32_t kFixedTpm = 1u << 1, kStClear = 1u << 2, kFixedParent = 1u << 4,
                               kSensitiveDataOrigin = 1u << 5, kUserWithAuth = 1u << 6,
                               kAdminWithPolicy = 1u << 7, kNoDa = 1u << 10, kRestricted = 1u << 16,
                               kDecrypt = 1u << 17, kSign = 1u << 18;

/// One proof and its result, for reports and the JSON results ("attestation": {"checks": [...]}).
struct Check {
  std::string name;    ///< stable identifier, e.g. "ek-chain", "iak-template", "certify-nonce"
  bool passed = false;
  std::string detail;  ///< what was found (or why it failed)
};

/// TCG IAK / IDevID template conformance (TCG §7.3.1, §7.3.4): fixedTPM, fixedParent,
/// sensitiveDataOrigin, sign, no decrypt, nameAlg SHA-256 or stronger; the IAK restricted, the
/// IDevID not. Errc::untrusted naming the first attribute that does not conform. The authPolicy
/// is not compared here (keys::tpm2::template_auth_policy has the template digests; a key made
/// with another policy but these attributes is still TPM-resident and non-duplicable).
Status check_iak(const TpmPublic& iak);
Status check_idevid(const TpmPublic& idevid);

/// An EK certificate that chains to the anchors and whose key is the EK's.
struct VerifiedEk {
  x509::Certificate cert;
  TpmPublic ek;
  Bytes hw_serial;      ///< hwSerialNum for the IDevID hardwareModuleName (TCG §8: the EK
                        ///< certificate's serial number, big-endian unsigned bytes)
  std::string summary;  ///< "EK certificate serial S issued by I, chains to A"
};
/// Chain `ek_cert_der` (DER, as read from TPM NV; trailing NV padding after the DER is ignored)
/// to `ek_anchors` (self-signed roots and intermediates given with --ek-ca) at `at`. Accepts the
/// TCG EK certificate quirks (TCG EK Credential Profile §3.2: empty subject with a critical SAN
/// directoryName of TPM manufacturer attributes; subjectDirectoryAttributes; EKU tcg-kp-EKCertificate)
/// and nothing more. Errc::untrusted when it does not chain or the EK public area's key is not
/// the certificate's; Errc::malformed when either input does not parse.
Expected<VerifiedEk> verify_ek(ByteView ek_cert_der, ByteView ek_public_area,
                               const std::vector<x509::Certificate>& ek_anchors, UnixTime at);
/// The chain half of verify_ek, for a TCG-CSR (which carries the EK certificate, not the EK's
/// public area): the parsed certificate when it chains. Errc::untrusted / Errc::malformed.
Expected<x509::Certificate> verify_ek_chain(ByteView ek_cert_der,
                                            const std::vector<x509::Certificate>& ek_anchors, UnixTime at);
/// hwSerialNum for the IDevID's hardwareModuleName from an EK certificate (see VerifiedEk).
Bytes ek_hw_serial(const x509::Certificate& ek_cert);
/// Errc::untrusted unless `ek`'s key is the certificate's subject public key.
Status ek_matches(const x509::Certificate& ek_cert, const TpmPublic& ek);

/// Verifier half of credential activation (Part 1 §24.4 / TPM2_MakeCredential in software).
/// RSA EK: the seed is OAEP-SHA256-encrypted with label "IDENTITY"; ECC EK: ECDH with a fresh
/// ephemeral key and KDFe. The TPM releases `secret` (TPM2_ActivateCredential) only when the
/// object named `object_name` is loaded in the TPM that owns the EK.
struct Challenge {
  Bytes secret;            ///< fresh random, 32 bytes
  Bytes credential_blob;   ///< TPM2B_ID_OBJECT, marshaled with its size prefix
  Bytes encrypted_secret;  ///< TPM2B_ENCRYPTED_SECRET, marshaled with its size prefix
};
Expected<Challenge> make_credential(const TpmPublic& ek, ByteView object_name);

/// A TPM2_Certify result (Part 3 §18.2): the IAK's signature (TPMT_SIGNATURE) over `attest`
/// (TPMS_ATTEST bytes), magic TPM_GENERATED_VALUE, type TPM_ST_ATTEST_CERTIFY, extraData ==
/// `nonce`, certified name == idevid.name. Errc::untrusted with the reason; Errc::malformed
/// when the structures do not parse.
Status check_certify(const TpmPublic& iak, const TpmPublic& idevid, ByteView attest,
                     ByteView signature, ByteView nonce);
/// check_certify's checks one by one (for reports): every check, passed or not.
std::vector<Check> certify_checks(const TpmPublic& iak, const TpmPublic& idevid, ByteView attest,
                                  ByteView signature, ByteView nonce);

/// TCG_CSR_IDEVID (TCG §13.1) and its TCG_IDEVID_CONTENT. All sizes big-endian UINT32.
struct TcgCsr {
  std::uint32_t struct_ver = 0x00000100;   ///< TCG_CSR_IDEVID.structVer (1.0)
  std::uint32_t content_ver = 0x00000100;  ///< TCG_IDEVID_CONTENT.structVer (1.0)
  std::uint32_t hash_algo_id = 0x000B;     ///< TPM_ALG_ID of the signature's digest (SHA-256)
  std::uint32_t hash_size = 32;            ///< its size in bytes
  std::string prod_model, prod_serial;     ///< product model and serial (UTF-8, no terminator)
  Bytes prod_ca_data, boot_event_log;      ///< optional, empty by default
  Bytes ek_cert;                           ///< EK certificate, DER
  Bytes attest_pub;                        ///< IAK TPMT_PUBLIC
  Bytes at_create_tkt;                     ///< IAK creation ticket (TPMT_TK_CREATION), optional
  Bytes at_certify_info;                   ///< IAK TPM2_CertifyCreation TPMS_ATTEST, optional
  Bytes at_certify_info_sig;               ///< its TPMT_SIGNATURE, optional
  Bytes signing_pub;                       ///< IDevID TPMT_PUBLIC
  Bytes sgn_certify_info;                  ///< TPM2_Certify(IDevID by IAK) TPMS_ATTEST
  Bytes sgn_certify_info_sig;              ///< its TPMT_SIGNATURE (by the IAK)
  Bytes pad;                               ///< padSz bytes
  Bytes content;    ///< decode: the TCG_IDEVID_CONTENT bytes exactly as received (signed data)
  Bytes signature;  ///< decode: the IDevID's signature (DER ECDSA-Sig-Value or RSA PKCS#1 v1.5)
};
/// Limits: the whole CSR at most 1 MiB; each field at most 64 KiB.
inline constexpr std::size_t kMaxTcgCsr = 1u << 20, kMaxTcgCsrField = 64u << 10;

/// Encode and sign with the IDevID key (through keys::Signer: a tpm2: key signs in the TPM).
/// The signer's public key must be the one in signing_pub (Errc::usage otherwise).
Expected<Bytes> encode_tcg_csr(const TcgCsr& csr, const keys::Signer& idevid_key);
/// Strict decode: every size checked against what remains, no trailing bytes, struct versions
/// 1.0. Errc::malformed naming the field.
Expected<TcgCsr> decode_tcg_csr(ByteView der);

/// Everything a CA can check from the CSR alone:
///   csr-signature     the content's signature verifies with signingPub's key
///   idevid-template   signingPub passes check_idevid
///   iak-template      attestPub passes check_iak
///   certify-*         sgnCertifyInfo is a TPM2_Certify by attestPub of signingPub (magic, type,
///                     name, signature). Its nonce (extraData) cannot be checked for freshness:
///                     the CA did not choose it; it is reported in the detail.
///   ek-chain          the EK certificate chains to the anchors
/// NOT checkable from a CSR alone (needs a round trip with the TPM): credential activation, the
/// proof that attestPub lives in the TPM owning the EK (TPM2_MakeCredential/ActivateCredential).
/// The CLI reports it as not performed unless it does the activation over --tcti.
/// Errc::malformed for bad bytes; Errc::untrusted when any check fails (the first failure's
/// reason); otherwise every check passed.
struct VerifiedTcgCsr {
  TcgCsr csr;
  std::optional<x509::Certificate> ek_cert;  ///< set when ekCert parses
  Bytes hw_serial;                           ///< ek_hw_serial(*ek_cert)
  TpmPublic iak, idevid;
  std::vector<Check> checks;
  bool all_passed() const;
};
/// Like verify_tcg_csr but returns the result with failed checks instead of an error when the
/// bytes parse (Errc::malformed only for unparsable input), so a report can list every check.
Expected<VerifiedTcgCsr> inspect_tcg_csr(ByteView csr, const std::vector<x509::Certificate>& ek_anchors,
                                         UnixTime at);
Expected<VerifiedTcgCsr> verify_tcg_csr(ByteView csr, const std::vector<x509::Certificate>& ek_anchors,
                                        UnixTime at);

}  // namespace onboard::attest
