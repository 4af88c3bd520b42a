// onboard::ops — one function per certificate tool; flags land in these plain requests.
#pragma once

#include <string>
#include <vector>

#include "onboard/core/core.h"
#include "onboard/keys/keys.h"

namespace onboard::ops {

/// Options every operation shares.
struct Common {
  bool json = false;
  bool force = false;
  keys::KeyOptions keys;
};

struct CreateAuthorityRequest {
  Common common;
  std::string profile;  ///< root-ca | issuing-ca | ticket-signer
  std::string subject;  ///< /O=Org/CN=Name
  std::string key;      ///< key URI
  bool new_key = false;
  std::string key_type = "p256";
  std::string issuer_cert, issuer_key;
  int days = 0;           ///< 0 = profile default
  std::string not_after;  ///< RFC 3339
  std::vector<std::string> crl_urls, ocsp_urls;
  bool no_revocation_info = false;  ///< issuing-ca/ticket-signer without CRL/OCSP URL (warns; SPEC §13.2)
  std::string out;
};
Status create_authority(const CreateAuthorityRequest& req, Env& env);

/// Device identity (IDevID / LDevID) inputs shared by mint-idevid and issue-ldevid.
struct DevIdCommon {
  std::string ca_cert, ca_key, ca_chain;
  std::string product_instance_uri;
  std::string serial_number, manufacturer, model;  ///< subject O=, CN=, serialNumber=
  bool serial_number_given = false;  ///< --serial-number present (missing: usage; empty: malformed)
  std::string device_key;  ///< key URI of the device key
  bool new_key = false;
  std::string key_type = "p256";
  std::string csr;
  std::string not_after;
  bool add_ski = false;
  std::string chain_out;  ///< optional: leaf + CA + CA chain
  std::string out;
};

/// TPM attestation before minting (SPEC §13.7, TCG "TPM 2.0 Keys for Device Identity and
/// Attestation"): the IAK and the IDevID key proven resident in the TPM that owns the EK.
struct AttestRequest {
  bool attest = false;                ///< --attest: prove TPM residency before minting
  std::vector<std::string> ek_ca;     ///< --ek-ca: PEM anchors (and intermediates) for the EK certificate
  std::string iak_handle;             ///< --iak-handle: persistent handle of the IAK (hex)
  std::string iak_out;                ///< --iak-out: also write the IAK certificate
  std::string tcg_csr_out;            ///< --tcg-csr-out: also write the TCG-CSR-IDEVID
  std::string tcg_csr;                ///< --tcg-csr: the CA side, verify (and mint from) a TCG-CSR-IDEVID
  bool insecure_skip_activation = false;  ///< mint from --tcg-csr without credential activation
  bool tcti_given = false;            ///< --tcti on the command line (the CA side needs it explicitly)
};

struct MintIdevidRequest {
  Common common;
  DevIdCommon dev;
  bool hardware_module_name = false;
  std::string hw_serial;  ///< hwSerialNum text (default: the serial number)
  AttestRequest attest;
  // batch (SPEC §10)
  std::string manifest, out_dir, device_key_template, results;
  bool continue_on_error = false, check = false, inline_outputs = false;
};
Status mint_idevid(const MintIdevidRequest& req, Env& env);

struct IssueLdevidRequest {
  Common common;
  DevIdCommon dev;
  std::string composite_instance_uri;
  std::string from_idevid;  ///< take subject + public key from this IDevID
  std::string subject;      ///< override; default: the IDevID's subject / CSR subject
  // batch (SPEC §10, §13.3): columns product_instance_uri, composite_instance_uri and one of
  // from_idevid / csr (paths relative to the manifest) or --device-key-template
  std::string manifest, out_dir, device_key_template, results;
  bool continue_on_error = false, check = false, inline_outputs = false;
};
Status issue_ldevid(const IssueLdevidRequest& req, Env& env);

}  // namespace onboard::ops
