// Key generation on a PKCS#11 token with the attribute template of SPEC §4. Through Cryptoki
// directly: libp11 0.4.12 cannot generate EC keys, and only our own template guarantees the
// attributes (notes/deps.md §2).
#include <openssl/rand.h>

#include "pkcs11_module.h"

namespace onboard::keys::p11 {
namespace {

// DER OIDs for CKA_EC_PARAMS.
const CK_BYTE kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
const CK_BYTE kP384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
const CK_BYTE kRsaExponent[] = {0x01, 0x00, 0x01};

CK_BBOOL kTrue = CK_TRUE;
CK_BBOOL kFalse = CK_FALSE;

// A fresh CKA_ID no object on the token has yet: libp11 pairs private and public halves by
// CKA_ID, so a shared ID would pair a key with another key's public half.
Expected<Bytes> fresh_id(const Session& s) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    Bytes id(16);
    if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1) return ossl::fail("RAND_bytes");
    auto found = s.find({attr_bytes(CKA_ID, id.data(), id.size())}, 1);
    if (!found) return fail(std::move(found.error()));
    if (found->empty()) return id;
  }
  return fail(Errc::internal, "could not find an unused CKA_ID");
}

}  // namespace

Expected<Bytes> generate_key_pair(const Session& s, const std::string& label, KeyType type,
                                  const std::optional<Bytes>& wanted_id) {
  Bytes id;
  if (wanted_id) {
    auto found = s.find({attr_bytes(CKA_ID, wanted_id->data(), wanted_id->size())}, 1);
    if (!found) return fail(std::move(found.error()));
    if (!found->empty()) return fail(Errc::key, "an object with this id already exists on the token");
    id = *wanted_id;
  } else {
    auto fresh = fresh_id(s);
    if (!fresh) return fail(std::move(fresh.error()));
    id = std::move(*fresh);
  }
  CK_MECHANISM mech{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_ULONG bits = 0;
  std::vector<CK_ATTRIBUTE> pub = {attr(CKA_TOKEN, kTrue), attr(CKA_PRIVATE, kFalse), attr(CKA_VERIFY, kTrue),
                                   attr(CKA_ENCRYPT, kFalse), attr(CKA_WRAP, kFalse), attr(CKA_DERIVE, kFalse),
                                   attr_bytes(CKA_LABEL, label.data(), label.size()),
                                   attr_bytes(CKA_ID, id.data(), id.size())};
  switch (type) {
    case KeyType::p256: pub.push_back(attr_bytes(CKA_EC_PARAMS, kP256, sizeof kP256)); break;
    case KeyType::p384: pub.push_back(attr_bytes(CKA_EC_PARAMS, kP384, sizeof kP384)); break;
    case KeyType::rsa2048:
    case KeyType::rsa3072:
    case KeyType::rsa4096:
      mech.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
      bits = type == KeyType::rsa2048 ? 2048 : type == KeyType::rsa3072 ? 3072 : 4096;
      pub.push_back(attr(CKA_MODULUS_BITS, bits));
      pub.push_back(attr_bytes(CKA_PUBLIC_EXPONENT, kRsaExponent, sizeof kRsaExponent));
      break;
    case KeyType::ed25519:
      return fail(Errc::usage, "Ed25519 keys are supported in key files only (libp11 0.4.12 cannot sign with them)");
  }
  // SPEC §4: sensitive, never extractable, sign-only.
  std::vector<CK_ATTRIBUTE> priv = {attr(CKA_TOKEN, kTrue),       attr(CKA_PRIVATE, kTrue),
                                    attr(CKA_SENSITIVE, kTrue),   attr(CKA_EXTRACTABLE, kFalse),
                                    attr(CKA_SIGN, kTrue),        attr(CKA_DECRYPT, kFalse),
                                    attr(CKA_UNWRAP, kFalse),     attr(CKA_DERIVE, kFalse),
                                    attr_bytes(CKA_LABEL, label.data(), label.size()),
                                    attr_bytes(CKA_ID, id.data(), id.size())};
  CK_OBJECT_HANDLE hpub = CK_INVALID_HANDLE, hpriv = CK_INVALID_HANDLE;
  CK_RV rv = s.fn()->C_GenerateKeyPair(s.handle(), &mech, pub.data(), static_cast<CK_ULONG>(pub.size()), priv.data(),
                                       static_cast<CK_ULONG>(priv.size()), &hpub, &hpriv);
  if (rv != CKR_OK) return fail(Errc::key, "C_GenerateKeyPair failed (" + ckr_name(rv) + ")");
  return id;
}

}  // namespace onboard::keys::p11
