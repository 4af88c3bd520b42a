// Private: the interface each key backend implements (DESIGN rule 5).
#pragma once

#include <mutex>
#include <vector>

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

/// The Signer all three backends hand out: it owns an EVP_PKEY (for PKCS#11 and TPM keys a
/// handle into the token or TPM), the library context the key belongs to, and whatever backend
/// state must outlive it. Signing goes through one prepared context per SignParams, made on
/// first use and kept (see signer.cpp).
class PkeySigner : public Signer {
 public:
  PkeySigner(ossl::Ptr<EVP_PKEY> key, std::string description, OSSL_LIB_CTX* ctx = nullptr,
             std::shared_ptr<void> keepalive = {});
  ~PkeySigner() override;
  std::string description() const override { return description_; }
  KeyType key_type() const override { return type_; }
  const Bytes& public_key_der() const override;
  Expected<Bytes> sign(ByteView message, const SignParams& params) const override;
  Expected<std::shared_ptr<const SigningContext>> prepare(const SignParams& params) const override;

  /// The key object, for the keys component and its tests only.
  EVP_PKEY* pkey() const { return key_.get(); }
  OSSL_LIB_CTX* libctx() const { return ctx_; }

 private:
  std::shared_ptr<void> keepalive_;  // destroyed after key_
  ossl::Ptr<EVP_PKEY> key_;
  std::string description_;
  OSSL_LIB_CTX* ctx_;
  KeyType type_;
  mutable Bytes spki_;
  mutable std::mutex mutex_;  // guards contexts_
  mutable std::vector<std::shared_ptr<const SigningContext>> contexts_;
};

/// Generate a key pair in software (default provider).
Expected<ossl::Ptr<EVP_PKEY>> generate_software_key(KeyType type);
/// Key type of an EVP_PKEY, or Errc::key for unsupported keys.
Expected<KeyType> key_type_of(const EVP_PKEY* key);

}  // namespace onboard::keys
