// X.509 signatures through keys::Signer (see signing.h).
#include "signing.h"

namespace onboard::x509::detail {
Expected<SignatureAlgorithm> signature_algorithm(const keys::Signer& signer) {
  SignatureAlgorithm alg;
  alg.params = keys::default_params(signer.key_type());
  auto der = keys::signature_algorithm_der(signer.key_type(), alg.params);
  if (!der) return fail(std::move(der.error()));
  alg.der = std::move(*der);
  const unsigned char* p = alg.der.data();
  alg.algor.reset(d2i_X509_ALGOR(nullptr, &p, static_cast<long>(alg.der.size())));
  if (!alg.algor) return ossl::fail("d2i_X509_ALGOR (signature algorithm)");
  return alg;
}

Bytes der_tlv(std::uint8_t tag, ByteView body) {
  Bytes out{tag};
  std::size_t n = body.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    Bytes len;
    for (; n; n >>= 8) len.insert(len.begin(), static_cast<std::uint8_t>(n & 0xff));
    out.push_back(static_cast<std::uint8_t>(0x80 | len.size()));
    out.insert(out.end(), len.begin(), len.end());
  }
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes signed_der(ByteView tbs, ByteView algorithm, ByteView signature) {
  Bytes bits{0x00};  // no unused bits
  bits.insert(bits.end(), signature.begin(), signature.end());
  Bytes bit_string = der_tlv(0x03, bits);
  Bytes body(tbs.begin(), tbs.end());
  body.insert(body.end(), algorithm.begin(), algorithm.end());
  body.insert(body.end(), bit_string.begin(), bit_string.end());
  return der_tlv(0x30, body);
}

Status sign_certificate(X509* x, const keys::Signer& signer, const SignatureAlgorithm& alg) {
  // The two AlgorithmIdentifiers (TBSCertificate.signature and Certificate.signatureAlgorithm) and
  // the signature value live in the X509 object; OpenSSL offers them only const, as X509_sign
  // fills them internally. They are plain ASN.1 fields, so they are filled the same way here.
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* outer = nullptr;
  X509_get0_signature(&sig, &outer, x);
  if (X509_ALGOR_copy(const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(x)), alg.algor.get()) != 1 ||
      X509_ALGOR_copy(const_cast<X509_ALGOR*>(outer), alg.algor.get()) != 1)
    return ossl::fail("setting the signature algorithm");
  Bytes tbs = ossl::to_der(i2d_re_X509_tbs, x);  // re-encodes: the cached encoding is stale
  if (tbs.empty()) return ossl::fail("encoding the certificate");
  auto value = signer.sign(tbs, alg.params);
  if (!value) return fail(std::move(value.error()));
  auto* bits = const_cast<ASN1_BIT_STRING*>(sig);
  if (ASN1_BIT_STRING_set(bits, value->data(), static_cast<int>(value->size())) != 1)
    return ossl::fail("storing the signature");
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);  // no unused bits, as X509_sign sets it
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  return {};
}

}  // namespace onboard::x509::detail
