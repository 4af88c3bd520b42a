// onboard::keys::tpm2 — the device side of TPM-attested IDevIDs (SPEC §13.7): the ESYS commands
// run on the device's TPM. The verifier (component attest) checks what comes out of here in
// software, without a TPM; every byte string below is in TPM wire format (Tss2_MU_*_Marshal
// output, big-endian), exactly as the TPM produced or consumes it.
//
// What revision, which templates. We follow TCG "TPM 2.0 Keys for Device Identity and
// Attestation", Version 1.00, Revision 12 (8 October 2021), §6.2 "OEM creation of IAK and IDevID
// in a single pass": EK certificate from NV, TPM2_MakeCredential (software, verifier side) /
// TPM2_ActivateCredential (here) binding the IAK to the EK, TPM2_Certify of the IDevID by the IAK
// over the verifier's nonce.
//  - IAK and IDevID are primary keys in the endorsement hierarchy, from the templates of §7.3.4
//    (Table 3 attributes, Table 4 algorithms): H-1 RSA-2048/SHA-256, H-2 ECC NIST P-256/SHA-256,
//    H-3 ECC NIST P-384/SHA-384; unique field the ASCII strings "IAK" / "IDEVID" (§7.3.1), so the
//    same keys come back each time they are created on the same TPM.
//  - IAK: fixedTPM fixedParent sensitiveDataOrigin userWithAuth adminWithPolicy restricted sign
//    (RSA: RSASSA-PSS/SHA-256; ECC: ECDSA with the name hash); IDevID: the same without restricted
//    (RSA: no fixed scheme; ECC: ECDSA with the name hash).
//  - authPolicy (one deviation): §7.3.6.6 Table 19 gives the authPolicy digests, but the policy
//    commands behind them were in no source we could read (implementations copy the digests
//    only), and without them a key carrying those digests can never be given the ADMIN-role
//    authorization TPM2_Certify and TPM2_ActivateCredential need. Our templates keep adminWithPolicy and carry a policy of our
//    own: one TPM2_PolicyCommandCode branch per admitted command, joined by TPM2_PolicyOR
//    (TPM 2.0 Library Part 3 §23.11, §23.6): IAK = PolicyOR(PolicyCommandCode(ActivateCredential),
//    PolicyCommandCode(Certify)), IDevID = PolicyCommandCode(Certify), in the key's name hash
//    (template_auth_policy() gives the digests).
//  - The EK is recreated from TCG "EK Credential Profile for TPM Family 2.0" (Level 0, Version
//    2.5) templates L-1 (RSA-2048, certificate in NV 0x01c00002) and L-2 (ECC P-256, NV
//    0x01c0000a), authorized with policy A, PolicySecret(TPM_RH_ENDORSEMENT).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "onboard/core/core.h"
#include "onboard/keys/keys.h"

namespace onboard::keys::tpm2 {

/// The EK kinds of the TCG EK Credential Profile this side recreates (templates L-1 / L-2).
enum class EkType { rsa2048, ecc_p256 };
/// "RSA-2048 (L-1)" / "ECC P-256 (L-2)", for messages.
std::string ek_type_name(EkType t);
/// NV index of the EK certificate of that type: 0x01c00002 (RSA), 0x01c0000a (ECC P-256).
std::uint32_t ek_certificate_nv_index(EkType t);

struct AttestOptions {
  std::string tcti;                 ///< "" = env TPM2OPENSSL_TCTI, else the TSS default
  KeyType key_type = KeyType::p256; ///< IAK and IDevID: p256 (default), p384, rsa2048
  std::uint32_t iak_handle = 0;     ///< persistent handle for the IAK (given by the user)
  std::uint32_t idevid_handle = 0;  ///< persistent handle for the IDevID (the device key URI's)
  bool use_existing = false;        ///< attest the keys already persistent at the handles
  /// Which EK to use; unset: the first whose certificate is in NV, RSA (L-1) before ECC (L-2).
  std::optional<EkType> ek_type;
};

struct EkInfo {
  EkType type = EkType::rsa2048;
  std::uint32_t nv_index = 0;  ///< where the certificate was read
  Bytes certificate_der;       ///< the EK certificate as stored in NV (DER)
  Bytes public_area;           ///< TPMT_PUBLIC of the EK recreated from the template
  Bytes name;                  ///< TPM2B_NAME contents (nameAlg || digest) of the EK
};

/// What TPM2_Certify returns.
struct Certified {
  Bytes attest;     ///< TPMS_ATTEST (the contents of TPM2B_ATTEST certifyInfo)
  Bytes signature;  ///< TPMT_SIGNATURE by the IAK over `attest`
};

/// One attestation run on one TPM. Move-only; owns the ESYS connection and every transient
/// object it loaded. Nothing persistent is made before persist(); the destructor flushes what is
/// transient, so a dropped or failed session leaves the TPM as it was.
///
/// Order: open → endorsement_key → create_keys → activate_credential / certify (any order, any
/// number of times) → persist (new keys only).
class AttestSession {
 public:
  /// Connect. New keys: both handles must be persistent-range (0x81xxxxxx), distinct and free
  /// (Errc::key naming the occupied handle). use_existing: both must hold keys.
  static Expected<AttestSession> open(const AttestOptions& options);
  AttestSession(AttestSession&&) noexcept;
  AttestSession& operator=(AttestSession&&) noexcept;
  ~AttestSession();

  /// The EK certificate from NV and the EK recreated (TPM2_CreatePrimary, endorsement
  /// hierarchy) from the template that matches it; the public key of the two must agree.
  /// Errc::untrusted: no EK certificate in NV ("this TPM cannot prove it is genuine"), or the
  /// recreated EK's key differs from the certificate's.
  Expected<EkInfo> endorsement_key();

  /// New keys: IAK and IDevID from the TCG templates (see the top of this file), TRANSIENT until
  /// persist(). use_existing: the keys at the handles, as they are (no template check: the
  /// verifier refuses what it must). Needs endorsement_key() first.
  Status create_keys();
  /// TPMT_PUBLIC of each key (empty before create_keys()).
  const Bytes& iak_public() const;
  const Bytes& idevid_public() const;
  /// TPM2B_NAME contents (nameAlg || digest) of each key.
  const Bytes& iak_name() const;
  const Bytes& idevid_name() const;

  /// TPM2_ActivateCredential(activateHandle = IAK, keyHandle = EK) with the EK's policy session
  /// (PolicySecret endorsement) and the IAK's admin policy (PolicyCommandCode
  /// ActivateCredential, as the template's authPolicy needs). `credential_blob` is a
  /// TPM2B_ID_OBJECT, `encrypted_secret` a TPM2B_ENCRYPTED_SECRET, both marshalled with their
  /// size prefix (as tpm2_makecredential writes them). Returns the decrypted credential
  /// (TPM2B_DIGEST contents). Errc::key on TPM errors (a wrong EK or key name gives
  /// "TPM2_ActivateCredential failed (tpm:...)"); Errc::malformed when the blobs do not parse.
  Expected<Bytes> activate_credential(ByteView credential_blob, ByteView encrypted_secret);

  /// TPM2_Certify(objectHandle = IDevID, signHandle = IAK, qualifyingData = nonce, the IAK's
  /// scheme). The IDevID's ADMIN role is authorized with its PolicyCommandCode(Certify) branch.
  Expected<Certified> certify(ByteView nonce);

  /// EvictControl both keys to their handles. Call only after every proof passed. A failure
  /// evicts whatever this call made persistent. No-op for use_existing.
  Status persist();

  /// The TCTI this session talks to, for messages ("TCTI 'swtpm:...'").
  const std::string& tcti_label() const;

  class Impl;

 private:
  explicit AttestSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// For tests and the fake TPM: which EK certificate NV indices are present (of 0x01c00002,
/// 0x01c0000a). Errc::key when the TPM cannot be reached.
Expected<std::vector<std::uint32_t>> ek_certificate_indices(const std::string& tcti);

/// The authPolicy digests of our templates (see the top of this file), for the verifier's check:
/// `for_iak` true → IAK, false → IDevID; sha256 for P-256 and RSA-2048, sha384 for P-384.
Expected<Bytes> template_auth_policy(KeyType type, bool for_iak);

}  // namespace onboard::keys::tpm2
