// SPEC §8: the document's structure first (any fault makes the whole ticket invalid), then each
// signature on its own, then the policy over the accepted signatures.
#include <algorithm>
#include <map>
#include <set>

#include "verify_internal.h"

namespace onboard::verify {
namespace {

Check pass(std::string detail) { return {Outcome::pass, std::move(detail)}; }
Check failed(std::string detail) { return {Outcome::fail, std::move(detail)}; }

void reject(SignatureReport& r, Errc code, const std::string& reason) {
  if (!r.accepted && r.code != Errc::ok) return;  // keep the first reason (SPEC §8 order)
  r.accepted = false;
  r.code = code;
  r.reason = reason;
}

TicketReport structural(TicketReport report, Errc code, std::string reason) {
  report.valid = false;
  report.code = code;
  report.reason = std::move(reason);
  return report;
}

/// cty of every readable header must name the same ticket type (SPEC §8: mixed cty values are
/// structural). Each cty is parsed as a media type (SPEC §13.8), so spellings may differ.
Expected<std::optional<ticket::TicketType>> common_type(const jws::Document& doc) {
  std::optional<std::string> first;
  std::optional<ticket::TicketType> type;
  for (std::size_t i = 0; i < doc.signatures.size(); ++i) {
    const auto& h = doc.signatures[i].header;
    if (!h) continue;
    auto t = ticket::type_from_cty(h->cty);
    if (!t) return fail(std::move(t.error()).context("cty of signature #" + std::to_string(i)));
    if (type && *type != *t)
      return fail(Errc::malformed, "mixed cty values: \"" + *first + "\" and \"" + h->cty + "\" (signature #" +
                                       std::to_string(i) + ")");
    if (!type) first = h->cty;
    type = *t;
  }
  return type;
}

/// Decode the payload as the cty says; name the mismatch when it is the other ticket type.
Expected<ticket::Ticket> decode_payload(const jws::Document& doc, std::optional<ticket::TicketType> type,
                                        const Options& o, std::vector<std::string>& warnings) {
  ticket::DecodeOptions opt{o.strict};
  if (!type) return ticket::decode_json_any(doc.payload, opt, &warnings);
  auto t = ticket::decode_json(doc.payload, *type, opt, &warnings);
  if (t) return t;
  std::vector<std::string> ignored;
  auto other = ticket::decode_json_any(doc.payload, opt, &ignored);
  if (other && other->type != *type)
    return fail(Errc::malformed, "cty names " + ticket::type_name(*type) + " but the payload is a " +
                                     ticket::type_name(other->type));
  return fail(std::move(t.error()).context("payload"));
}

void check_time(SignatureReport& r, UnixTime at) {
  if (at < r.window_start) {
    for (const auto& c : r.certificates)
      if (at < c.not_before) {
        r.time = failed("not yet valid: " + c.subject + " is valid from " + format_time(c.not_before));
        return;
      }
  }
  if (at > r.window_end) {
    for (const auto& c : r.certificates)
      if (at > c.not_after) {
        r.time = failed("expired: " + c.subject + " expired on " + format_time(c.not_after));
        return;
      }
  }
  r.time = pass("valid at " + format_time(at) + " (chain valid " + format_time(r.window_start) + " to " +
                format_time(r.window_end) + ")");
}

}  // namespace

Expected<Source> parse_source(std::string_view text) {
  if (text == "out-of-band") return Source::out_of_band;
  if (text == "device") return Source::device;
  return fail(Errc::usage, "--source must be out-of-band or device, not " + std::string(text));
}

Expected<Policy> parse_policy(std::string_view text) {
  if (text == "any") return Policy::any;
  if (text == "all") return Policy::all;
  return fail(Errc::usage, "--policy must be any or all, not " + std::string(text));
}

Errc combine_codes(const std::vector<Errc>& codes) {
  if (codes.empty()) return Errc::verify_failed;
  for (Errc c : codes)
    if (c != codes.front()) return Errc::verify_failed;
  return codes.front();
}

Verifier::Verifier(Options options) : options_(std::move(options)) {}
Verifier::~Verifier() = default;

const Verifier::ChainOutcome& Verifier::chain_outcome(const jws::Signature& sig) const {
  auto it = cache_.find(sig.protected_b64);
  if (it != cache_.end()) return *it->second;
  auto outcome = check_signer_chain(sig.header->x5c, options_);
  fill_from_chain(outcome->base, *outcome, options_.at);
  return *cache_.emplace(sig.protected_b64, std::move(outcome)).first->second;
}

namespace {

}  // namespace

void fill_from_chain(SignatureReport& r, const Verifier::ChainOutcome& c, UnixTime at) {
  r.accepted = true;
  r.signer_fingerprint = c.signer_fingerprint;
  r.certificates = c.certificates;
  r.window_start = c.window_start;
  r.window_end = c.window_end;
  r.trusted_by = c.trusted_by;
  if (c.code != Errc::ok) {
    r.chain = failed(c.detail);
    reject(r, c.code, c.detail);
  } else {
    r.chain = pass(c.detail);
  }
  check_time(r, at);
  if (r.time.outcome == Outcome::fail) reject(r, Errc::expired, r.time.detail);
  if (c.code != Errc::ok) return;  // revocation is checked on trusted chains only
  r.revocation_status = x509::revocation_name(c.revocation.overall());
  std::map<std::string, int> counts;
  for (const auto& cr : c.revocation.certs) ++counts[x509::revocation_name(cr.status)];
  std::string detail;
  for (const auto& [name, n] : counts) detail += (detail.empty() ? "" : ", ") + std::to_string(n) + " " + name;
  r.revocation = c.revocation.code == Errc::ok ? pass(detail + " (per certificate below)") : failed(c.revocation.reason);
  if (c.revocation.code != Errc::ok) reject(r, c.revocation.code, c.revocation.reason);
}

namespace {

SignatureReport check_signature(std::size_t index, const jws::Document& doc, const ticket::Ticket& t,
                                const Verifier::ChainOutcome* chain, const Options& options) {
  const jws::Signature& sig = doc.signatures[index];
  if (sig.fault || !sig.header) {
    SignatureReport r;
    r.index = index;
    std::string why = sig.fault ? sig.fault->message : "unusable header";
    r.header = failed(why);
    reject(r, sig.fault ? sig.fault->code : Errc::malformed, "header: " + why);
    return r;
  }
  SignatureReport r = chain->base;  // chain, time and revocation: judged once per header
  r.index = index;
  judge_timestamp(r, sig, *chain, options);  // SPEC §13.6: may re-judge time and revocation at the token's time
  const jws::Header& h = *sig.header;
  const x509::Certificate& leaf = h.x5c.front();
  r.alg = jws::alg_name(h.alg);
  r.signer = leaf.subject();
  r.issuer = leaf.issuer();
  r.opc_uri = h.opc_uri;
  // alg/key fit is part of a usable header: jws::parse records a misfit as the signature's fault.
  if (t.type == ticket::TicketType::composite && h.opc_uri && *h.opc_uri != t.composite_instance_uri) {
    std::string why = "opc-uri " + *h.opc_uri + " is not this composite's CompositeInstanceUri " + t.composite_instance_uri;
    r.header = failed(why);
    r.accepted = false;  // the header comes first in SPEC §8 order: its reason wins
    r.code = Errc::verify_failed;
    r.reason = "header: " + why;
  } else {
    r.header = pass(r.alg + ", cty " + h.cty + (h.opc_uri ? ", opc-uri " + *h.opc_uri : ""));
  }
  if (auto ok = jws::verify_signature(doc.payload_b64, sig); ok) {
    r.signature = pass("signature verifies with the signer's key");
  } else {
    r.signature = failed(ok.error().message);
    reject(r, ok.error().code, "signature: " + ok.error().message);
  }
  return r;
}

void apply_policy(TicketReport& report, const Options& o) {
  std::vector<Errc> codes;
  std::optional<std::size_t> best;
  for (const auto& s : report.signatures) {
    if (!s.accepted) {
      codes.push_back(s.code);
      continue;
    }
    UnixTime end = lasts_until(s), best_end = best ? lasts_until(report.signatures[*best]) : 0;
    bool better = !best || (o.policy == Policy::any ? end > best_end : end < best_end);
    if (better) best = s.index;
  }
  bool all_ok = codes.empty() && !report.signatures.empty();
  report.valid = o.policy == Policy::any ? best.has_value() : all_ok;
  if (report.valid) {
    report.code = Errc::ok;
    report.carried_by = best;
    report.valid_until = lasts_until(report.signatures[*best]);
  } else {
    report.code = combine_codes(codes);
    report.reason = o.policy == Policy::any ? "no signature accepted" : "policy all: not every signature is accepted";
    for (const auto& s : report.signatures)
      if (!s.accepted) report.reason += "; #" + std::to_string(s.index) + ": " + s.reason;
  }
}

void apply_required_signers(TicketReport& report, const Options& o) {
  for (const auto& req : o.required_signers) {
    std::string fp = req.fingerprint();
    bool found = std::any_of(report.signatures.begin(), report.signatures.end(),
                             [&](const SignatureReport& s) { return s.accepted && s.signer_fingerprint == fp; });
    if (found || !report.valid) continue;
    report.valid = false;
    report.code = Errc::untrusted;
    report.reason = "no accepted signature by the required signer " + req.subject() + " (--require-signer)";
  }
}

}  // namespace

TicketReport Verifier::verify(const std::string& name, std::string_view text) const {
  auto doc = jws::parse(text, options_.limits);
  if (!doc) {
    TicketReport report;
    report.name = name;
    report.at = options_.at;
    report.policy = options_.policy;
    return structural(std::move(report), doc.error().code, doc.error().message);
  }
  return verify(name, *doc);
}

TicketReport Verifier::verify(const std::string& name, const jws::Document& doc) const {
  TicketReport report;
  report.name = name;
  report.at = options_.at;
  report.policy = options_.policy;
  if (doc.signatures.empty()) return structural(std::move(report), Errc::malformed, "the document has no signature");
  auto type = common_type(doc);
  if (!type) return structural(std::move(report), type.error().code, type.error().message);
  auto t = decode_payload(doc, *type, options_, report.warnings);
  if (!t) return structural(std::move(report), t.error().code, t.error().message);
  report.ticket = std::move(*t);
  for (std::size_t i = 0; i < doc.signatures.size(); ++i) {
    const auto& sig = doc.signatures[i];
    const ChainOutcome* chain = sig.header && !sig.header->x5c.empty() ? &chain_outcome(sig) : nullptr;
    if (!chain && sig.header && !sig.fault) {
      SignatureReport r;
      r.index = i;
      r.header = failed("x5c is empty");
      reject(r, Errc::malformed, "header: x5c is empty");
      report.signatures.push_back(std::move(r));
      continue;
    }
    report.signatures.push_back(check_signature(i, doc, *report.ticket, chain, options_));
    if (sig.header)
      for (const auto& w : sig.header->warnings) report.warnings.push_back("signature #" + std::to_string(i) + ": " + w);
  }
  apply_policy(report, options_);
  apply_required_signers(report, options_);
  return report;
}

}  // namespace onboard::verify
