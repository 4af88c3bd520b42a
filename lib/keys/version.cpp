#include "onboard/keys/version.h"

#include <openssl/crypto.h>

#ifndef ONBOARD_LIBP11_VERSION
#define ONBOARD_LIBP11_VERSION "unknown"
#endif
#ifndef ONBOARD_TSS2_VERSION
#define ONBOARD_TSS2_VERSION "unknown"
#endif

namespace onboard::keys {

std::string version_info() {
  std::string s = OpenSSL_version(OPENSSL_VERSION);
  // The backends KeyContext dispatches to (key URI schemes file:, pkcs11:, tpm2:). pkcs11 goes
  // through libp11 (linked); tpm2 through the tpm2-openssl provider, loaded by name when a tpm2:
  // key is first used, with TPM key generation over the TSS2 ESYS API (linked).
  s += "\nkey backends: file, pkcs11 (libp11 " ONBOARD_LIBP11_VERSION "), tpm2 (tpm2-openssl provider, TSS2 ESYS "
       ONBOARD_TSS2_VERSION ")";
  return s;
}

}  // namespace onboard::keys
