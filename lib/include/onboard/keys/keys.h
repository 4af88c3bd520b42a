// onboard::keys — key URIs (SPEC §4), the Signer interface and key generation.
// Backends (file, pkcs11, tpm2) are picked by URI scheme and hidden behind Signer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "onboard/core/core.h"

struct evp_pkey_st;
struct ossl_lib_ctx_st;

namespace onboard::keys {

enum class KeyType { p256, p384, rsa2048, rsa3072, rsa4096, ed25519 };
/// "p256", "p384", "rsa2048", "rsa3072", "rsa4096", "ed25519" (Errc::usage otherwise).
Expected<KeyType> parse_key_type(std::string_view name);
std::string key_type_name(KeyType t);

/// A parsed key reference (SPEC §4).
struct KeyUri {
  enum class Scheme { file, pkcs11, tpm2 };
  Scheme scheme = Scheme::file;
  std::string text;  ///< the URI for messages, with any pin-value redacted
  // file: and tpm2:file=
  std::string path;
  // pkcs11: (RFC 7512)
  std::string token, object, type, module_path, pin_source, pin_value;
  std::optional<Bytes> id;
  // tpm2:handle=
  std::optional<std::uint32_t> handle;
};
/// Parse `file:PATH`, a bare path, `pkcs11:...` or `tpm2:...`; Errc::usage with the reason.
Expected<KeyUri> parse_key_uri(std::string_view text);

/// Where secrets and devices come from; never from argv (SPEC §11).
struct KeyOptions {
  std::string pass_source;  ///< passphrase of existing encrypted key files: file:PATH | env:VAR | fd:N
  std::string new_key_pass_source;  ///< encrypt NEW key files with this passphrase (empty: unencrypted)
  std::string pin_source;   ///< PKCS#11 PIN default (a URI's pin-source wins)
  std::string tcti;         ///< TPM TCTI (else env TPM2OPENSSL_TCTI)
  const Env* env = nullptr; ///< for warnings (pin-value in a URI)
  bool durable_files = true;  ///< fsync each new key file (batches sync once at the end instead)
};

/// A secret read from a source; wiped when destroyed.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string s) : value_(std::move(s)) {}
  Secret(Secret&& o) noexcept : value_(std::move(o.value_)) { o.wipe(); }
  Secret& operator=(Secret&& o) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  ~Secret() { wipe(); }
  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  void wipe();
  std::string value_;
};
/// `file:PATH` (first line), `env:VAR`, `fd:N`. Errc::usage for other forms.
Expected<Secret> read_secret(const std::string& source, const std::string& what);

enum class Hash { none, sha256, sha384, sha512 };
struct SignParams {
  Hash hash = Hash::sha256;
  bool pss = false;  ///< RSA-PSS (salt = hash length) instead of PKCS#1 v1.5
};
/// The natural hash for a key: SHA-256 for P-256/RSA, SHA-384 for P-384, none for Ed25519.
Hash default_hash(KeyType t);

/// One private key, ready to sign. Private material never leaves its backend.
class Signer {
 public:
  virtual ~Signer() = default;
  /// The OpenSSL key object (may be a handle into a token or TPM).
  virtual evp_pkey_st* pkey() const = 0;
  /// The library context the key belongs to (nullptr = default).
  virtual ossl_lib_ctx_st* libctx() const { return nullptr; }
  /// Where the key lives, for messages ("file:ca.key", "pkcs11:token=...").
  virtual std::string description() const = 0;

  KeyType key_type() const;
  /// DER SubjectPublicKeyInfo (computed once: OpenSSL 3.0's encoders are slow).
  const Bytes& public_key_der() const;
  /// Sign `message` (hashing it as params say). ECDSA output is DER (OpenSSL's form).
  Expected<Bytes> sign(ByteView message, const SignParams& params) const;

  /// Whether one certificate signed by this key has been checked against the issuer's public key
  /// (x509::issue checks the first one: a token signing with another key is found at once).
  bool output_checked() const { return output_checked_; }
  void set_output_checked() const { output_checked_ = true; }

 private:
  mutable Bytes spki_;
  mutable bool output_checked_ = false;
};

/// Opens and generates keys; holds each backend's module/session/context for the whole
/// process so a batch logs in once (SPEC §10). Backends load lazily: a run on file keys never
/// loads a PKCS#11 module or the tpm2 provider.
class KeyContext {
 public:
  explicit KeyContext(KeyOptions options);
  ~KeyContext();
  KeyContext(const KeyContext&) = delete;
  KeyContext& operator=(const KeyContext&) = delete;

  /// Open an existing key. Errc::key when not found / wrong PIN / device down.
  Expected<std::unique_ptr<Signer>> open(const KeyUri& uri);
  /// Create a key where the URI points (file: mode 0600, refuses to overwrite).
  Expected<std::unique_ptr<Signer>> generate(const KeyUri& uri, KeyType type);
  /// Whether a key exists where the URI points (a re-run batch keeps the keys a killed run
  /// made). Errc::key when the token/TPM cannot be asked (wrong PIN, unreachable).
  Expected<bool> exists(const KeyUri& uri);
  const KeyOptions& options() const { return options_; }

  class Backend;

 private:
  Expected<Backend*> backend(KeyUri::Scheme scheme);
  KeyOptions options_;
  std::unique_ptr<Backend> file_, pkcs11_, tpm2_;
};

/// Load a public key (SPKI DER) for verification; Errc::malformed.
Expected<std::shared_ptr<evp_pkey_st>> parse_public_key(ByteView spki_der);

}  // namespace onboard::keys
