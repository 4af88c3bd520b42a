#include "verify_common.h"

namespace onboard::ops {
namespace {

Status load_certs_into(const std::vector<std::string>& paths, const std::string& flag,
                       std::vector<x509::Certificate>& out) {
  for (const auto& p : paths) {
    auto certs = x509::Certificate::load_all(p);
    if (!certs) return fail(std::move(certs.error()).context(flag));
    out.insert(out.end(), certs->begin(), certs->end());
  }
  return {};
}

}  // namespace

Expected<verify::Options> load_trust(const TrustRequest& req, const Env& env) {
  if (req.ticket_authorities.empty() && req.trust_anchors.empty())
    return fail(Errc::usage, "give trust: --ticket-authority CERT and/or --trust-anchor CERT");
  verify::Options o;
  auto source = verify::parse_source(req.source);
  if (!source) return fail(std::move(source.error()));
  o.source = *source;
  if (o.source == verify::Source::device && !req.trust_anchors.empty())
    env.warn("--source device: --trust-anchor certificates vouch for no signer; only --ticket-authority signers are "
             "trusted for tickets that came with the device (Part 21 §6.4)");
  if (auto ok = load_certs_into(req.ticket_authorities, "--ticket-authority", o.ticket_authorities); !ok)
    return fail(std::move(ok.error()));
  if (auto ok = load_certs_into(req.trust_anchors, "--trust-anchor", o.trust_anchors); !ok)
    return fail(std::move(ok.error()));
  for (const auto& p : req.crls) {
    auto crl = x509::Crl::load(p);
    if (!crl) return fail(std::move(crl.error()).context("--crl"));
    o.crls.push_back(std::move(*crl));
  }
  if (req.at.empty()) {
    o.at = env.now();
  } else {
    auto at = parse_time(req.at);
    if (!at) return fail(Errc::usage, "--at: " + at.error().message);
    o.at = *at;
  }
  if (req.max_size == 0) return fail(Errc::usage, "--max-size must be positive");
  o.limits.max_document = req.max_size;
  o.strict = req.strict;
  return o;
}

Expected<TicketSigner> load_ticket_signer(const std::string& cert, const std::string& chain, const std::string& alg) {
  if (cert.empty()) return fail(Errc::usage, "give --cert (the signer certificate)");
  auto c = x509::Certificate::load(cert);
  if (!c) return fail(std::move(c.error()).context("--cert"));
  TicketSigner s{std::move(*c), {}, std::nullopt, nullptr};
  if (!chain.empty()) {
    auto ch = x509::Certificate::load_all(chain);
    if (!ch) return fail(std::move(ch.error()).context("--chain"));
    s.chain = std::move(*ch);
    if (!s.cert.signed_by(s.chain.front()))
      return fail(Errc::malformed, "--chain " + chain + ": its first certificate did not issue " + cert);
  }
  if (s.cert.is_ca() || !s.cert.allows_digital_signature())
    return fail(Errc::malformed, "--cert " + cert + ": " + s.cert.subject() +
                                     " is not a ticket-signer certificate (CA:false with keyUsage digitalSignature)");
  if (!alg.empty()) {
    auto a = jws::parse_alg(alg);
    if (!a) return fail(std::move(a.error()).context("--alg"));
    if (auto ok = jws::check_alg_fits(*a, s.cert); !ok) return fail(std::move(ok.error()).context("--alg"));
    s.alg = *a;
  }
  return s;
}

Status open_ticket_signer_key(TicketSigner& signer, keys::KeyContext& keys, const std::string& key_uri) {
  if (key_uri.empty()) return fail(Errc::usage, "give --key (the signer's key URI)");
  auto uri = keys::parse_key_uri(key_uri);
  if (!uri) return fail(std::move(uri.error()).context("--key"));
  auto key = keys.open(*uri);
  if (!key) return fail(std::move(key.error()).context("--key"));
  if ((*key)->public_key_der() != signer.cert.public_key_der())
    return fail(Errc::key, "--key " + uri->text + " does not match the public key of --cert " + signer.cert.subject());
  signer.key = std::move(*key);
  return {};
}

Expected<jws::Signature> sign_payload(const TicketSigner& signer, std::string_view payload_b64, const std::string& cty,
                                      const std::optional<std::string>& opc_uri) {
  jws::SignOptions opt;
  opt.alg = signer.alg;
  opt.x5c.push_back(signer.cert);
  opt.x5c.insert(opt.x5c.end(), signer.chain.begin(), signer.chain.end());
  opt.cty = cty;
  opt.opc_uri = opc_uri;
  return jws::sign(payload_b64, opt, *signer.key);
}

Error invalid_ticket_error(const verify::TicketReport& report) {
  if (report.code == Errc::file) return Error{report.code, report.reason};  // unreadable: the message names the file
  return Error{report.code, report.name + ": not valid: " + report.reason};
}

}  // namespace onboard::ops
