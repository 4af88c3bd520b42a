// countersign-ticket in batches (SPEC §13.3, §13.4), through the runner in lib/batch: one row per
// --manifest row (column `ticket`; output ID.ticket.json) or per TICKET input file with --out-dir
// (directories expanded; output under the input's own file name). A row is countersign_source(),
// as a single ticket is: a ticket list in gives the countersigned list out. Trust is parsed and
// the key opened once; the Verifier checks each distinct chain once for the whole run.
#include <map>
#include <optional>
#include <set>

#include "onboard/batch/runner.h"
#include "ticket_signer.h"
#include "verify_common.h"

namespace onboard::ops {
namespace {

struct CountersignJob : batch::Job {
  std::string ticket;                            ///< path (a manifest's: relative to it, resolved)
  const ticket::TicketSource* source = nullptr;  ///< TICKET inputs: read before the run
  std::string out_name;                          ///< TICKET inputs: the input's file name
  std::optional<std::string> opc_uri;
};

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

std::string ticket_stem(const std::string& path) {
  std::string name = base_name(path);
  for (const char* ext : {".ticket.json", ".json"})
    if (name.size() > std::string(ext).size() && name.ends_with(ext)) return name.substr(0, name.size() - std::string(ext).size());
  return name;
}

bool countersigned_by(const std::string& in, const std::string& out, const TicketSigner& signer, std::size_t max) {
  jws::Limits limits;
  limits.max_document = max;
  auto a = jws::parse(in, limits);
  return a && extends_by_one(*a, out, signer, limits);
}

/// The same for every member of a ticket list (same order, same kinds).
bool source_countersigned_by(const ticket::TicketSource& src, const std::string& out, const TicketSigner& signer,
                             std::size_t max) {
  if (!src.is_list) return !ticket::looks_like_ticket_list(out) && countersigned_by(src.tickets.front().bytes, out, signer, max);
  if (!ticket::looks_like_ticket_list(out)) return false;
  auto list = ticket::decode_ticket_list(out);
  if (!list || list->devices.size() + list->composites.size() != src.tickets.size()) return false;
  for (const auto& t : src.tickets) {
    const auto& docs = t.kind == ticket::TicketInput::Kind::composite_member ? list->composites : list->devices;
    if (t.index >= docs.size() || !countersigned_by(t.bytes, docs[t.index], signer, max)) return false;
  }
  return true;
}

class CountersignTool : public batch::Tool {
 public:
  CountersignTool(const CountersignTicketRequest& req, Env& env, const std::vector<ticket::TicketSource>* sources)
      : req_(req), env_(env), sources_(sources) {}

  Expected<std::unique_ptr<batch::Job>> validate(const batch::Row& r) override {
    auto job = std::make_unique<CountersignJob>();
    if (sources_) {
      job->source = &(*sources_)[std::stoul(*r.get("input"))];
      job->ticket = job->source->path;
      job->out_name = base_name(job->ticket);
      job->id_hint = job->out_name;
    } else {
      const std::string* ticket = r.get("ticket");
      if (!ticket || ticket->empty()) return fail(Errc::malformed, "missing value in column 'ticket'");
      job->ticket = batch::manifest_relative(req_.manifest, *ticket);
      job->id_hint = ticket_stem(job->ticket);
    }
    const std::string* c = r.get("composite_instance_uri");
    std::string composite = c && !c->empty() ? *c : req_.composite_instance_uri;
    if (!composite.empty()) {
      if (auto ok = validate_instance_uri(composite, "CompositeInstanceUri"); !ok) return fail(std::move(ok.error()));
      job->opc_uri = composite;
    }
    job->unique = {"ticket " + job->ticket};
    return job;
  }

  Status prepare() override {
    auto signer = load_ticket_signer({req_.key, req_.cert, req_.chain, req_.alg}, env_.now());
    if (!signer) return fail(std::move(signer.error()));
    signer_ = std::move(*signer);
    auto verifier = countersign_verifier(req_, env_);
    if (!verifier) return fail(std::move(verifier.error()));
    verifier_ = std::move(*verifier);
    keys_ = std::make_unique<keys::KeyContext>(req_.common.keys);
    if (auto ok = open_ticket_signer_key(*signer_, req_.key, *keys_); !ok) return ok;
    warn_ticket_signer(*signer_, env_);
    return {};
  }

  std::vector<std::pair<std::string, std::string>> files(const batch::Job& j) override {
    const auto& job = static_cast<const CountersignJob&>(j);
    if (job.source) return {{job.source->is_list ? "list" : "ticket", job.out_name}};
    return {{"ticket", job.stem + ".ticket.json"}};
  }

  // Ours: the input's payload and signatures byte for byte, plus one more by --cert that verifies.
  Status verify_existing(batch::Job& j, const std::map<std::string, std::string>& paths) override {
    auto& job = static_cast<CountersignJob&>(j);
    const std::string& path = paths.begin()->second;
    auto src = source_of(job);
    auto out = read_file(path, ticket::kMaxTicketListBytes);
    if (src && out && source_countersigned_by(**src, *out, *signer_, req_.trust.max_size)) return {};
    return fail(Errc::file, path + ": exists but is not " + job.ticket + " countersigned by --cert (use --force to replace)");
  }

  Expected<std::vector<batch::Output>> make(batch::Job& j) override {
    auto& job = static_cast<CountersignJob&>(j);
    auto src = source_of(job);
    if (!src) return fail(std::move(src.error()));
    auto doc = countersign_source(req_, **src, verifier_.get(), job.opc_uri, *signer_, prepared_, [] { return Status{}; });
    if (!doc) return fail(std::move(doc.error()));
    auto [role, name] = files(job).front();
    return std::vector<batch::Output>{{role, name, std::move(*doc), false, false}};
  }

 private:
  /// TICKET inputs were read before the run; a manifest's ticket is read when its row comes.
  Expected<const ticket::TicketSource*> source_of(const CountersignJob& job) {
    if (job.source) return job.source;
    auto sources = ticket::read_ticket_sources({job.ticket});
    if (!sources) return fail(std::move(sources.error()));
    if (sources->size() != 1) return fail(Errc::malformed, job.ticket + ": a manifest row names one ticket file, not a directory");
    row_source_ = std::move(sources->front());
    return &*row_source_;
  }

  const CountersignTicketRequest& req_;
  Env& env_;
  const std::vector<ticket::TicketSource>* sources_;
  std::optional<ticket::TicketSource> row_source_;
  std::optional<TicketSigner> signer_;
  std::unique_ptr<verify::Verifier> verifier_;
  PreparedSignatures prepared_;
  std::unique_ptr<keys::KeyContext> keys_;
};

/// TICKET inputs with --out-dir: every file read first (parse, then act), one row each.
Status check_inputs(const CountersignTicketRequest& req, const std::vector<ticket::TicketSource>& sources) {
  if (!req.out.empty()) return fail(Errc::usage, "--out-dir writes one file per input: not with --out");
  std::map<std::string, std::string> names;
  for (const auto& s : sources) {
    if (s.path == "-") return fail(Errc::usage, "- (stdin) has no file name to keep in --out-dir: give it with --out");
    auto [it, fresh] = names.emplace(base_name(s.path), s.path);
    if (!fresh)
      return fail(Errc::usage, it->second + " and " + s.path + " have the same file name: their countersigned copies in --out-dir would collide");
  }
  return {};
}

}  // namespace

Status countersign_batch(const CountersignTicketRequest& req, Env& env) {
  std::optional<std::vector<ticket::TicketSource>> sources;
  std::vector<batch::Row> rows;
  batch::Options opt = batch::options_of(req, req.common.force);
  if (req.manifest.empty()) {  // TICKET inputs with --out-dir
    if (req.tickets.empty()) return fail(Errc::usage, "give the TICKET files or directories to countersign into --out-dir");
    auto read = ticket::read_ticket_sources(req.tickets);
    if (!read) return fail(std::move(read.error()));
    if (auto ok = check_inputs(req, *read); !ok) return ok;
    sources = std::move(*read);
    for (std::size_t i = 0; i < sources->size(); ++i)
      rows.push_back({i + 1, i + 1, {{"input", std::to_string(i)}}});
    opt.manifest = "TICKET inputs";
    opt.rows = &rows;
  } else if (!req.tickets.empty() || !req.out.empty()) {
    return fail(Errc::usage, "--manifest takes the tickets from its 'ticket' column and writes to --out-dir: not TICKET/--out");
  }
  if (!req.check)  // trust and signer are checked before any row (a usage error stops the run early)
    if (auto trust = load_trust(req.trust, env); !trust && !req.insecure_skip_verify) return fail(std::move(trust.error()));
  // SPEC §13.2: the signer is checked (valid now, chain up to the root, alg) before anything is
  // written, the same checks as a single countersignature.
  if (auto signer = load_ticket_signer({req.key, req.cert, req.chain, req.alg}, env.now()); !signer)
    return fail(std::move(signer.error()));
  CountersignTool tool(req, env, sources ? &*sources : nullptr);
  return batch::run(opt, tool, env);
}

}  // namespace onboard::ops
