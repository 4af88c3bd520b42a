#include "ticket_signer.h"

namespace onboard::ops {
namespace {

Status check_signer_cert(const x509::Certificate& cert, const std::string& path, UnixTime now) {
  if (cert.is_ca())
    return fail(Errc::malformed, "--cert " + path + ": " + cert.subject() +
                                     " is a CA certificate; tickets are signed with an end-entity certificate "
                                     "(create-authority --profile ticket-signer)");
  if (!cert.allows_digital_signature())
    return fail(Errc::malformed, "--cert " + path + ": " + cert.subject() + " lacks keyUsage digitalSignature");
  if (cert.not_before() > now)
    return fail(Errc::expired, "--cert " + path + ": " + cert.subject() + " is not valid before " +
                                   format_time(cert.not_before()));
  if (cert.not_after() < now)
    return fail(Errc::expired, "--cert " + path + ": " + cert.subject() + " expired on " + format_time(cert.not_after()));
  return {};
}

Status check_chain(const TicketSigner& s, const std::string& path) {
  const x509::Certificate* child = &s.cert;
  for (std::size_t i = 0; i < s.chain.size(); ++i) {
    const auto& issuer = s.chain[i];
    if (!issuer.is_ca())
      return fail(Errc::malformed, "--chain " + path + ": certificate " + std::to_string(i + 1) + " (" + issuer.subject() +
                                       ") is not a CA");
    if (!child->signed_by(issuer))
      return fail(Errc::malformed, "--chain " + path + ": certificate " + std::to_string(i + 1) + " (" + issuer.subject() +
                                       ") did not issue " + child->subject() + " (issuers go nearest first)");
    child = &issuer;
  }
  if (1 + s.chain.size() > jws::Limits{}.max_x5c)
    return fail(Errc::malformed, "--chain " + path + ": x5c would hold " + std::to_string(1 + s.chain.size()) +
                                     " certificates, more than the limit of " + std::to_string(jws::Limits{}.max_x5c));
  return {};
}

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

}  // namespace

Expected<TicketSigner> load_ticket_signer(const TicketSignerFlags& flags, UnixTime now) {
  if (flags.key.empty() || flags.cert.empty()) return fail(Errc::usage, "give --key and --cert of the ticket signer");
  auto cert = x509::Certificate::load(flags.cert);
  if (!cert) return fail(std::move(cert.error()).context("--cert"));
  if (auto ok = check_signer_cert(*cert, flags.cert, now); !ok) return fail(std::move(ok.error()));
  TicketSigner s{std::move(*cert), {}, std::nullopt, nullptr};
  if (!flags.chain.empty()) {
    auto chain = x509::Certificate::load_all(flags.chain);
    if (!chain) return fail(std::move(chain.error()).context("--chain"));
    s.chain = std::move(*chain);
    if (auto ok = check_chain(s, flags.chain); !ok) return fail(std::move(ok.error()));
  }
  auto alg = parse_alg_flag(flags.alg, s.cert);
  if (!alg) return fail(std::move(alg.error()));
  s.alg = *alg;
  return s;
}

Status open_ticket_signer_key(TicketSigner& signer, const std::string& key_uri, keys::KeyContext& keys) {
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
  signer.key = std::move(*key);
  return {};
}

jws::SignOptions sign_options(const TicketSigner& signer, ticket::TicketType type, std::optional<std::string> opc_uri) {
  jws::SignOptions o;
  o.alg = signer.alg;
  o.x5c.push_back(signer.cert);
  o.x5c.insert(o.x5c.end(), signer.chain.begin(), signer.chain.end());
  o.cty = ticket::cty_for(type);
  o.opc_uri = std::move(opc_uri);
  return o;
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
                                        const keys::Signer& key, bool self_check) {
  jws::Document doc;
  doc.payload_b64 = base64url_encode(as_bytes(payload_json));
  auto sig = jws::sign(doc.payload_b64, prepared, key);
  if (!sig) return fail(std::move(sig.error()));
  // A key backend that returns garbage (a token, a TPM) must not produce a ticket nobody can verify.
  if (self_check)
    if (auto ok = jws::verify_signature(doc.payload_b64, *sig); !ok)
      return fail(Errc::key, "the signature made with " + key.description() + " does not verify: " + ok.error().message);
  doc.signatures.push_back(std::move(*sig));
  return jws::serialize(doc);
}

}  // namespace onboard::ops
