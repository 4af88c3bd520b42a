#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "backend.h"

namespace onboard::keys {

Expected<KeyType> key_type_of(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1) {
      // No curve name: a curve of its own, whatever its size (a 384-bit one is not P-384). The
      // providers in use name their curves (tpm2-openssl for key files and handles, libp11).
      ossl::clear_errors();
      return fail(Errc::key, "unsupported EC key: its curve is not a named one (P-256 and P-384 are supported)");
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

// ---- The one table of hash and padding per key type --------------------------------------

namespace {

bool is_rsa(KeyType t) { return t == KeyType::rsa2048 || t == KeyType::rsa3072 || t == KeyType::rsa4096; }
bool is_ec(KeyType t) { return t == KeyType::p256 || t == KeyType::p384; }

const char* md_name(Hash h) {
  switch (h) {
    case Hash::sha256: return "SHA256";
    case Hash::sha384: return "SHA384";
    case Hash::sha512: return "SHA512";
    case Hash::none: break;
  }
  return nullptr;
}

std::size_t hash_len(Hash h) {
  switch (h) {
    case Hash::sha256: return 32;
    case Hash::sha384: return 48;
    case Hash::sha512: return 64;
    case Hash::none: break;
  }
  return 0;
}

const char* hash_label(Hash h) {
  switch (h) {
    case Hash::sha256: return "SHA-256";
    case Hash::sha384: return "SHA-384";
    case Hash::sha512: return "SHA-512";
    case Hash::none: break;
  }
  return "no hash";
}

// DER pieces of the AlgorithmIdentifiers (RFC 5758, RFC 4055, RFC 8017, RFC 8410).
Bytes tlv(std::uint8_t tag, const Bytes& body) {  // bodies here are all < 128 bytes
  Bytes out{tag, static_cast<std::uint8_t>(body.size())};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
const Bytes kNull = {0x05, 0x00};
Bytes oid_rsa(std::uint8_t last) { return {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, last}; }
Bytes oid_ecdsa(std::uint8_t last) { return {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, last}; }
Bytes oid_sha2(std::uint8_t last) { return {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, last}; }
// Last arc of the OIDs per hash: SHA-2 (2.16.840.1.101.3.4.2.x), RSA PKCS#1 (1.2.840.113549.1.1.x),
// ECDSA (1.2.840.10045.4.3.x).
std::uint8_t sha2_arc(Hash h) { return h == Hash::sha256 ? 1 : h == Hash::sha384 ? 2 : 3; }
std::uint8_t rsa_arc(Hash h) { return h == Hash::sha256 ? 11 : h == Hash::sha384 ? 12 : 13; }
std::uint8_t ecdsa_arc(Hash h) { return h == Hash::sha256 ? 2 : h == Hash::sha384 ? 3 : 4; }

}  // namespace

SignParams default_params(KeyType t, bool pss) {
  switch (t) {
    case KeyType::p256: return {Hash::sha256, Padding::none};
    case KeyType::p384: return {Hash::sha384, Padding::none};
    case KeyType::ed25519: return {Hash::none, Padding::none};
    case KeyType::rsa2048:
    case KeyType::rsa3072:
    case KeyType::rsa4096: break;
  }
  return {Hash::sha256, pss ? Padding::pss : Padding::pkcs1};
}

Hash default_hash(KeyType t) { return default_params(t).hash; }

std::string params_name(const SignParams& p) {
  if (p.hash == Hash::none) return p.padding == Padding::none ? "Ed25519 (no pre-hash)" : "RSA without a hash";
  switch (p.padding) {
    case Padding::none: return std::string("ECDSA with ") + hash_label(p.hash);
    case Padding::pkcs1: return std::string("RSA PKCS#1 v1.5 with ") + hash_label(p.hash);
    case Padding::pss: return std::string("RSASSA-PSS with ") + hash_label(p.hash);
  }
  return "?";
}

Status check_params(KeyType t, const SignParams& p) {
  bool ok = false;
  if (is_ec(t)) ok = p.hash != Hash::none && p.padding == Padding::none;
  else if (is_rsa(t)) ok = p.hash != Hash::none && p.padding != Padding::none;
  else ok = p.hash == Hash::none && p.padding == Padding::none;  // Ed25519 signs the message itself
  if (ok) return {};
  return fail(Errc::usage, "a " + key_type_name(t) + " key cannot sign " + params_name(p));
}

Expected<Bytes> signature_algorithm_der(KeyType t, const SignParams& p) {
  if (auto ok = check_params(t, p); !ok) return fail(std::move(ok.error()));
  if (t == KeyType::ed25519) return Bytes{0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
  if (is_ec(t)) return tlv(0x30, oid_ecdsa(ecdsa_arc(p.hash)));  // parameters absent (RFC 5758 §3.2)
  if (p.padding == Padding::pkcs1) return tlv(0x30, cat({oid_rsa(rsa_arc(p.hash)), kNull}));
  // RSASSA-PSS-params (RFC 4055 §3.1): hash, MGF1 with the same hash, salt = hash length,
  // trailerField 1 (the default, so omitted). Hash identifiers carry NULL, as OpenSSL writes them.
  Bytes hash_alg = tlv(0x30, cat({oid_sha2(sha2_arc(p.hash)), kNull}));
  Bytes mgf = tlv(0x30, cat({oid_rsa(8), hash_alg}));
  Bytes salt = {0x02, 0x01, static_cast<std::uint8_t>(hash_len(p.hash))};
  Bytes params = tlv(0x30, cat({tlv(0xa0, hash_alg), tlv(0xa1, mgf), tlv(0xa2, salt)}));
  return tlv(0x30, cat({oid_rsa(10), params}));
}

namespace {

// Sets up a sign or verify context for `params`: the one place OpenSSL learns the padding.
Status setup_padding(EVP_PKEY_CTX* pctx, const SignParams& params) {
  // PKCS#1 v1.5 is every RSA implementation's default (some token providers refuse to be told).
  if (params.padding != Padding::pss) return {};
  if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)
    return ossl::fail("RSA-PSS setup", Errc::key);
  return {};
}

Expected<ossl::Ptr<EVP_MD_CTX>> init_sign(EVP_PKEY* key, OSSL_LIB_CTX* libctx, const SignParams& params) {
  ossl::Ptr<EVP_MD_CTX> md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!md || EVP_DigestSignInit_ex(md.get(), &pctx, md_name(params.hash), libctx, nullptr, key, nullptr) != 1)
    return ossl::fail("EVP_DigestSignInit", Errc::key);
  if (auto ok = setup_padding(pctx, params); !ok) return fail(std::move(ok.error()));
  return md;
}

Expected<Bytes> digest_sign(EVP_MD_CTX* md, ByteView message) {
  size_t len = 0;
  if (EVP_DigestSign(md, nullptr, &len, message.data(), message.size()) != 1)
    return ossl::fail("EVP_DigestSign", Errc::key);
  Bytes sig(len);
  if (EVP_DigestSign(md, sig.data(), &len, message.data(), message.size()) != 1)
    return ossl::fail("EVP_DigestSign", Errc::key);
  sig.resize(len);
  return sig;
}

// EVP_DigestSignInit_ex fetches the digest and the signature implementation every time, which
// costs a third of an ECDSA signature. A PkeyContext initialises once and copies that template
// per signature. A provider that cannot duplicate its context (some tokens) gets no template:
// then each signature initialises afresh, as before.
class PkeyContext : public SigningContext {
 public:
  PkeyContext(const SignParams& params, EVP_PKEY* key, OSSL_LIB_CTX* libctx, std::shared_ptr<void> keepalive,
              std::string description, ossl::Ptr<EVP_MD_CTX> tmpl)
      : SigningContext(params), keepalive_(std::move(keepalive)), key_(key), libctx_(libctx),
        description_(std::move(description)), template_(std::move(tmpl)) {
    EVP_PKEY_up_ref(key_);
  }
  ~PkeyContext() override {
    template_.reset();
    EVP_PKEY_free(key_);
  }

  Expected<Bytes> sign(ByteView message) const override {
    if (template_) {
      ossl::Ptr<EVP_MD_CTX> md(EVP_MD_CTX_new());
      if (md && EVP_MD_CTX_copy_ex(md.get(), template_.get()) == 1) {
        EVP_MD_CTX_set_flags(md.get(), EVP_MD_CTX_FLAG_FINALISE);  // no internal copy before the final step
        if (auto sig = digest_sign(md.get(), message)) return sig;
      }
      ossl::clear_errors();  // fall through: sign without the template
    }
    auto md = init_sign(key_, libctx_, params());
    auto sig = md ? digest_sign(md->get(), message) : fail(std::move(md.error()));
    if (!sig) return fail(std::move(sig.error()).context("signing with " + description_));
    return sig;
  }

 private:
  std::shared_ptr<void> keepalive_;  // destroyed last
  EVP_PKEY* key_;
  OSSL_LIB_CTX* libctx_;
  std::string description_;
  ossl::Ptr<EVP_MD_CTX> template_;
};

// The default Signer::prepare: a context that signs through Signer::sign.
class ForwardingContext : public SigningContext {
 public:
  ForwardingContext(const Signer& signer, const SignParams& params) : SigningContext(params), signer_(signer) {}
  Expected<Bytes> sign(ByteView message) const override { return signer_.sign(message, params()); }

 private:
  const Signer& signer_;
};

// SubjectPublicKeyInfo prefixes for keys whose SPKI is prefix + encoded point (RFC 5480, RFC 8410).
// Building it from the raw point avoids OpenSSL 3.0's encoder, which costs more than a signature.
Bytes fast_spki(EVP_PKEY* key, KeyType type) {
  static const Bytes kP256 = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
                              0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
  static const Bytes kP384 = {0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
                              0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00};
  if (!is_ec(type)) return {};
  unsigned char point[97];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point, &len) != 1) {
    ossl::clear_errors();
    return {};
  }
  const Bytes& prefix = type == KeyType::p256 ? kP256 : kP384;
  if (len != (type == KeyType::p256 ? 65u : 97u) || point[0] != 0x04) return {};
  Bytes spki = prefix;
  spki.insert(spki.end(), point, point + len);
  return spki;
}

}  // namespace

Expected<std::shared_ptr<const SigningContext>> Signer::prepare(const SignParams& params) const {
  if (auto ok = check_params(key_type(), params); !ok) return fail(std::move(ok.error()).context(description()));
  return std::shared_ptr<const SigningContext>(std::make_shared<ForwardingContext>(*this, params));
}

PkeySigner::PkeySigner(ossl::Ptr<EVP_PKEY> key, std::string description, OSSL_LIB_CTX* ctx,
                       std::shared_ptr<void> keepalive)
    : keepalive_(std::move(keepalive)), key_(std::move(key)), description_(std::move(description)), ctx_(ctx) {
  auto t = key_type_of(key_.get());
  type_ = t ? *t : KeyType::p256;  // backends refuse unsupported keys before they get here
}

PkeySigner::~PkeySigner() = default;

const Bytes& PkeySigner::public_key_der() const {
  if (spki_.empty()) spki_ = fast_spki(key_.get(), type_);
  if (spki_.empty()) spki_ = ossl::spki_der(key_.get());
  return spki_;
}

Expected<std::shared_ptr<const SigningContext>> PkeySigner::prepare(const SignParams& params) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& c : contexts_)
    if (c->params() == params) return c;
  if (auto ok = check_params(type_, params); !ok) return fail(std::move(ok.error()).context(description_));
  auto md = init_sign(key_.get(), ctx_, params);
  if (!md) return fail(std::move(md.error()).context("signing with " + description_));
  ossl::Ptr<EVP_MD_CTX> probe(EVP_MD_CTX_new());
  bool copyable = probe && EVP_MD_CTX_copy_ex(probe.get(), md->get()) == 1;
  ossl::clear_errors();
  std::shared_ptr<const SigningContext> c = std::make_shared<PkeyContext>(
      params, key_.get(), ctx_, keepalive_, description_, copyable ? std::move(*md) : ossl::Ptr<EVP_MD_CTX>());
  contexts_.push_back(c);
  return c;
}

Expected<Bytes> PkeySigner::sign(ByteView message, const SignParams& params) const {
  auto c = prepare(params);
  if (!c) return fail(std::move(c.error()));
  return (*c)->sign(message);
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

Status verify(const EVP_PKEY* public_key, ByteView message, ByteView signature, const SignParams& params) {
  ossl::Ptr<EVP_MD_CTX> md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!md || EVP_DigestVerifyInit_ex(md.get(), &pctx, md_name(params.hash), nullptr, nullptr,
                                     const_cast<EVP_PKEY*>(public_key), nullptr) != 1)
    return ossl::fail("EVP_DigestVerifyInit", Errc::internal);
  if (auto ok = setup_padding(pctx, params); !ok) return fail(Errc::internal, ok.error().message);
  int rc = EVP_DigestVerify(md.get(), signature.data(), signature.size(), message.data(), message.size());
  ossl::clear_errors();
  if (rc != 1) return fail(Errc::verify_failed, "the " + params_name(params) + " signature does not verify");
  return {};
}

}  // namespace onboard::keys
