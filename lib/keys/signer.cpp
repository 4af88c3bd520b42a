#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "backend.h"

namespace onboard::keys {

Expected<KeyType> key_type_of(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1) {
      // Some providers (tpm2) expose only the bit size.
      int bits = EVP_PKEY_get_bits(key);
      ossl::clear_errors();
      if (bits == 256) return KeyType::p256;
      if (bits == 384) return KeyType::p384;
      return fail(Errc::key, "unsupported EC key");
    }
    std::string g = group;
    if (g == "prime256v1" || g == "P-256") return KeyType::p256;
    if (g == "secp384r1" || g == "P-384") return KeyType::p384;
    return fail(Errc::key, "unsupported EC curve " + g + " (P-256 and P-384 are supported)");
  }
  if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) {
    int bits = EVP_PKEY_get_bits(key);
    if (bits == 2048) return KeyType::rsa2048;
    if (bits == 3072) return KeyType::rsa3072;
    if (bits == 4096) return KeyType::rsa4096;
    return fail(Errc::key, "unsupported RSA key size " + std::to_string(bits) + " (2048, 3072, 4096)");
  }
  if (EVP_PKEY_is_a(key, "ED25519")) return KeyType::ed25519;
  return fail(Errc::key, "unsupported key algorithm");
}

Expected<ossl::Ptr<EVP_PKEY>> generate_software_key(KeyType type) {
  if (type == KeyType::p256) {
    // A batch makes thousands: keep one prepared context instead of fetching per key.
    static thread_local ossl::Ptr<EVP_PKEY_CTX> p256 = [] {
      ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
      if (ctx && (EVP_PKEY_keygen_init(ctx.get()) != 1 ||
                  EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") != 1))
        ctx.reset();
      return ctx;
    }();
    EVP_PKEY* k = nullptr;
    if (p256 && EVP_PKEY_generate(p256.get(), &k) == 1) return ossl::Ptr<EVP_PKEY>(k);
    return ossl::fail("EVP_PKEY_generate", Errc::key);
  }
  EVP_PKEY* k = nullptr;
  switch (type) {
    case KeyType::p256: break;
    case KeyType::p384: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case KeyType::rsa2048: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}); break;
    case KeyType::rsa3072: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072}); break;
    case KeyType::rsa4096: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096}); break;
    case KeyType::ed25519: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
  }
  if (!k) return ossl::fail("EVP_PKEY_Q_keygen", Errc::key);
  return ossl::Ptr<EVP_PKEY>(k);
}

KeyType Signer::key_type() const {
  auto t = key_type_of(pkey());
  return t ? *t : KeyType::p256;  // backends refuse unsupported keys at open()
}

namespace {
// SubjectPublicKeyInfo prefixes for keys whose SPKI is prefix + encoded point (RFC 5480, RFC 8410).
// Building it from the raw point avoids OpenSSL 3.0's encoder, which costs more than a signature.
Bytes fast_spki(EVP_PKEY* key) {
  static const Bytes kP256 = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
                              0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
  static const Bytes kP384 = {0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
                              0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00};
  auto type = key_type_of(key);
  if (!type || (*type != KeyType::p256 && *type != KeyType::p384)) return {};
  unsigned char point[97];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point, &len) != 1) {
    ossl::clear_errors();
    return {};
  }
  const Bytes& prefix = *type == KeyType::p256 ? kP256 : kP384;
  if (len != (*type == KeyType::p256 ? 65u : 97u) || point[0] != 0x04) return {};
  Bytes spki = prefix;
  spki.insert(spki.end(), point, point + len);
  return spki;
}
}  // namespace

const Bytes& Signer::public_key_der() const {
  if (spki_.empty()) spki_ = fast_spki(pkey());
  if (spki_.empty()) spki_ = ossl::spki_der(pkey());
  return spki_;
}

Expected<Bytes> Signer::sign(ByteView message, const SignParams& params) const {
  ossl::Ptr<EVP_MD_CTX> md(EVP_MD_CTX_new());
  const char* mdname = nullptr;
  switch (params.hash) {
    case Hash::none: break;
    case Hash::sha256: mdname = "SHA256"; break;
    case Hash::sha384: mdname = "SHA384"; break;
    case Hash::sha512: mdname = "SHA512"; break;
  }
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit_ex(md.get(), &pctx, mdname, libctx(), nullptr, pkey(), nullptr) != 1)
    return ossl::fail("signing with " + description() + ": EVP_DigestSignInit", Errc::key);
  if (params.pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
    return ossl::fail("signing with " + description() + ": RSA-PSS setup", Errc::key);
  size_t len = 0;
  if (EVP_DigestSign(md.get(), nullptr, &len, message.data(), message.size()) != 1)
    return ossl::fail("signing with " + description() + ": EVP_DigestSign", Errc::key);
  Bytes sig(len);
  if (EVP_DigestSign(md.get(), sig.data(), &len, message.data(), message.size()) != 1)
    return ossl::fail("signing with " + description() + ": EVP_DigestSign", Errc::key);
  sig.resize(len);
  return sig;
}

KeyContext::KeyContext(KeyOptions options) : options_(std::move(options)) {}
KeyContext::~KeyContext() = default;

Expected<KeyContext::Backend*> KeyContext::backend(KeyUri::Scheme scheme) {
  switch (scheme) {
    case KeyUri::Scheme::file:
      if (!file_) file_ = make_file_backend(options_);
      return file_.get();
    case KeyUri::Scheme::pkcs11:
      if (!pkcs11_) pkcs11_ = make_pkcs11_backend(options_);
      return pkcs11_.get();
    case KeyUri::Scheme::tpm2:
      if (!tpm2_) tpm2_ = make_tpm2_backend(options_);
      return tpm2_.get();
  }
  return fail(Errc::internal, "unknown key scheme");
}

Expected<std::unique_ptr<Signer>> KeyContext::open(const KeyUri& uri) {
  auto b = backend(uri.scheme);
  if (!b) return fail(std::move(b.error()));
  return (*b)->open(uri);
}

Expected<std::unique_ptr<Signer>> KeyContext::generate(const KeyUri& uri, KeyType type) {
  auto b = backend(uri.scheme);
  if (!b) return fail(std::move(b.error()));
  return (*b)->generate(uri, type);
}

Expected<bool> KeyContext::exists(const KeyUri& uri) {
  auto b = backend(uri.scheme);
  if (!b) return fail(std::move(b.error()));
  return (*b)->exists(uri);
}

Expected<std::shared_ptr<EVP_PKEY>> parse_public_key(ByteView spki_der) {
  const unsigned char* p = spki_der.data();
  EVP_PKEY* k = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size()));
  if (!k) return ossl::fail("d2i_PUBKEY", Errc::malformed);
  return std::shared_ptr<EVP_PKEY>(k, ossl::Deleter<EVP_PKEY>());
}

}  // namespace onboard::keys
