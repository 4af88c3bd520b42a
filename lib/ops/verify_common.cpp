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

Error invalid_ticket_error(const verify::TicketReport& report) {
  if (report.code == Errc::file) return Error{report.code, report.reason};  // unreadable: the message names the file
  return Error{report.code, report.name + ": not valid: " + report.reason};
}

bool extends_by_one(const jws::Document& in, std::string_view out, const TicketSigner& signer, const jws::Limits& limits,
                    const std::optional<std::string>& opc_uri) {
  auto b = jws::parse(out, limits);
  if (!b || b->payload_b64 != in.payload_b64 || b->signatures.size() != in.signatures.size() + 1) return false;
  for (std::size_t i = 0; i < in.signatures.size(); ++i)
    if (in.signatures[i].raw != b->signatures[i].raw) return false;
  const auto& last = b->signatures.back();
  if (!last.header || last.header->x5c.front().der() != signer.cert.der()) return false;
  if (opc_uri && last.header->opc_uri != opc_uri) return false;
  return jws::verify_signature(b->payload_b64, last).has_value();
}

}  // namespace onboard::ops
