// sign-ticket: YAML → signed DeviceIdentityTicket (SPEC §5, §6), or one ticket per manifest
// row in one process (SPEC §10).
#include <map>
#include <optional>
#include <ostream>

#include <nlohmann/json.hpp>

#include "onboard/batch/runner.h"
#include "ticket_signer.h"

namespace onboard::ops {
namespace {

using ticket::TicketType;

// --authority replaces what the YAML lists (SPEC §12: "Authorities from --authority or the YAML").
Status apply_authorities(const SignTicketRequest& req, bool yaml_has_them,
                         std::vector<ticket::CertificateAuthority>& target, Env& env) {
  if (!req.authorities.empty()) {
    auto cas = load_authorities(req.authorities);
    if (!cas) return fail(std::move(cas.error()));
    if (yaml_has_them) env.warn("--authority replaces the authorities listed in the YAML");
    target = std::move(*cas);
  }
  return {};
}

// Said once all checks passed, so it never precedes an error line.
void warn_if_no_authorities(const std::vector<ticket::CertificateAuthority>& cas, Env& env) {
  if (cas.empty())
    env.warn("the ticket lists no Authorities: device certificates cannot be checked against it "
             "(give --authority BUNDLE or authorities: in the YAML)");
}

void report(Env& env, const SignTicketRequest& req, const ticket::Ticket& t, const TicketSigner& s) {
  if (req.out == "-") return;  // stdout holds the ticket itself
  if (req.common.json) {
    nlohmann::ordered_json j;
    j["out"] = req.out;
    j["type"] = ticket::type_name(t.type);
    j["product_instance_uri"] = t.product_instance_uri;
    j["alg"] = jws::alg_name(*s.alg);
    j["signer"] = s.cert.subject();
    j["signer_not_after"] = format_time(s.cert.not_after());
    j["authorities"] = t.authorities.size();
    *env.out << j.dump() << "\n";
    return;
  }
  *env.out << req.out << ": DeviceIdentityTicket for " << t.product_instance_uri << " signed by " << s.cert.subject()
           << " (" << jws::alg_name(*s.alg) << ", certificate valid until " << format_time(s.cert.not_after()) << ")\n";
}

Status sign_single(const SignTicketRequest& req, Env& env) {
  if (req.ticket.empty() || req.out.empty())
    return fail(Errc::usage, "give --ticket FILE.yaml and --out FILE (or --manifest, --ticket-template and --out-dir)");
  if (!req.out_dir.empty() || !req.ticket_template.empty() || !req.results.empty() || req.continue_on_error ||
      req.check || req.inline_outputs)
    return fail(Errc::usage, "--out-dir, --ticket-template, --results, --check, --inline and --continue-on-error need --manifest");
  auto t = ticket::load_yaml(req.ticket, TicketType::device);
  if (!t) return fail(std::move(t.error()));
  if (auto ok = apply_authorities(req, !t->authorities.empty(), t->authorities, env); !ok) return ok;
  auto signer = load_ticket_signer(req.signer, env.now());
  if (!signer) return fail(std::move(signer.error()));
  auto payload = ticket::encode_json(*t);
  if (!payload) return fail(std::move(payload.error()).context(req.ticket));
  if (auto ok = check_writable(req.out, req.common.force); !ok) return ok;

  keys::KeyContext keys(req.common.keys);
  if (auto ok = open_ticket_signer_key(*signer, req.signer.key, keys); !ok) return ok;
  warn_if_no_authorities(t->authorities, env);
  warn_ticket_signer(*signer, env);
  auto prepared = jws::prepare(sign_options(*signer, TicketType::device), *signer->key);
  if (!prepared) return fail(std::move(prepared.error()));
  auto doc = sign_new_document(*payload, *prepared, *signer->key, true, signer->tsa_url);
  if (!doc) return fail(std::move(doc.error()));
  if (auto ok = write_file_atomic(req.out, *doc, {req.common.force, 0644}); !ok) return ok;
  report(env, req, *t, *signer);
  return {};
}

// ---- batch (the runner in lib/batch owns the loop; this is what is particular to tickets) ----

struct TicketJob : batch::Job {
  ticket::Ticket ticket;
  std::string payload;
};

// A re-run skips a row whose ticket exists, carries exactly this payload and verifies with our certificate.
Status existing_is_ours(const std::string& path, const std::string& payload, const TicketSigner& s) {
  auto text = read_file(path, jws::Limits{}.max_document);
  auto doc = text ? jws::parse(*text) : Expected<jws::Document>(fail(text.error()));
  bool ours = doc && to_string(doc->payload) == payload && !doc->signatures.empty() &&
              doc->signatures[0].header && doc->signatures[0].header->x5c[0].der() == s.cert.der() &&
              jws::verify_signature(doc->payload_b64, doc->signatures[0]);
  if (ours) return {};
  return fail(Errc::file, path + ": exists but is not this row's ticket signed by --cert (use --force to replace)");
}

class SignTool : public batch::Tool {
 public:
  SignTool(const SignTicketRequest& req, Env& env, const ticket::TicketTemplate& tmpl,
           std::vector<ticket::CertificateAuthority> authorities, std::vector<std::string> cols)
      : req_(req), env_(env), tmpl_(tmpl), authorities_(std::move(authorities)), cols_(std::move(cols)) {}

  // Every row becomes a valid ticket (instantiate checks every field) before any key is touched.
  Expected<std::unique_ptr<batch::Job>> validate(const batch::Row& r) override {
    for (const auto& c : cols_)
      if (!r.get(c)) return fail(Errc::malformed, "--ticket-template uses column '" + c + "', which is missing");
    auto t = ticket::instantiate(tmpl_, &r.values);
    if (!t) return fail(std::move(t.error()));
    auto job = std::make_unique<TicketJob>();
    job->ticket = std::move(*t);
    job->id_hint = job->ticket.serial_number;
    job->unique = {"ProductInstanceUri " + job->ticket.product_instance_uri};
    return job;
  }

  Status prepare() override {
    auto signer = load_ticket_signer(req_.signer, env_.now());
    if (!signer) return fail(std::move(signer.error()));
    signer_ = std::move(*signer);
    keys_ = std::make_unique<keys::KeyContext>(req_.common.keys);
    if (auto ok = open_ticket_signer_key(*signer_, req_.signer.key, *keys_); !ok) return ok;
    warn_if_no_authorities(authorities_, env_);
    warn_ticket_signer(*signer_, env_);
    auto prepared = jws::prepare(sign_options(*signer_, TicketType::device), *signer_->key);
    if (!prepared) return fail(std::move(prepared.error()));
    prepared_ = std::move(*prepared);
    return {};
  }

  std::vector<std::pair<std::string, std::string>> files(const batch::Job& job) override {
    return {{"ticket", job.stem + ".ticket.json"}};
  }

  Status verify_existing(batch::Job& j, const std::map<std::string, std::string>& paths) override {
    auto& job = static_cast<TicketJob&>(j);
    if (auto ok = payload(job); !ok) return ok;
    return existing_is_ours(paths.at("ticket"), job.payload, *signer_);
  }

  Expected<std::vector<batch::Output>> make(batch::Job& j) override {
    auto& job = static_cast<TicketJob&>(j);
    if (auto ok = payload(job); !ok) return fail(std::move(ok.error()));
    auto doc = sign_new_document(job.payload, *prepared_, *signer_->key, !checked_once_, signer_->tsa_url);
    if (!doc) return fail(std::move(doc.error()));
    checked_once_ = true;  // the first signature proves key, backend and alg; the rest are the same
    return std::vector<batch::Output>{{"ticket", job.stem + ".ticket.json", std::move(*doc), false, false}};
  }

 private:
  Status payload(TicketJob& job) {
    if (!job.payload.empty()) return {};
    job.ticket.authorities = authorities_;
    auto json = ticket::encode_json(job.ticket);
    if (!json) return fail(std::move(json.error()));
    job.payload = std::move(*json);
    return {};
  }

  const SignTicketRequest& req_;
  Env& env_;
  const ticket::TicketTemplate& tmpl_;
  std::vector<ticket::CertificateAuthority> authorities_;
  std::vector<std::string> cols_;
  std::optional<TicketSigner> signer_;
  std::unique_ptr<keys::KeyContext> keys_;
  std::optional<jws::Prepared> prepared_;
  bool checked_once_ = false;
};

Status sign_batch(const SignTicketRequest& req, Env& env) {
  if (req.ticket_template.empty()) return fail(Errc::usage, "--manifest needs --ticket-template");
  if (!req.ticket.empty() || !req.out.empty()) return fail(Errc::usage, "--manifest takes --ticket-template and --out-dir, not --ticket/--out");
  auto tmpl = ticket::load_template(req.ticket_template, TicketType::device);
  if (!tmpl) return fail(std::move(tmpl.error()));
  std::vector<ticket::CertificateAuthority> authorities = tmpl->authorities;
  if (auto ok = apply_authorities(req, tmpl->has_authorities, authorities, env); !ok) return ok;
  auto cols = ticket::template_columns(*tmpl);
  if (!cols) return fail(std::move(cols.error()));
  if (!req.check) {  // the signer is checked before the rows (an expired certificate stops the run early)
    auto signer = load_ticket_signer(req.signer, env.now());
    if (!signer) return fail(std::move(signer.error()));
  }
  SignTool tool(req, env, *tmpl, std::move(authorities), std::move(*cols));
  return batch::run(batch::options_of(req, req.common.force), tool, env);
}

}  // namespace

Status sign_ticket(const SignTicketRequest& req, Env& env) {
  return req.manifest.empty() ? sign_single(req, env) : sign_batch(req, env);
}

}  // namespace onboard::ops
