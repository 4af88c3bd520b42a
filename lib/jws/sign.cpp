// Making and checking one JWS signature (RFC 7515 §5, RFC 7518 §3, SPEC §6).
#include "alg.h"
#include "ossl.h"

namespace onboard::jws {
namespace {

using detail::Family;

// The protected header exactly as SPEC §6 orders it: alg, x5c, cty, opc-uri; nothing else.
std::string header_json(Alg alg, const SignOptions& o) {
  std::string h = "{\"alg\":\"" + alg_name(alg) + "\",\"x5c\":[";
  for (std::size_t i = 0; i < o.x5c.size(); ++i) {
    if (i) h += ',';
    h += '"';
    h += base64_encode(o.x5c[i].der());
    h += '"';
  }
  h += "],\"cty\":" + json::quote(o.cty);
  if (o.opc_uri) h += ",\"opc-uri\":" + json::quote(*o.opc_uri);
  return h + "}";
}

std::string signing_input(std::string_view protected_b64, std::string_view payload_b64) {
  std::string input;
  input.reserve(protected_b64.size() + 1 + payload_b64.size());
  input.append(protected_b64).append(1, '.').append(payload_b64);
  return input;
}

// The signature size each algorithm fixes; a mismatch is a malformed signature, not a bad one.
Status check_length(const detail::AlgInfo& a, EVP_PKEY* key, ByteView sig) {
  std::size_t want = 0;
  switch (a.family) {
    case Family::ecdsa: want = 2 * a.ec_half; break;
    case Family::rsa_pkcs1:
    case Family::rsa_pss: want = static_cast<std::size_t>(EVP_PKEY_get_size(key)); break;
    case Family::eddsa: want = EVP_PKEY_is_a(key, "ED448") ? 114 : 64; break;
  }
  if (sig.size() == want) return {};
  if (a.family == Family::ecdsa && detail::looks_like_der_ecdsa(sig))
    return fail(Errc::malformed, std::string("the ") + a.name + " signature is DER-encoded (" + std::to_string(sig.size()) +
                                     " bytes); JWS requires raw R||S of " + std::to_string(want) + " bytes (RFC 7518 §3.4)");
  return fail(Errc::malformed, std::string("the signature is ") + std::to_string(sig.size()) + " bytes; " + a.name +
                                   " with this key needs exactly " + std::to_string(want));
}

}  // namespace

Expected<Prepared> prepare(const SignOptions& options, const keys::Signer& signer) {
  if (options.x5c.empty()) return fail(Errc::usage, "no signer certificate for x5c");
  if (options.x5c.size() > Limits{}.max_x5c)
    return fail(Errc::malformed, "signer certificate + chain is " + std::to_string(options.x5c.size()) +
                                     " certificates, more than the x5c limit of " + std::to_string(Limits{}.max_x5c));
  if (options.cty.empty()) return fail(Errc::internal, "no cty for the protected header");
  const x509::Certificate& cert = options.x5c.front();
  if (signer.public_key_der() != cert.public_key_der())
    return fail(Errc::key, "key " + signer.description() + " does not match the public key of signer certificate " +
                               cert.subject());
  Alg alg = options.alg ? *options.alg : default_alg(signer.key_type());
  if (auto ok = check_alg_fits(alg, cert); !ok) return fail(std::move(ok.error()));
  auto context = signer.prepare(detail::sign_params(detail::info(alg)));
  if (!context) return fail(std::move(context.error()));
  return Prepared{base64url_encode(as_bytes(header_json(alg, options))),
                  Header{alg, options.x5c, options.cty, options.opc_uri, {}}, std::move(*context)};
}

Expected<Signature> sign(std::string_view payload_b64, const Prepared& prepared, const keys::Signer& signer) {
  const auto& a = detail::info(prepared.header.alg);
  Signature sig;
  sig.protected_b64 = prepared.protected_b64;
  std::string input = signing_input(sig.protected_b64, payload_b64);
  auto made = prepared.context ? prepared.context->sign(as_bytes(input))
                                : signer.sign(as_bytes(input), detail::sign_params(a));
  if (!made) return fail(std::move(made.error()));
  if (a.family == Family::ecdsa) {
    auto raw = detail::ecdsa_der_to_raw(*made, a.ec_half);
    if (!raw) return fail(std::move(raw.error()).context("signing with " + signer.description()));
    made = std::move(*raw);
  }
  sig.signature = std::move(*made);
  sig.signature_b64 = base64url_encode(sig.signature);
  sig.raw = "{\"protected\":\"" + sig.protected_b64 + "\",\"signature\":\"" + sig.signature_b64 + "\"}";
  sig.header = prepared.header;
  return sig;
}

Expected<Signature> sign(std::string_view payload_b64, const SignOptions& options, const keys::Signer& signer) {
  auto prepared = prepare(options, signer);
  if (!prepared) return fail(std::move(prepared.error()));
  return sign(payload_b64, *prepared, signer);
}

Status verify_signature(std::string_view payload_b64, const Signature& sig) {
  if (sig.fault) return fail(*sig.fault);
  if (!sig.header) return fail(Errc::malformed, "the signature has no usable protected header");
  const auto& a = detail::info(sig.header->alg);
  const x509::Certificate& cert = sig.header->x5c.front();
  EVP_PKEY* key = X509_get0_pubkey(cert.raw());
  if (!key) return ossl::fail("X509_get0_pubkey", Errc::malformed);
  if (auto ok = check_alg_fits(sig.header->alg, cert); !ok) return ok;
  if (auto ok = check_length(a, key, sig.signature); !ok) return ok;
  Bytes der;
  ByteView value = sig.signature;
  if (a.family == Family::ecdsa) {
    auto d = detail::ecdsa_raw_to_der(sig.signature);
    if (!d) return fail(std::move(d.error()));
    der = std::move(*d);
    value = der;
  }
  std::string input = signing_input(sig.protected_b64, payload_b64);
  auto ok = keys::verify(key, as_bytes(input), value, detail::sign_params(a));
  if (!ok && ok.error().code != Errc::verify_failed) return ok;
  if (!ok)
    return fail(Errc::verify_failed, std::string("the ") + a.name + " signature does not verify with the key of " +
                                         cert.subject() + " (document changed after signing, or signed by another key)");
  return {};
}

}  // namespace onboard::jws
