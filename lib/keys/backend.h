// Private: the interface each key backend implements (DESIGN rule 5).
#pragma once

#include "onboard/keys/keys.h"
#include "ossl.h"

namespace onboard::keys {

class KeyContext::Backend {
 public:
  virtual ~Backend() = default;
  virtual Expected<std::unique_ptr<Signer>> open(const KeyUri& uri) = 0;
  virtual Expected<std::unique_ptr<Signer>> generate(const KeyUri& uri, KeyType type) = 0;
  virtual Expected<bool> exists(const KeyUri& uri) = 0;
};

std::unique_ptr<KeyContext::Backend> make_file_backend(const KeyOptions& options);
std::unique_ptr<KeyContext::Backend> make_pkcs11_backend(const KeyOptions& options);
std::unique_ptr<KeyContext::Backend> make_tpm2_backend(const KeyOptions& options);

/// A Signer that owns an EVP_PKEY (and optionally keeps its backend state alive).
class PkeySigner : public Signer {
 public:
  PkeySigner(ossl::Ptr<EVP_PKEY> key, std::string description, OSSL_LIB_CTX* ctx = nullptr,
             std::shared_ptr<void> keepalive = {})
      : keepalive_(std::move(keepalive)), key_(std::move(key)), description_(std::move(description)), ctx_(ctx) {}
  EVP_PKEY* pkey() const override { return key_.get(); }
  OSSL_LIB_CTX* libctx() const override { return ctx_; }
  std::string description() const override { return description_; }

 private:
  std::shared_ptr<void> keepalive_;  // destroyed after key_
  ossl::Ptr<EVP_PKEY> key_;
  std::string description_;
  OSSL_LIB_CTX* ctx_;
};

/// Generate a key pair in software (default provider).
Expected<ossl::Ptr<EVP_PKEY>> generate_software_key(KeyType type);
/// Key type of an EVP_PKEY, or Errc::key for unsupported keys.
Expected<KeyType> key_type_of(const EVP_PKEY* key);

}  // namespace onboard::keys
