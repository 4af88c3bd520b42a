// Software TPM2_MakeCredential: the verifier half of credential activation (TPM 2.0 Library
// Part 1 §24 "Credential Protection": §24.4 seed, KDFa/KDFe (§11.4.10), "IDENTITY", "STORAGE",
// "INTEGRITY" labels; Part 2 TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET). TCG "TPM 2.0 Keys for
// Device Identity and Attestation" v1.00 r12 §6.1.2: the CA binds the IAK to the EK with it.
#include <cstring>

#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include "attest_internal.h"
#include "ossl.h"

namespace onboard::attest {
namespace {

void put_u16(Bytes& b, std::size_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put_u32(Bytes& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}
void append(Bytes& b, ByteView v) { b.insert(b.end(), v.begin(), v.end()); }
Bytes label_of(const char* s) { return Bytes(s, s + std::strlen(s) + 1); }  // with its NUL (Part 1 §11.4.10.1)

// KDFa (Part 1 §11.4.10.2): SP 800-108 counter mode with HMAC.
Bytes kdfa(std::uint16_t alg, ByteView key, const char* label, ByteView context_u, ByteView context_v, std::uint32_t bits) {
  const EVP_MD* md = detail::digest_for(alg);
  Bytes out;
  for (std::uint32_t i = 1; out.size() * 8 < bits; ++i) {
    Bytes in;
    put_u32(in, i);
    append(in, label_of(label));
    append(in, context_u);
    append(in, context_v);
    put_u32(in, bits);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    HMAC(md, key.data(), static_cast<int>(key.size()), in.data(), in.size(), mac, &n);
    out.insert(out.end(), mac, mac + n);
  }
  out.resize(bits / 8);
  return out;
}

// KDFe (Part 1 §11.4.10.3): SP 800-56A concatenation KDF.
Bytes kdfe(std::uint16_t alg, ByteView z, const char* label, ByteView party_u, ByteView party_v, std::uint32_t bits) {
  Bytes out;
  for (std::uint32_t i = 1; out.size() * 8 < bits; ++i) {
    Bytes in;
    put_u32(in, i);
    append(in, z);
    append(in, label_of(label));
    append(in, party_u);
    append(in, party_v);
    Bytes h = detail::hash(alg, in);
    append(out, h);
  }
  out.resize(bits / 8);
  return out;
}

struct Seed {
  Bytes seed, encrypted;  // encrypted: the TPM2B_ENCRYPTED_SECRET's buffer
};

Expected<Seed> rsa_seed(const TpmPublic& ek, std::size_t size) {
  Seed s;
  s.seed.resize(size);
  if (RAND_bytes(s.seed.data(), static_cast<int>(size)) != 1) return ossl::fail("RAND_bytes");
  auto key = detail::public_key(ek);
  if (!key) return fail(std::move(key.error()));
  ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(key->get(), nullptr));
  Bytes label = label_of("IDENTITY");
  // set0_rsa_oaep_label takes ownership of an OPENSSL_malloc'ed copy.
  auto* l = static_cast<unsigned char*>(OPENSSL_memdup(label.data(), label.size()));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), detail::digest_for(ek.name_alg)) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), detail::digest_for(ek.name_alg)) <= 0 ||
      EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), l, static_cast<int>(label.size())) <= 0) {
    OPENSSL_free(l);
    return ossl::fail("EVP_PKEY_encrypt_init (RSA-OAEP)");
  }
  std::size_t n = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &n, s.seed.data(), s.seed.size()) <= 0) return ossl::fail("EVP_PKEY_encrypt");
  s.encrypted.resize(n);
  if (EVP_PKEY_encrypt(ctx.get(), s.encrypted.data(), &n, s.seed.data(), s.seed.size()) <= 0)
    return ossl::fail("EVP_PKEY_encrypt");
  s.encrypted.resize(n);
  return s;
}

Expected<Seed> ecc_seed(const TpmPublic& ek, const TPMT_PUBLIC& t, std::size_t size) {
  auto peer = detail::public_key(ek);
  if (!peer) return fail(std::move(peer.error()));
  // A fresh ephemeral key on the EK's curve.
  ossl::Ptr<EVP_PKEY_CTX> kctx(EVP_PKEY_CTX_new(peer->get(), nullptr));
  EVP_PKEY* eph_raw = nullptr;
  if (!kctx || EVP_PKEY_keygen_init(kctx.get()) <= 0 || EVP_PKEY_keygen(kctx.get(), &eph_raw) <= 0)
    return ossl::fail("EVP_PKEY_keygen (ephemeral ECC key)");
  ossl::Ptr<EVP_PKEY> eph(eph_raw);
  ossl::Ptr<EVP_PKEY_CTX> dctx(EVP_PKEY_CTX_new(eph.get(), nullptr));
  std::size_t zlen = 0;
  if (!dctx || EVP_PKEY_derive_init(dctx.get()) <= 0 || EVP_PKEY_derive_set_peer(dctx.get(), peer->get()) <= 0 ||
      EVP_PKEY_derive(dctx.get(), nullptr, &zlen) <= 0)
    return ossl::fail("EVP_PKEY_derive (ECDH)");
  Bytes z(zlen);
  if (EVP_PKEY_derive(dctx.get(), z.data(), &zlen) <= 0) return ossl::fail("EVP_PKEY_derive (ECDH)");
  z.resize(zlen);
  // The ephemeral point, coordinates padded to the curve size, as the TPM will read it.
  unsigned char point[1 + 2 * 66];
  std::size_t plen = 0;
  if (EVP_PKEY_get_octet_string_param(eph.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &plen) != 1 || plen < 3 ||
      point[0] != 0x04)
    return ossl::fail("EVP_PKEY_get_octet_string_param (ephemeral point)");
  std::size_t coord = (plen - 1) / 2;
  TPMS_ECC_POINT q{};
  q.x.size = static_cast<UINT16>(coord);
  std::memcpy(q.x.buffer, point + 1, coord);
  q.y.size = static_cast<UINT16>(coord);
  std::memcpy(q.y.buffer, point + 1 + coord, coord);
  Seed s;
  s.seed = kdfe(ek.name_alg, z, "IDENTITY", ByteView(q.x.buffer, q.x.size),
                ByteView(t.unique.ecc.x.buffer, t.unique.ecc.x.size), static_cast<std::uint32_t>(size * 8));
  s.encrypted.resize(sizeof(TPMS_ECC_POINT));
  std::size_t off = 0;
  if (Tss2_MU_TPMS_ECC_POINT_Marshal(&q, s.encrypted.data(), s.encrypted.size(), &off) != TSS2_RC_SUCCESS)
    return fail(Errc::internal, "TPMS_ECC_POINT: marshal failed");
  s.encrypted.resize(off);
  OPENSSL_cleanse(z.data(), z.size());
  return s;
}

// TPMS_ID_OBJECT (Part 1 §24.4, §24.5): integrityHMAC || encIdentity, where encIdentity =
// CFB(KDFa(seed, "STORAGE", Name), IV 0, TPM2B_DIGEST(secret)) and integrityHMAC =
// HMAC(KDFa(seed, "INTEGRITY"), encIdentity || Name).
Expected<Bytes> id_object(std::uint16_t alg, const EVP_CIPHER* cipher, std::uint32_t key_bits, ByteView seed,
                          ByteView name, ByteView secret) {
  const std::size_t hlen = detail::hash(alg, {}).size();
  Bytes sym_key = kdfa(alg, seed, "STORAGE", name, {}, key_bits);
  Bytes plain;
  put_u16(plain, secret.size());
  append(plain, secret);
  Bytes enc(plain.size());
  unsigned char iv[16] = {0};
  ossl::Ptr<EVP_CIPHER_CTX> cctx(EVP_CIPHER_CTX_new());
  int n1 = 0, n2 = 0;
  bool ok = cctx && EVP_EncryptInit_ex(cctx.get(), cipher, nullptr, sym_key.data(), iv) == 1 &&
            EVP_EncryptUpdate(cctx.get(), enc.data(), &n1, plain.data(), static_cast<int>(plain.size())) == 1 &&
            EVP_EncryptFinal_ex(cctx.get(), enc.data() + n1, &n2) == 1;
  OPENSSL_cleanse(sym_key.data(), sym_key.size());
  OPENSSL_cleanse(plain.data(), plain.size());
  if (!ok) return ossl::fail("EVP_Encrypt (AES-CFB)");
  Bytes hmac_key = kdfa(alg, seed, "INTEGRITY", {}, {}, static_cast<std::uint32_t>(hlen * 8));
  Bytes mac_in = enc;
  append(mac_in, name);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mlen = 0;
  HMAC(detail::digest_for(alg), hmac_key.data(), static_cast<int>(hmac_key.size()), mac_in.data(), mac_in.size(), mac, &mlen);
  OPENSSL_cleanse(hmac_key.data(), hmac_key.size());
  Bytes id;
  put_u16(id, mlen);
  append(id, ByteView(mac, mlen));
  append(id, enc);
  return id;
}

}  // namespace

Expected<Challenge> make_credential(const TpmPublic& ek, ByteView object_name) {
  TPMT_PUBLIC t{};
  std::size_t off = 0;
  if (Tss2_MU_TPMT_PUBLIC_Unmarshal(ek.area.data(), ek.area.size(), &off, &t) != TSS2_RC_SUCCESS)
    return fail(Errc::malformed, "EK public area: does not parse");
  // An EK is a restricted decryption (storage) key with a symmetric algorithm for its children
  // (EK Credential Profile templates: AES-128-CFB or AES-256-CFB).
  if ((ek.attributes & (kRestricted | kDecrypt)) != (kRestricted | kDecrypt) || (ek.attributes & kSign))
    return fail(Errc::untrusted, "EK public area: not a restricted decryption key");
  const TPMT_SYM_DEF_OBJECT& sym = t.type == TPM2_ALG_RSA ? t.parameters.rsaDetail.symmetric : t.parameters.eccDetail.symmetric;
  const EVP_CIPHER* cipher = nullptr;
  if (sym.algorithm == TPM2_ALG_AES && sym.mode.aes == TPM2_ALG_CFB) {
    if (sym.keyBits.aes == 128) cipher = EVP_aes_128_cfb();
    if (sym.keyBits.aes == 256) cipher = EVP_aes_256_cfb();
  }
  if (!cipher) return fail(Errc::untrusted, "EK public area: symmetric algorithm is not AES-128/256-CFB");
  if (object_name.size() < 2) return fail(Errc::usage, "make_credential: empty object Name");
  const std::size_t hlen = detail::hash(ek.name_alg, {}).size();

  auto seed = t.type == TPM2_ALG_RSA ? rsa_seed(ek, hlen) : ecc_seed(ek, t, hlen);
  if (!seed) return fail(std::move(seed.error()));
  Challenge c;
  c.secret.resize(32);
  if (RAND_bytes(c.secret.data(), 32) != 1) return ossl::fail("RAND_bytes");
  auto id = id_object(ek.name_alg, cipher, sym.keyBits.aes, seed->seed, object_name, c.secret);
  OPENSSL_cleanse(seed->seed.data(), seed->seed.size());
  if (!id) return fail(std::move(id.error()));
  put_u16(c.credential_blob, id->size());
  append(c.credential_blob, *id);
  put_u16(c.encrypted_secret, seed->encrypted.size());
  append(c.encrypted_secret, seed->encrypted);
  return c;
}

}  // namespace onboard::attest
