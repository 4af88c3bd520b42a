#include "ticket_signer.h"

#include "common.h"
#include "onboard/tsa/tsa.h"
#include "onboard/x509/preflight.h"

namespace onboard::ops {
namespace {

// SPEC §6 / §13.2: one allow-list for every signing tool.
Expected<std::optional<jws::Alg>> parse_alg_flag(const std::string& text, const x509::Certificate& cert) {
  if (text.empty()) return std::optional<jws::Alg>{};
  auto alg = jws::parse_alg(text);
  if (!alg) return fail(Errc::usage, "--alg: " + alg.error().message);
  if (!jws::alg_emitted(*alg))
    return fail(Errc::usage, "--alg " + text + " is accepted when verifying but not written (SPEC §6): use ES256, "
                                                "ES384, RS256, PS256 or EdDSA");
  if (auto ok = jws::check_alg_fits(*alg, cert); !ok) return fail(Errc::usage, "--alg: " + ok.error().message);
  return std::optional<jws::Alg>(*alg);
}

const char* kEdDsaWarning =
    "EdDSA (RFC 8037) is outside the RFC 7518 algorithms Part 21 names: verifiers that follow Part 21 strictly "
    "may reject this signature (use a P-256 key and ES256 for the widest acceptance)";

}  // namespace

Expected<TicketSigner> load_ticket_signer(const TicketSignerFlags& flags, UnixTime now) {
  if (flags.key.empty() || flags.cert.empty()) return fail(Errc::usage, "give --key and --cert of the ticket signer");
  auto cert = load_certificate(flags.cert, "--cert", "--key");
  if (!cert) return fail(std::move(cert.error()));
  TicketSigner s{std::move(*cert), {}, std::nullopt, nullptr, {}, flags.cert, flags.tsa};
  if (!flags.tsa.empty() && flags.tsa.rfind("http://", 0) != 0 && flags.tsa.rfind("https://", 0) != 0)
    return fail(Errc::usage, "--tsa " + flags.tsa + ": give an http:// or https:// URL (RFC 3161 §3.4)");
  if (!flags.chain.empty()) {
    auto chain = x509::Certificate::load_all(flags.chain);
    if (!chain) return fail(std::move(chain.error()).context("--chain"));
    s.chain = std::move(*chain);
  }
  const x509::CertSource cert_src{"--cert", flags.cert, "ticket signer certificate"};
  const x509::CertSource chain_src{"--chain", flags.chain, "CA"};
  if (auto ok = x509::check_ticket_signer(s.cert, cert_src, s.chain, chain_src, now, jws::Limits{}.max_x5c); !ok)
    return fail(std::move(ok.error()));
  auto alg = parse_alg_flag(flags.alg, s.cert);
  if (!alg) return fail(std::move(alg.error()));
  s.alg = *alg;
  s.warnings = x509::revocation_info_warnings(s.cert, s.chain);
  return s;
}

Status open_ticket_signer_key(TicketSigner& signer, const std::string& key_uri, keys::KeyContext& keys) {
  if (key_uri.empty()) return fail(Errc::usage, "give --key (the signer's key URI)");
  auto uri = keys::parse_key_uri(key_uri);
  if (!uri) return fail(std::move(uri.error()).context("--key"));
  auto key = keys.open(*uri);
  if (!key) return fail(std::move(key.error()).context("--key"));
  if ((*key)->public_key_der() != signer.cert.public_key_der())
    return fail(Errc::key, "--key " + uri->text + " does not match the public key of --cert " + signer.cert.subject());
  if (!signer.alg) {
    jws::Alg alg = jws::default_alg((*key)->key_type());
    if (auto ok = jws::check_alg_fits(alg, signer.cert); !ok) return fail(Errc::key, "--key: " + ok.error().message);
    signer.alg = alg;
  }
  if (*signer.alg == jws::Alg::EdDSA) signer.warnings.insert(signer.warnings.begin(), kEdDsaWarning);
  signer.key = std::move(*key);
  return {};
}

void warn_ticket_signer(const TicketSigner& signer, const Env& env) {
  for (const auto& w : signer.warnings) env.warn(w);
}

Status check_not_signed_yet(const TicketSigner& signer, const jws::Document& doc, const std::string& ticket_name) {
  std::vector<x509::Certificate> existing;
  for (const auto& s : doc.signatures)
    if (s.header && !s.header->x5c.empty()) existing.push_back(s.header->x5c.front());
  return x509::check_not_already_signed(signer.cert, {"--cert", signer.cert_path, "ticket signer certificate"}, existing, ticket_name);
}

jws::SignOptions sign_options(const TicketSigner& signer, const std::string& cty, std::optional<std::string> opc_uri) {
  jws::SignOptions o;
  o.alg = signer.alg;
  o.x5c.push_back(signer.cert);
  o.x5c.insert(o.x5c.end(), signer.chain.begin(), signer.chain.end());
  o.cty = cty;
  o.opc_uri = std::move(opc_uri);
  return o;
}

jws::SignOptions sign_options(const TicketSigner& signer, ticket::TicketType type, std::optional<std::string> opc_uri) {
  return sign_options(signer, ticket::cty_for(type), std::move(opc_uri));
}

namespace {
Expected<jws::Signature> add_timestamp(const std::string& tsa_url, jws::Signature sig) {
  if (tsa_url.empty()) return sig;
  // ETSI TS 119 182-1 V1.1.1 §5.3.4.1: the imprint covers the base64url JWS Signature Value as it
  // appears in the document (its ASCII bytes).
  auto token = tsa::timestamp(tsa_url, as_bytes(sig.signature_b64));
  if (!token) return fail(std::move(token.error()));
  return jws::with_timestamp(sig, *token);
}
}  // namespace

Expected<jws::Signature> timestamp_signature(const TicketSigner& signer, jws::Signature sig) {
  return add_timestamp(signer.tsa_url, std::move(sig));
}

Expected<jws::Signature> sign_payload(const TicketSigner& signer, std::string_view payload_b64, const std::string& cty,
                                      const std::optional<std::string>& opc_uri) {
  auto sig = jws::sign(payload_b64, sign_options(signer, cty, opc_uri), *signer.key);
  if (!sig) return sig;
  return timestamp_signature(signer, std::move(*sig));
}

Expected<std::vector<ticket::CertificateAuthority>> load_authorities(const std::vector<std::string>& paths) {
  std::vector<ticket::CertificateAuthority> out;
  for (const auto& p : paths) {
    auto ca = ticket::load_authority_bundle(p);
    if (!ca) return fail(std::move(ca.error()).context("--authority"));
    out.push_back(std::move(*ca));
  }
  return out;
}

Expected<std::string> sign_new_document(const std::string& payload_json, const jws::Prepared& prepared,
                                        const keys::Signer& key, bool self_check, const std::string& tsa_url) {
  jws::Document doc;
  doc.payload_b64 = base64url_encode(as_bytes(payload_json));
  auto sig = jws::sign(doc.payload_b64, prepared, key);
  if (!sig) return fail(std::move(sig.error()));
  // A key backend that returns garbage (a token, a TPM) must not produce a ticket nobody can verify.
  if (self_check)
    if (auto ok = jws::verify_signature(doc.payload_b64, *sig); !ok)
      return fail(Errc::key, "the signature made with " + key.description() + " does not verify: " + ok.error().message);
  auto stamped = add_timestamp(tsa_url, std::move(*sig));
  if (!stamped) return fail(std::move(stamped.error()));
  doc.signatures.push_back(std::move(*stamped));
  return jws::serialize(doc);
}

}  // namespace onboard::ops
