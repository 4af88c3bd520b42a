// onboard::keys — key URIs (SPEC §4), the Signer interface and key generation.
// Backends (file, pkcs11, tpm2) are picked by URI scheme and hidden behind Signer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "onboard/core/core.h"

struct evp_pkey_st;

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

namespace tpm2 {
/// A TPM handle as messages and tpm2: URIs write it: "0x81020000".
std::string hex_handle(std::uint32_t h);
/// A persistent TPM handle (TPM 2.0 Part 2 §7.2: 0x81000000-0x81ffffff) written in hex ("0x81020000"
/// or "81020000"), as tpm2:handle= and --iak-handle take it. Errc::usage naming `what` otherwise.
Expected<std::uint32_t> parse_persistent_handle(std::string_view text, const std::string& what);
}  // namespace tpm2

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

// ---- Signatures -------------------------------------------------------------------------
// Every signature the toolchain makes (certificates, CSRs, CRLs, JWS tickets) goes through a
// Signer. Which hash and which padding a key type uses, and how X.509 names that signature
// algorithm, are decided in one place: default_params(), check_params() and
// signature_algorithm_der() below. Callers never see an OpenSSL key object of a private key.

enum class Hash { none, sha256, sha384, sha512 };
/// How an RSA key signs; ECDSA and Ed25519 have no padding (Padding::none).
enum class Padding { none, pkcs1, pss };
/// One signature scheme. RSASSA-PSS always uses MGF1 with the same hash and salt = hash length.
struct SignParams {
  Hash hash = Hash::sha256;
  Padding padding = Padding::none;
  bool operator==(const SignParams&) const = default;
};

/// The table (SPEC §3, §6): what a key type signs with by default.
///   P-256   → ECDSA with SHA-256          P-384 → ECDSA with SHA-384
///   RSA-*   → SHA-256, PKCS#1 v1.5 (`pss`: RSASSA-PSS, SHA-256, salt 32)
///   Ed25519 → Ed25519, no pre-hash (Hash::none)
SignParams default_params(KeyType t, bool pss = false);
/// The natural hash for a key type: default_params(t).hash.
Hash default_hash(KeyType t);
/// Whether `p` is a signature `t` can make: ECDSA needs a hash and no padding, RSA a hash and
/// PKCS#1 or PSS, Ed25519 neither. Errc::usage naming both.
Status check_params(KeyType t, const SignParams& p);
/// DER AlgorithmIdentifier of such a signature, for X.509 signatureAlgorithm (certificates, CSRs,
/// CRLs): ecdsa-with-SHA256/384/512, sha256/384/512WithRSAEncryption (NULL parameters),
/// RSASSA-PSS with explicit RSASSA-PSS-params (RFC 4055), Ed25519 (RFC 8410, no parameters).
/// Errc::usage when check_params fails.
Expected<Bytes> signature_algorithm_der(KeyType t, const SignParams& p);
/// "ECDSA with SHA-256", "RSASSA-PSS with SHA-256", "Ed25519", ... for messages.
std::string params_name(const SignParams& p);

/// A signing set up once for one SignParams and reused for many messages: a batch pays the
/// digest and signature-implementation lookup once instead of per signature. Obtain one with
/// Signer::prepare(). It must not outlive its Signer. sign() is const and may be called from
/// several threads at once.
class SigningContext {
 public:
  virtual ~SigningContext() = default;
  /// Sign `message` (hashed as params() say). ECDSA output is a DER ECDSA-Sig-Value.
  virtual Expected<Bytes> sign(ByteView message) const = 0;
  const SignParams& params() const { return params_; }

 protected:
  explicit SigningContext(SignParams params) : params_(params) {}

 private:
  SignParams params_;
};

/// One private key, ready to sign. Private material never leaves its backend, and no OpenSSL
/// object of the key leaves the keys component: the backends (file, pkcs11, tpm2) implement this
/// interface, and everything else signs bytes through it.
class Signer {
 public:
  virtual ~Signer() = default;
  /// Where the key lives, for messages ("file:ca.key", "pkcs11:token=...").
  virtual std::string description() const = 0;
  virtual KeyType key_type() const = 0;
  /// DER SubjectPublicKeyInfo (computed once: OpenSSL 3.0's encoders are slow).
  virtual const Bytes& public_key_der() const = 0;
  /// Sign `message` with `params` (check_params first: Errc::usage when they do not fit the key,
  /// Errc::key when the backend fails). ECDSA output is a DER ECDSA-Sig-Value. Backends keep a
  /// prepared context per params, so repeated calls cost what SigningContext::sign costs.
  virtual Expected<Bytes> sign(ByteView message, const SignParams& params) const = 0;
  /// A context for many signatures with `params` (checked as sign() checks them). The default
  /// signs through sign(); backends return their own prepared context.
  virtual Expected<std::shared_ptr<const SigningContext>> prepare(const SignParams& params) const;

  /// Whether one certificate signed by this key has been checked against the issuer's public key
  /// (x509::issue checks the first one: a token signing with another key is found at once).
  bool output_checked() const { return output_checked_; }
  void set_output_checked() const { output_checked_ = true; }

 private:
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
/// Check `signature` over `message` with a public key and `params` (the same padding setup as
/// signing). Errc::verify_failed when it does not verify, Errc::internal when OpenSSL cannot set
/// the check up. ECDSA signatures are DER.
Status verify(const evp_pkey_st* public_key, ByteView message, ByteView signature, const SignParams& params);

}  // namespace onboard::keys
