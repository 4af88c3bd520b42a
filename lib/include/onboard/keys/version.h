// onboard::keys — what the key layer was built with, for every tool's --version.
#pragma once

#include <string>

namespace onboard::keys {

/// Two lines (no trailing newline): the OpenSSL in use at run time (OpenSSL_version, which may
/// differ from the headers built against) and the key backends compiled in:
///   OpenSSL 3.0.13 30 Jan 2024
///   key backends: file, pkcs11 (libp11 0.4.12), tpm2 (tpm2-openssl provider, TSS2 ESYS 3.2.1)
std::string version_info();

}  // namespace onboard::keys
