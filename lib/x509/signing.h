// Private to onboard::x509: how certificates, CSRs and CRLs get their signatures. x509 builds the
// to-be-signed DER and asks the keys::Signer to sign it; keys decides the hash, the padding and
// the AlgorithmIdentifier (keys::default_params, keys::signature_algorithm_der). No OpenSSL
// object of the private key is involved.
#pragma once

#include "onboard/keys/keys.h"
#include "ossl.h"

namespace onboard::x509::detail {

/// The signature a key makes for X.509 structures, with its DER AlgorithmIdentifier.
struct SignatureAlgorithm {
  keys::SignParams params;
  Bytes der;             ///< AlgorithmIdentifier
  ossl::Ptr<X509_ALGOR> algor;  ///< the same, decoded
};
/// keys::default_params for the signer's key type (RSA: PKCS#1 v1.5, as SPEC §3 profiles say).
Expected<SignatureAlgorithm> signature_algorithm(const keys::Signer& signer);

/// A DER TLV (any length).
Bytes der_tlv(std::uint8_t tag, ByteView body);
/// The shape every signed X.509 structure shares: SEQUENCE { tbs, algorithm, BIT STRING signature }.
Bytes signed_der(ByteView tbs, ByteView algorithm, ByteView signature);

/// Sign a certificate in place: sets both signature AlgorithmIdentifiers, encodes the TBS, has
/// `signer` sign it and stores the signature (what X509_sign does, without the key object).
Status sign_certificate(X509* x, const keys::Signer& signer, const SignatureAlgorithm& alg);

}  // namespace onboard::x509::detail
