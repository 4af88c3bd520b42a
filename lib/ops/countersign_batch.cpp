// countersign-ticket --manifest: one countersigned ticket per row (column `ticket`), through the
// runner in lib/batch; each row is countersign_document(), as a single ticket is.
#include <map>
#include <optional>

#include "onboard/batch/runner.h"
#include "ticket_signer.h"
#include "verify_common.h"

namespace onboard::ops {
namespace {

struct CountersignJob : batch::Job {
  std::string ticket;  ///< path, relative to the manifest resolved
  std::optional<std::string> opc_uri;
};

std::string ticket_stem(const std::string& path) {
  std::string name = path.substr(path.rfind('/') + 1);
  for (const char* ext : {".ticket.json", ".json"})
    if (name.size() > std::string(ext).size() && name.ends_with(ext)) return name.substr(0, name.size() - std::string(ext).size());
  return name;
}

class CountersignTool : public batch::Tool {
 public:
  CountersignTool(const CountersignTicketRequest& req, Env& env) : req_(req), env_(env) {}

  Expected<std::unique_ptr<batch::Job>> validate(const batch::Row& r) override {
    const std::string* ticket = r.get("ticket");
    if (!ticket || ticket->empty()) return fail(Errc::malformed, "missing value in column 'ticket'");
    auto job = std::make_unique<CountersignJob>();
    job->ticket = batch::manifest_relative(req_.manifest, *ticket);
    const std::string* c = r.get("composite_instance_uri");
    std::string composite = c && !c->empty() ? *c : req_.composite_instance_uri;
    if (!composite.empty()) {
      if (auto ok = validate_instance_uri(composite, "CompositeInstanceUri"); !ok) return fail(std::move(ok.error()));
      job->opc_uri = composite;
    }
    job->id_hint = ticket_stem(job->ticket);
    job->unique = {"ticket " + job->ticket};
    return job;
  }

  Status prepare() override {
    auto signer = load_ticket_signer({req_.key, req_.cert, req_.chain, req_.alg, req_.tsa}, env_.now());
    if (!signer) return fail(std::move(signer.error()));
    signer_ = std::move(*signer);
    keys_ = std::make_unique<keys::KeyContext>(req_.common.keys);
    if (auto ok = open_ticket_signer_key(*signer_, req_.key, *keys_); !ok) return ok;
    warn_ticket_signer(*signer_, env_);
    return {};
  }

  std::vector<std::pair<std::string, std::string>> files(const batch::Job& job) override {
    return {{"ticket", job.stem + ".ticket.json"}};
  }

  // Ours: the input's payload and signatures, plus one more by --cert that verifies.
  Status verify_existing(batch::Job& j, const std::map<std::string, std::string>& paths) override {
    auto& job = static_cast<CountersignJob&>(j);
    const std::string& path = paths.at("ticket");
    auto in_text = read_file(job.ticket, req_.trust.max_size);
    auto out_text = read_file(path, req_.trust.max_size);
    auto in = in_text ? jws::parse(*in_text) : Expected<jws::Document>(fail(in_text.error()));
    auto out = out_text ? jws::parse(*out_text) : Expected<jws::Document>(fail(out_text.error()));
    bool ours = in && out && out->payload_b64 == in->payload_b64 && out->signatures.size() == in->signatures.size() + 1 &&
                out->signatures.back().header && out->signatures.back().header->x5c.front().der() == signer_->cert.der() &&
                jws::verify_signature(out->payload_b64, out->signatures.back());
    if (ours) return {};
    return fail(Errc::file, path + ": exists but is not this row's ticket countersigned by --cert (use --force to replace)");
  }

  Expected<std::vector<batch::Output>> make(batch::Job& j) override {
    auto& job = static_cast<CountersignJob&>(j);
    auto doc = countersign_document(req_, job.ticket, job.opc_uri, *signer_, env_, [] { return Status{}; });
    if (!doc) return fail(std::move(doc.error()));
    return std::vector<batch::Output>{{"ticket", job.stem + ".ticket.json", std::move(*doc), false, false}};
  }

 private:
  const CountersignTicketRequest& req_;
  Env& env_;
  std::optional<TicketSigner> signer_;
  std::unique_ptr<keys::KeyContext> keys_;
};

}  // namespace

Status countersign_batch(const CountersignTicketRequest& req, Env& env) {
  if (!req.ticket.empty() || !req.out.empty())
    return fail(Errc::usage, "--manifest takes the tickets from its 'ticket' column and writes to --out-dir: not TICKET/--out");
  if (!req.check)  // trust and signer are checked before any row (a usage error stops the run early)
    if (auto trust = load_trust(req.trust, env); !trust && !req.insecure_skip_verify) return fail(std::move(trust.error()));
  // SPEC §13.2: the signer is checked (valid now, chain up to the root, alg) before anything is
  // written, the same checks as a single countersignature.
  if (auto signer = load_ticket_signer({req.key, req.cert, req.chain, req.alg, req.tsa}, env.now()); !signer)
    return fail(std::move(signer.error()));
  CountersignTool tool(req, env);
  return batch::run(batch::options_of(req, req.common.force), tool, env);
}

}  // namespace onboard::ops
