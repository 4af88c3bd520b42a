// TPM-attested IDevIDs in ops (SPEC §13.7): the orchestration of keys::tpm2::AttestSession (the
// device's TPM) and the attest component (the verifier), shared by mint-idevid's one-device run,
// its batch (one TPM per row, the `tcti` column) and the CA side (--tcg-csr).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common.h"
#include "onboard/attest/attest.h"
#include "onboard/keys/tpm2_attest.h"

namespace onboard::ops {

/// One device of mint-idevid (flags or a manifest row).
struct MintDevice {
  std::string uri, serial, manufacturer, model, hw_serial, not_after;
};
Status check_device(const MintDevice& d);
/// The IDevID of SPEC §3 for the device (without the attested extensions).
x509::CertSpec idevid_spec(const MintIdevidRequest& req, const MintDevice& d, const Issuer& issuer, UnixTime now,
                           UnixTime not_after);

/// The attest flags of a run, checked and loaded once (before any key or TPM is touched).
struct AttestSetup {
  std::vector<x509::Certificate> ek_anchors;  ///< --ek-ca, every certificate of every file
  std::uint32_t iak_handle = 0;               ///< --iak-handle
  keys::KeyType key_type = keys::KeyType::p256;
};

/// The persistent handle of an attested device key: `tpm2:handle=HEX` (Errc::usage otherwise).
Expected<std::uint32_t> attest_handle(const std::string& key_uri, const std::string& flag);
/// The usage rules of --attest and its flags (exit 2), for one device and for a batch; no file
/// is read.
Status check_attest_usage(const MintIdevidRequest& req);
/// --ek-ca files (5 missing, 3 not PEM), --iak-handle, --key-type.
Expected<AttestSetup> load_attest_setup(const MintIdevidRequest& req);

/// Every proof of one device and its result: the row's JSON "attestation" object.
struct Attestation {
  std::vector<attest::Check> checks;
  std::optional<x509::Certificate> ek_cert;
  Bytes hw_serial;
  std::vector<std::string> notes;  ///< e.g. "credential activation skipped (--insecure-skip-activation)"

  void add(std::string name, bool passed, std::string detail);
  /// {"checks":[{"name","passed","detail"}...],"ek_certificate":{"subject","issuer","serial"},"hw_serial":HEX}
  std::string json() const;
  /// One short line per check ("attestation: ek-chain: ok: ..."), for the text output.
  void print(std::ostream& out) const;
};

/// --ek-ca is anchors AND intermediates: the EK certificate must reach, through --ek-ca
/// certificates, a self-signed one (attest::verify_ek also trusts a chain that stops at an
/// intermediate). Errc::untrusted otherwise.
Status ek_reaches_root(const x509::Certificate& ek_cert, const std::vector<x509::Certificate>& ek_ca);

/// One device's TPM after the proofs: the keys still transient (new keys) until persist().
struct AttestedDevice {
  std::optional<keys::tpm2::AttestSession> session;
  keys::tpm2::EkInfo ek;
  attest::TpmPublic iak, idevid;
  Bytes hw_serial;
  std::uint32_t idevid_handle = 0;
  keys::tpm2::Certified certified;  ///< the TPM2_Certify of this enrollment (for the TCG-CSR)
};

/// Run every proof on the TPM at `tcti` (SPEC §13.7): EK certificate from NV → chain to the
/// anchors → IAK and IDevID from the TCG templates (or the keys at the handles) → template checks
/// → MakeCredential/ActivateCredential for the IAK → TPM2_Certify of the IDevID over a fresh
/// nonce → certify checks. Every check goes into `proof`, passed or not. Errc::untrusted (10) when
/// a check fails, Errc::key (4) for TPM failures. Nothing is persistent afterwards.
Expected<AttestedDevice> attest_device(const AttestSetup& setup, const std::string& tcti, std::uint32_t idevid_handle,
                                       bool new_key, UnixTime now, Attestation& proof);

/// The IAK certificate of an attested device (x509 iak profile), same subject as the IDevID.
Expected<x509::Certificate> issue_iak_certificate(const x509::CertSpec& idevid_spec, ByteView iak_spki, Issuer& issuer);
/// What an attested IDevID adds to its spec: hardwareModuleName from the EK, the TCG policies.
void add_attested_extensions(x509::CertSpec& spec, const Bytes& hw_serial);

/// After persist(): the TCG-CSR-IDEVID signed by the IDevID key in the TPM (`tcti`, handle).
Expected<Bytes> make_tcg_csr(const AttestedDevice& dev, const std::string& tcti, const keys::KeyOptions& key_options,
                             const std::string& model, const std::string& serial);

/// mint-idevid --attest for one device; --tcg-csr (verify, or mint from it).
Status mint_attested(const MintIdevidRequest& req, Env& env);
Status tcg_csr_mode(const MintIdevidRequest& req, Env& env);

}  // namespace onboard::ops
