// Private to onboard::jws: the algorithm table and ECDSA signature form conversion.
#pragma once

#include "onboard/jws/jws.h"

namespace onboard::jws::detail {

enum class Family { ecdsa, rsa_pkcs1, rsa_pss, eddsa };

/// One row of the RFC 7518 table as SPEC §6 uses it.
struct AlgInfo {
  Alg alg;
  const char* name;
  Family family;
  keys::Hash hash;
  std::size_t ec_half;   ///< ECDSA: bytes of R (and of S); 0 otherwise
  const char* curve;     ///< ECDSA: OpenSSL group name
  bool emitted;          ///< SPEC §6 "Algorithms emitted"
};
const AlgInfo& info(Alg alg);
/// The hash and padding of an alg, in the keys component's terms (keys decides how a padding is
/// set up; PSS salt = hash length as RFC 7518 §3.5 requires).
keys::SignParams sign_params(const AlgInfo& a);

/// ECDSA DER (OpenSSL's form) → raw R‖S, each half left-padded to `half` bytes (RFC 7518 §3.4).
Expected<Bytes> ecdsa_der_to_raw(ByteView der, std::size_t half);
/// Raw R‖S → DER for OpenSSL's verifier.
Expected<Bytes> ecdsa_raw_to_der(ByteView raw);
/// True when `sig` is a complete DER ECDSA-Sig-Value (to name the mistake precisely).
bool looks_like_der_ecdsa(ByteView sig);
/// The JAdES etsiU sigTst tokens of an unprotected header into sig.timestamp_tokens (or the fault).
void read_etsiu(const json::Value& unprotected, Signature& sig);

}  // namespace onboard::jws::detail
