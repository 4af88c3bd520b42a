// Private: TPM 2.0 key generation through ESYS (libtss2-esys), and the TCTI choice shared
// with the tpm2-openssl provider.
#pragma once

#include <cstdint>
#include <string>

#include "backend.h"

namespace onboard::keys::tpm2 {

/// The TCTI configuration: --tcti, else env TPM2OPENSSL_TCTI, else "" (the TSS default search).
std::string tcti_config(const KeyOptions& options);
/// "TCTI 'swtpm:host=...'" or "the default TCTI", for messages.
std::string tcti_label(const std::string& conf);
/// Keep the TSS libraries' own logging off stderr (one error line per failure, SPEC §11),
/// unless the user asked for it with TSS2_LOG.
void quiet_tss_logging();

/// Whether a persistent handle holds an object.
Expected<bool> handle_in_use(const std::string& tcti, std::uint32_t handle);

/// Create a signing key in the TPM under a transient storage primary (owner hierarchy, empty
/// owner auth) with fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|sign (SPEC §4) and
/// make it persistent at `handle`. Refuses an occupied handle. Errc::key on TPM errors.
Status create_persistent_key(const std::string& tcti, std::uint32_t handle, KeyType type);

}  // namespace onboard::keys::tpm2
