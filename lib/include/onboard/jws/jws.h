// onboard::jws — RFC 7515 general JSON serialization as SPEC §6 constrains it: parse, sign,
// append and verify one signature. Signing input is always the bytes as they appear in the
// document (`protected + "." + payload`); nothing is ever re-serialised before verifying.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "onboard/core/core.h"
#include "onboard/core/json.h"
#include "onboard/keys/keys.h"
#include "onboard/x509/x509.h"

namespace onboard::jws {

// ---- algorithms ----

/// SPEC §6 algorithm table. Emitted: ES256, ES384, RS256, PS256, EdDSA. Also accepted: the rest.
enum class Alg { ES256, ES384, ES512, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA };
/// Errc::malformed for `none`, HS*, and anything not in the table (message says why).
Expected<Alg> parse_alg(std::string_view name);
std::string alg_name(Alg alg);
/// True for the algorithms this toolchain writes (SPEC §6): ES256, ES384, RS256, PS256, EdDSA.
bool alg_emitted(Alg alg);
/// The algorithm a key signs with by default (P-256 → ES256, P-384 → ES384, RSA → RS256, Ed25519 → EdDSA).
Alg default_alg(keys::KeyType type);
/// Errc::malformed when `alg` cannot be used with the key in `cert` (wrong family/curve, RSA < 2048).
Status check_alg_fits(Alg alg, const x509::Certificate& cert);

struct Limits {
  std::size_t max_document = 1u << 20;  ///< bytes (--max-size)
  std::size_t max_signatures = 64;
  std::size_t max_x5c = 8;
};

/// The protected header of one signature, parsed (SPEC §6).
struct Header {
  Alg alg = Alg::ES256;
  std::vector<x509::Certificate> x5c;  ///< signer first, then its issuers
  std::string cty;                     ///< opc-ticket+json;type=...
  std::optional<std::string> opc_uri;  ///< CompositeBuilder's CompositeInstanceUri
  std::vector<std::string> warnings;   ///< unknown members ignored
};

/// One signature object as it appears in the document.
struct Signature {
  std::string raw;             ///< the object's exact bytes in the source document (copied as is)
  std::string protected_b64;   ///< as in the document
  std::string signature_b64;   ///< as in the document
  std::optional<Header> header;   ///< set when the header parsed and passed the rules
  std::optional<Error> fault;     ///< why the header/signature encoding is unusable (per-signature)
  Bytes signature;                ///< decoded signature bytes (raw R‖S for ECDSA)
  /// RFC 3161 TimeStampTokens (DER) from the unprotected header's JAdES etsiU sigTst components
  /// (ETSI TS 119 182-1 V1.1.1 §5.3.4.1); each must cover `signature_b64` (SPEC §13.6).
  std::vector<Bytes> timestamp_tokens;
  std::optional<std::string> timestamp_fault;  ///< etsiU/sigTst present but unreadable
};

/// A signed document. Structural faults (bad JSON, bad base64url payload, limits) fail parse();
/// faults of one signature's header are recorded in Signature::fault.
struct Document {
  std::string payload_b64;  ///< as in the document
  Bytes payload;            ///< decoded payload bytes
  std::vector<Signature> signatures;
  bool was_flattened = false;
};

/// Parse general (or flattened, converted) serialization. Rejects duplicate member names at any
/// level, non-string members where strings are required, padding/whitespace in base64url.
Expected<Document> parse(std::string_view text, const Limits& limits = {});
/// Compact UTF-8, newline at end: {"payload":...,"signatures":[raw...]}.
std::string serialize(const Document& doc);

struct SignOptions {
  std::optional<Alg> alg;                ///< default: default_alg(key type)
  std::vector<x509::Certificate> x5c;    ///< signer certificate first, then its issuers
  std::string cty;
  std::optional<std::string> opc_uri;
};
/// A new signature over `payload_b64` (the exact string in the document). ECDSA converted to
/// raw R‖S. Checks that x5c[0] holds the signer's public key and that the alg fits it.
Expected<Signature> sign(std::string_view payload_b64, const SignOptions& options, const keys::Signer& signer);
/// The checked options and encoded protected header, made once for many payloads (a batch):
/// sign(payload, options, signer) is prepare() + sign(payload, prepared, signer). Comparing the
/// key with x5c[0] costs more than an ECDSA signature (OpenSSL 3 encodes both keys), so a batch
/// must not repeat it per ticket.
struct Prepared {
  std::string protected_b64;
  Header header;
  std::shared_ptr<const keys::SigningContext> context;  ///< the signer's context for this alg, set up once
};
Expected<Prepared> prepare(const SignOptions& options, const keys::Signer& signer);
/// Sign with a Prepared made for this same `signer`.
Expected<Signature> sign(std::string_view payload_b64, const Prepared& prepared, const keys::Signer& signer);
/// A copy of `sig` (made by sign(), no unprotected header yet) carrying `token` as the JAdES
/// unprotected header {"etsiU":[B64URL({"sigTst":{"tstTokens":[{"val":B64(token)}]}})]}
/// (ETSI TS 119 182-1 V1.1.1: etsiU elements base64url-encoded; tstTokens val standard base64).
/// The token's imprint covers the ASCII bytes of `signature_b64` (V1.1.1 §5.3.4.1).
Signature with_timestamp(const Signature& sig, ByteView token);

/// Check the signature bytes with x5c[0]'s key. Errc::verify_failed when they do not verify,
/// Errc::malformed for a header fault, DER-encoded ECDSA, or a wrong signature length.
Status verify_signature(std::string_view payload_b64, const Signature& sig);

}  // namespace onboard::jws
