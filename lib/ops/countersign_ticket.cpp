// countersign-ticket (SPEC §7, §13.4): validate first (Part 21 §6.2: a signature may only be added
// to a ticket that was validated), then append one signature. The payload string and every
// existing signature object are copied byte for byte; the new cty equals the existing one. A
// ticket list gets one new signature on every member. Several inputs, directories and
// --manifest go through the batch runner (countersign_batch.cpp).
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

/// One document checked and ready for its new signature.
struct Pending {
  jws::Document doc;
  std::string cty;
};

Expected<Pending> check_document(const CountersignTicketRequest& req, const ticket::TicketInput& in,
                                 const verify::Verifier* verifier, const TicketSigner& signer) {
  jws::Limits limits;
  limits.max_document = req.trust.max_size;
  auto doc = jws::parse(in.bytes, limits);
  if (!doc) return fail(std::move(doc.error()).context(in.path));
  if (doc->signatures.size() >= limits.max_signatures)
    return fail(Errc::malformed, in.path + ": already has " + std::to_string(doc->signatures.size()) +
                                     " signatures, the limit (SPEC §6)");
  // SPEC §13.2: a second signature by the very same certificate adds nothing (exit 3).
  if (auto ok = check_not_signed_yet(signer, *doc, in.path); !ok) return fail(std::move(ok.error()));
  std::optional<verify::TicketReport> report;
  if (verifier) {
    report = verifier->verify(in.path, *doc);
    if (!report->valid) return fail(std::move(invalid_ticket_error(*report)).context("refusing to countersign"));
  }
  auto cty = existing_cty(*doc, report ? &*report : nullptr);
  if (!cty) return fail(std::move(cty.error()).context(in.path));
  return Pending{std::move(*doc), std::move(*cty)};
}

/// The signature is prepared (key checked against x5c[0], header encoded, signing context set up)
/// once per cty/opc-uri for the whole run: that costs more than the ECDSA signature itself.
Expected<std::string> append_signature(Pending& p, const TicketSigner& signer, const std::optional<std::string>& opc_uri,
                                       PreparedSignatures& prepared) {
  std::string key = p.cty + '\n' + opc_uri.value_or("");
  auto it = prepared.find(key);
  if (it == prepared.end()) {
    auto made = jws::prepare(sign_options(signer, p.cty, opc_uri), *signer.key);
    if (!made) return fail(std::move(made.error()));
    it = prepared.emplace(key, std::move(*made)).first;
  }
  auto sig = jws::sign(p.doc.payload_b64, it->second, *signer.key);
  if (!sig) return fail(std::move(sig.error()));
  p.doc.signatures.push_back(std::move(*sig));
  return jws::serialize(p.doc);
}

/// What was added: the new signature's index (one ticket), or how many list members were signed.
struct Added {
  const ticket::TicketSource& src;
  std::size_t index_or_count;
};

void report_result(Env& env, const CountersignTicketRequest& req, const TicketSigner& signer, const Added& added) {
  if (req.out == "-") return;
  if (req.common.json) {
    nlohmann::ordered_json j{{"out", req.out}};
    j[added.src.is_list ? "tickets" : "signature"] = added.index_or_count;
    j["signer"] = signer.cert.subject();
    j["signer_not_after"] = format_time(signer.cert.not_after());
    if (!req.composite_instance_uri.empty()) j["opc_uri"] = req.composite_instance_uri;
    *env.out << j.dump() << "\n";
    return;
  }
  *env.out << req.out << ": "
           << (added.src.is_list ? "a signature on each of " + std::to_string(added.index_or_count) + " tickets"
                                 : "signature #" + std::to_string(added.index_or_count))
           << " added by " << signer.cert.subject() << " (certificate until " << format_time(signer.cert.not_after())
           << ")\n";
}

}  // namespace

Expected<std::unique_ptr<verify::Verifier>> countersign_verifier(const CountersignTicketRequest& req, Env& env) {
  if (req.insecure_skip_verify) {
    env.warn("--insecure-skip-verify: countersigning without validating the tickets first; Part 21 §6.2 allows "
             "signatures only on validated tickets");
    return std::unique_ptr<verify::Verifier>();
  }
  auto options = load_trust(req.trust, env);
  if (!options) return fail(std::move(options.error()));
  return std::make_unique<verify::Verifier>(std::move(*options));
}

Expected<std::string> countersign_source(const CountersignTicketRequest& req, const ticket::TicketSource& src,
                                        const verify::Verifier* verifier, const std::optional<std::string>& opc_uri,
                                        TicketSigner& signer, PreparedSignatures& prepared,
                                        const std::function<Status()>& before_signing) {
  // Parse, then act: every member is checked before the first signature is made.
  std::vector<Pending> pending;
  for (const auto& t : src.tickets) {
    auto p = check_document(req, t, verifier, signer);
    if (!p) return fail(std::move(p.error()));
    pending.push_back(std::move(*p));
  }
  if (auto ok = before_signing(); !ok) return fail(std::move(ok.error()));
  std::vector<std::string> devices, composites;
  for (std::size_t i = 0; i < pending.size(); ++i) {
    auto doc = append_signature(pending[i], signer, opc_uri, prepared);
    if (!doc) return fail(std::move(doc.error()).context(src.tickets[i].path));
    if (!src.is_list) return doc;
    (src.tickets[i].kind == ticket::TicketInput::Kind::composite_member ? composites : devices).push_back(std::move(*doc));
  }
  return ticket::encode_ticket_list(devices, composites);
}

Status countersign_ticket(const CountersignTicketRequest& req, Env& env) {
  if (!req.manifest.empty() || !req.out_dir.empty()) return countersign_batch(req, env);
  if (req.tickets.empty()) return fail(Errc::usage, "give TICKET and --out FILE (or --out-dir DIR, or --manifest)");
  if (!req.results.empty() || req.check || req.inline_outputs || req.continue_on_error)
    return fail(Errc::usage, "--results, --check, --inline and --continue-on-error need --out-dir or --manifest");
  auto sources = ticket::read_ticket_sources(req.tickets);
  if (!sources) return fail(std::move(sources.error()));
  if (sources->size() > 1 || !sources->front().directory.empty())
    return fail(Errc::usage, "several tickets (" + std::to_string(sources->size()) +
                                 " files) or a directory need --out-dir DIR: each countersigned ticket keeps its file "
                                 "name there; --out takes one");
  if (req.out.empty()) return fail(Errc::usage, "give --out FILE for the countersigned ticket (or --out-dir DIR)");
  std::optional<std::string> opc_uri;
  if (!req.composite_instance_uri.empty()) {
    if (auto ok = validate_instance_uri(req.composite_instance_uri, "CompositeInstanceUri"); !ok)
      return fail(std::move(ok.error()).context("--composite-instance-uri"));
    opc_uri = req.composite_instance_uri;
  }
  auto signer = load_ticket_signer({req.key, req.cert, req.chain, req.alg}, env.now());
  if (!signer) return fail(std::move(signer.error()));
  auto verifier = countersign_verifier(req, env);
  if (!verifier) return fail(std::move(verifier.error()));
  keys::KeyContext keys(req.common.keys);
  const auto& src = sources->front();
  PreparedSignatures prepared;
  auto doc = countersign_source(req, src, verifier->get(), opc_uri, *signer, prepared, [&]() -> Status {
    if (auto ok = check_writable(req.out, req.common.force); !ok) return ok;
    if (auto ok = open_ticket_signer_key(*signer, req.key, keys); !ok) return ok;
    warn_ticket_signer(*signer, env);
    return {};
  });
  if (!doc) return fail(std::move(doc.error()));
  if (auto ok = write_file_atomic(req.out, *doc, {req.common.force, 0644}); !ok) return ok;
  std::size_t added = src.tickets.size();
  if (!src.is_list)
    if (auto out = jws::parse(*doc)) added = out->signatures.size() - 1;
  report_result(env, req, *signer, {src, added});
  return {};
}

}  // namespace onboard::ops
