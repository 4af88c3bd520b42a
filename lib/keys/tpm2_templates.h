// Private: the TCG key templates and policies of the attestation side (tpm2_attest.cpp), kept
// apart so each template names its source once.
#pragma once

#include <vector>

#include <tss2/tss2_esys.h>

#include "onboard/keys/tpm2_attest.h"
#include "ossl.h"

namespace onboard::keys::tpm2 {

/// TCG EK Credential Profile for TPM Family 2.0 (Level 0, Version 2.5), Annex B.3.3 template
/// L-1 (RSA-2048) and B.3.4 template L-2 (ECC NIST P-256).
TPM2B_PUBLIC ek_template(EkType type);

/// The name algorithm of an IAK / IDevID of that key type (TCG Device Identity rev 12,
/// §7.3.4.2 Table 4): SHA-256 for H-1 (RSA-2048) and H-2 (P-256), SHA-384 for H-3 (P-384).
Expected<TPMI_ALG_HASH> name_alg(KeyType type);
/// IAK / IDevID templates (§7.3.4.1 Table 3 attributes, Table 4 algorithms, §7.3.1 unique).
Expected<TPM2B_PUBLIC> iak_template(KeyType type);
Expected<TPM2B_PUBLIC> idevid_template(KeyType type);

/// The commands whose ADMIN role a key's authPolicy admits, one PolicyCommandCode branch
/// each: the IAK TPM2_ActivateCredential and TPM2_Certify, the IDevID TPM2_Certify.
std::vector<TPM2_CC> admin_commands(bool for_iak);
/// PolicyCommandCode(cc) from an all-zero digest, in `hash` (Part 3 §23.11).
Expected<Bytes> policy_command_code(TPMI_ALG_HASH hash, TPM2_CC cc);
/// PolicyOR over `branches` (Part 3 §23.6); one branch is that branch's digest as is.
Expected<Bytes> policy_or(TPMI_ALG_HASH hash, const std::vector<Bytes>& branches);
/// The authPolicy of a key admitting `commands` (the digest the templates carry).
Expected<Bytes> admin_policy(TPMI_ALG_HASH hash, const std::vector<TPM2_CC>& commands);

/// The public key of an RSA or ECC TPMT_PUBLIC as an OpenSSL key (EK certificate match, tests).
Expected<ossl::Ptr<EVP_PKEY>> public_key_of(const TPMT_PUBLIC& p);

}  // namespace onboard::keys::tpm2
