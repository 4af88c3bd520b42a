// onboard::ossl — owners for OpenSSL handles, error-queue draining, PEM/DER helpers.
// Used by the library only; tools never include this header (DESIGN rule 1).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "onboard/core/core.h"

namespace onboard::ossl {

template <class T>
struct Deleter;
#define ONBOARD_OSSL_DELETER(T, fn) \
  template <>                       \
  struct Deleter<T> {               \
    void operator()(T* p) const { fn(p); } \
  };
ONBOARD_OSSL_DELETER(EVP_PKEY, EVP_PKEY_free)
ONBOARD_OSSL_DELETER(EVP_PKEY_CTX, EVP_PKEY_CTX_free)
ONBOARD_OSSL_DELETER(EVP_MD_CTX, EVP_MD_CTX_free)
ONBOARD_OSSL_DELETER(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)
ONBOARD_OSSL_DELETER(X509, X509_free)
ONBOARD_OSSL_DELETER(X509_REQ, X509_REQ_free)
ONBOARD_OSSL_DELETER(X509_NAME, X509_NAME_free)
ONBOARD_OSSL_DELETER(X509_EXTENSION, X509_EXTENSION_free)
ONBOARD_OSSL_DELETER(X509_STORE, X509_STORE_free)
ONBOARD_OSSL_DELETER(X509_STORE_CTX, X509_STORE_CTX_free)
ONBOARD_OSSL_DELETER(X509_CRL, X509_CRL_free)
ONBOARD_OSSL_DELETER(X509_ALGOR, X509_ALGOR_free)
ONBOARD_OSSL_DELETER(BIO, BIO_free_all)
ONBOARD_OSSL_DELETER(BIGNUM, BN_clear_free)
ONBOARD_OSSL_DELETER(ECDSA_SIG, ECDSA_SIG_free)
ONBOARD_OSSL_DELETER(ASN1_STRING, ASN1_STRING_free)  // also ASN1_INTEGER, ASN1_TIME, ASN1_OCTET_STRING...
ONBOARD_OSSL_DELETER(ASN1_OBJECT, ASN1_OBJECT_free)
ONBOARD_OSSL_DELETER(GENERAL_NAMES, GENERAL_NAMES_free)
ONBOARD_OSSL_DELETER(AUTHORITY_KEYID, AUTHORITY_KEYID_free)
ONBOARD_OSSL_DELETER(BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free)
ONBOARD_OSSL_DELETER(EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free)
ONBOARD_OSSL_DELETER(CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free)
ONBOARD_OSSL_DELETER(OSSL_STORE_CTX, OSSL_STORE_close)
ONBOARD_OSSL_DELETER(OSSL_STORE_INFO, OSSL_STORE_INFO_free)
ONBOARD_OSSL_DELETER(OSSL_LIB_CTX, OSSL_LIB_CTX_free)
ONBOARD_OSSL_DELETER(OSSL_PARAM_BLD, OSSL_PARAM_BLD_free)
ONBOARD_OSSL_DELETER(OSSL_PARAM, OSSL_PARAM_free)
ONBOARD_OSSL_DELETER(OSSL_PROVIDER, OSSL_PROVIDER_unload)
ONBOARD_OSSL_DELETER(OSSL_ENCODER_CTX, OSSL_ENCODER_CTX_free)
#undef ONBOARD_OSSL_DELETER
template <>
struct Deleter<STACK_OF(X509)> {
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};
template <>
struct Deleter<unsigned char> {  // buffers returned by i2d_* with a null out pointer
  void operator()(unsigned char* p) const { OPENSSL_free(p); }
};

template <class T>
using Ptr = std::unique_ptr<T, Deleter<T>>;

/// Drain the whole OpenSSL error queue into one Error naming the failed call (DESIGN rule 4).
Error error(const std::string& call, Errc code = Errc::internal);
inline tl::unexpected<Error> fail(const std::string& call, Errc code = Errc::internal) {
  return tl::unexpected<Error>(error(call, code));
}
/// Discard whatever is on the error queue.
void clear_errors();

/// DER of any i2d_-able object.
template <class F, class T>
Bytes to_der(F i2d, T* obj) {
  unsigned char* buf = nullptr;
  int n = i2d(obj, &buf);
  if (n <= 0) return {};
  Ptr<unsigned char> own(buf);
  return Bytes(buf, buf + n);
}

/// Up-ref'd shared copy of a certificate.
Ptr<X509> up_ref(X509* x);

/// All certificates in a PEM file (or a single DER certificate). Errc::malformed if none.
Expected<std::vector<Ptr<X509>>> load_certs(const std::string& path);
/// Exactly one certificate expected; more is an error naming the file.
Expected<Ptr<X509>> load_cert(const std::string& path);
Expected<std::vector<Ptr<X509>>> parse_certs_pem(const std::string& text, const std::string& where);
Expected<Ptr<X509>> parse_cert_der(ByteView der, const std::string& where);
std::string cert_to_pem(X509* x);
Bytes cert_to_der(X509* x);
/// "/O=Org/CN=Name" → X509_NAME (RFC 4514-ish slash form as `openssl -subj`).
Expected<Ptr<X509_NAME>> parse_name(const std::string& slash_form);
std::string name_to_string(const X509_NAME* n);  ///< one-line RFC 2253 form
/// DER SubjectPublicKeyInfo of a key.
Bytes spki_der(const EVP_PKEY* key);

}  // namespace onboard::ossl

// Owners for the hardware-key libraries, compiled only into the keys component (which defines
// ONBOARD_KEYS_HW): libp11 contexts and the TPM software stack's contexts and buffers.
#ifdef ONBOARD_KEYS_HW
#include <libp11.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

namespace onboard::ossl {
template <>
struct Deleter<PKCS11_CTX> {  // unload calls C_Finalize
  void operator()(PKCS11_CTX* p) const {
    PKCS11_CTX_unload(p);
    PKCS11_CTX_free(p);
  }
};
template <>
struct Deleter<TSS2_TCTI_CONTEXT> {
  void operator()(TSS2_TCTI_CONTEXT* p) const { Tss2_TctiLdr_Finalize(&p); }
};
template <>
struct Deleter<ESYS_CONTEXT> {
  void operator()(ESYS_CONTEXT* p) const { Esys_Finalize(&p); }
};
/// Buffers the ESYS API returns (TPM2B_PUBLIC, TPM2B_PRIVATE, ...).
struct EsysFree {
  void operator()(void* p) const { Esys_Free(p); }
};
template <class T>
using EsysPtr = std::unique_ptr<T, EsysFree>;
}  // namespace onboard::ossl
#endif
