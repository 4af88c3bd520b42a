// Private helpers of the attest component (and its unit tests): hashes by TPM algorithm id,
// TPM signature verification, big-endian reading.
#pragma once

#include <cstdint>
#include <string>

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "onboard/attest/attest.h"

namespace onboard::attest::detail {

/// Unmarshal one TPM structure that must fill `in` exactly (TPM 2.0 Part 2 wire format):
/// Errc::malformed naming `name` when it does not parse or leaves trailing bytes.
template <class T>
Status unmarshal_whole(TSS2_RC (*fn)(const std::uint8_t*, std::size_t, std::size_t*, T*), ByteView in, const char* name,
                       T& out) {
  std::size_t off = 0;
  if (fn(in.data(), in.size(), &off, &out) != TSS2_RC_SUCCESS)
    return fail(Errc::malformed, std::string(name) + ": does not parse (truncated or invalid field)");
  if (off != in.size())
    return fail(Errc::malformed, std::string(name) + ": " + std::to_string(in.size() - off) + " trailing bytes");
  return {};
}

/// The OpenSSL digest for a TPM_ALG_ID hash (SHA-1 refused: Part 1 allows it, TCG §7.3 does not).
const EVP_MD* digest_for(std::uint16_t tpm_alg);
std::string alg_name(std::uint16_t tpm_alg);
Bytes hash(std::uint16_t tpm_alg, ByteView data);

/// Verify a TPMT_SIGNATURE (marshaled) over `message` with the key of `signer` (ECDSA r,s or
/// RSASSA / RSAPSS with the signature's hash). Errc::malformed when it does not parse,
/// Errc::untrusted when it does not verify.
Status verify_tpm_signature(const TpmPublic& signer, ByteView message, ByteView tpmt_signature);

/// A parsed TPMS_ATTEST (Part 2 §10.12.12) with the fields the checks use.
struct Attest {
  std::uint32_t magic = 0;
  std::uint16_t type = 0;
  Bytes qualified_signer, extra_data;
  Bytes certified_name;  ///< certify: attested.certify.name; creation: attested.creation.objectName
};
Expected<Attest> parse_attest(ByteView tpms_attest);

/// EVP_PKEY of a TPM public key (spki_der → key).
struct PkeyDeleter { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
Expected<Pkey> public_key(const TpmPublic& pub);

}  // namespace onboard::attest::detail
