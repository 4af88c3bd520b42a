// countersign-ticket (SPEC §7): validate first (Part 21 §6.2: a signature may only be added to
// a ticket that was validated), then append one signature. The payload string and every
// existing signature object are copied byte for byte; the new cty equals the existing one.
#include <nlohmann/json.hpp>

#include <functional>
#include <ostream>

#include "ticket_signer.h"
#include "verify_common.h"

namespace onboard::ops {
namespace {

/// The cty of the existing signatures (all equal once verified); from the payload otherwise.
Expected<std::string> existing_cty(const jws::Document& doc, const verify::TicketReport* report) {
  for (const auto& s : doc.signatures)
    if (s.header) return s.header->cty;
  if (report && report->ticket) return ticket::cty_for(report->ticket->type);
  auto t = ticket::decode_json_any(doc.payload, {}, nullptr);
  if (!t) return fail(std::move(t.error()).context("payload"));
  return ticket::cty_for(t->type);
}

Status validate_first(const CountersignTicketRequest& req, const std::string& ticket, const jws::Document& doc, Env& env,
                      std::optional<verify::TicketReport>& report) {
  if (req.insecure_skip_verify) {
    env.warn("--insecure-skip-verify: countersigning " + ticket +
             " without validating it first; Part 21 §6.2 allows signatures only on validated tickets");
    return {};
  }
  auto options = load_trust(req.trust, env);
  if (!options) return fail(std::move(options.error()));
  verify::Verifier verifier(std::move(*options));
  report = verifier.verify(ticket, doc);
  if (!report->valid)
    return fail(std::move(invalid_ticket_error(*report)).context("refusing to countersign"));
  return {};
}

void report_result(Env& env, const CountersignTicketRequest& req, const TicketSigner& signer, std::size_t index) {
  if (req.out == "-") return;
  if (req.common.json) {
    nlohmann::ordered_json j{{"out", req.out}, {"signature", index}, {"signer", signer.cert.subject()},
                             {"signer_not_after", format_time(signer.cert.not_after())}};
    if (!req.composite_instance_uri.empty()) j["opc_uri"] = req.composite_instance_uri;
    *env.out << j.dump() << "\n";
    return;
  }
  *env.out << req.out << ": signature #" << index << " added by " << signer.cert.subject() << " (certificate until "
           << format_time(signer.cert.not_after()) << ")\n";
}

}  // namespace

Expected<std::string> countersign_document(const CountersignTicketRequest& req, const std::string& ticket,
                                          const std::optional<std::string>& opc_uri, TicketSigner& signer, Env& env,
                                          const std::function<Status()>& before_signing) {
  auto text = read_file(ticket, req.trust.max_size);
  if (!text) return fail(std::move(text.error()));
  jws::Limits limits;
  limits.max_document = req.trust.max_size;
  auto doc = jws::parse(*text, limits);
  if (!doc) return fail(std::move(doc.error()).context(ticket));
  if (doc->signatures.size() >= limits.max_signatures)
    return fail(Errc::malformed, ticket + ": already has " + std::to_string(doc->signatures.size()) +
                                     " signatures, the limit (SPEC §6)");
  // SPEC §13.2: a second signature by the very same certificate adds nothing (exit 3).
  if (auto ok = check_not_signed_yet(signer, *doc, ticket); !ok) return fail(std::move(ok.error()));
  std::optional<verify::TicketReport> report;
  if (auto ok = validate_first(req, ticket, *doc, env, report); !ok) return fail(std::move(ok.error()));
  auto cty = existing_cty(*doc, report ? &*report : nullptr);
  if (!cty) return fail(std::move(cty.error()).context(ticket));
  if (auto ok = before_signing(); !ok) return fail(std::move(ok.error()));
  auto sig = sign_payload(signer, doc->payload_b64, *cty, opc_uri);
  if (!sig) return fail(std::move(sig.error()));
  doc->signatures.push_back(std::move(*sig));
  return jws::serialize(*doc);
}

Status countersign_ticket(const CountersignTicketRequest& req, Env& env) {
  if (!req.manifest.empty()) return countersign_batch(req, env);
  if (req.ticket.empty() || req.out.empty()) return fail(Errc::usage, "give TICKET and --out (or --manifest)");
  if (!req.out_dir.empty() || !req.results.empty() || req.check || req.inline_outputs || req.continue_on_error)
    return fail(Errc::usage, "--out-dir, --results, --check, --inline and --continue-on-error need --manifest");
  std::optional<std::string> opc_uri;
  if (!req.composite_instance_uri.empty()) {
    if (auto ok = validate_instance_uri(req.composite_instance_uri, "CompositeInstanceUri"); !ok)
      return fail(std::move(ok.error()).context("--composite-instance-uri"));
    opc_uri = req.composite_instance_uri;
  }
  auto signer = load_ticket_signer({req.key, req.cert, req.chain, req.alg, req.tsa}, env.now());
  if (!signer) return fail(std::move(signer.error()));
  keys::KeyContext keys(req.common.keys);
  auto doc = countersign_document(req, req.ticket, opc_uri, *signer, env, [&]() -> Status {
    if (auto ok = check_writable(req.out, req.common.force); !ok) return ok;
    if (auto ok = open_ticket_signer_key(*signer, req.key, keys); !ok) return ok;
    warn_ticket_signer(*signer, env);
    return {};
  });
  if (!doc) return fail(std::move(doc.error()));
  if (auto ok = write_file_atomic(req.out, *doc, {req.common.force, 0644}); !ok) return ok;
  report_result(env, req, *signer, jws::parse(*doc)->signatures.size() - 1);
  return {};
}

}  // namespace onboard::ops
