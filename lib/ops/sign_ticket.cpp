// sign-ticket: YAML → signed DeviceIdentityTicket (SPEC §5, §6), or one ticket per manifest
// row in one process (SPEC §10).
#include <sys/stat.h>

#include <fstream>
#include <ostream>
#include <set>

#include <nlohmann/json.hpp>

#include "onboard/batch/batch.h"
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
  if (!req.out_dir.empty() || !req.ticket_template.empty() || !req.results.empty() || req.continue_on_error)
    return fail(Errc::usage, "--out-dir, --ticket-template, --results and --continue-on-error need --manifest");
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
  auto prepared = jws::prepare(sign_options(*signer, TicketType::device), *signer->key);
  if (!prepared) return fail(std::move(prepared.error()));
  auto doc = sign_new_document(*payload, *prepared, *signer->key, true);
  if (!doc) return fail(std::move(doc.error()));
  if (auto ok = write_file_atomic(req.out, *doc, {req.common.force, 0644}); !ok) return ok;
  report(env, req, *t, *signer);
  return {};
}

// ---- batch ----

struct RowTicket {
  std::string id, path, payload;
  ticket::Ticket ticket;
};

// The row's ticket and where it goes: ID = column `id`, else the SerialNumber, else the row number.
// `authorities` null: checking only (instantiate validates every field; the payload is not built).
Expected<RowTicket> row_ticket(const SignTicketRequest& req, const ticket::TicketTemplate& tmpl, const batch::Row& row,
                               const std::vector<ticket::CertificateAuthority>* authorities) {
  auto t = ticket::instantiate(tmpl, &row.values);
  if (!t) return fail(std::move(t.error()));
  std::string payload;
  if (authorities) {
    t->authorities = *authorities;
    auto json = ticket::encode_json(*t);
    if (!json) return fail(std::move(json.error()));
    payload = std::move(*json);
  }
  const std::string* id_col = row.get("id");
  std::string id = id_col && !id_col->empty() ? *id_col
                   : !t->serial_number.empty() ? t->serial_number
                                               : std::to_string(row.number);
  auto stem = safe_file_stem(id);
  if (!stem) return fail(std::move(stem.error()).context("id '" + id + "'"));
  return RowTicket{id, req.out_dir + "/" + *stem + ".ticket.json", std::move(payload), std::move(*t)};
}

std::string where(const SignTicketRequest& req, const batch::Row& row) {
  return req.manifest + ": row " + std::to_string(row.number) + " (line " + std::to_string(row.line) + ")";
}

// Pass 1 (DESIGN rule 7): every row becomes a valid ticket before any key is touched.
Expected<std::size_t> validate_rows(const SignTicketRequest& req, const ticket::TicketTemplate& tmpl) {
  auto reader = batch::ManifestReader::open(req.manifest);
  if (!reader) return fail(std::move(reader.error()));
  auto cols = ticket::template_columns(tmpl);
  if (!cols) return fail(std::move(cols.error()));
  std::set<std::string> uris, paths;
  std::size_t count = 0;
  for (;;) {
    auto row = (*reader)->next();
    if (!row) return fail(std::move(row.error()));
    if (!*row) break;
    const batch::Row& r = **row;
    for (const auto& c : *cols)
      if (!r.get(c))
        return fail(Errc::malformed, where(req, r) + ": --ticket-template uses column '" + c + "', which is missing");
    auto rt = row_ticket(req, tmpl, r, nullptr);
    if (!rt) return fail(std::move(rt.error()).context(where(req, r)));
    if (!uris.insert(rt->ticket.product_instance_uri).second)
      return fail(Errc::malformed, where(req, r) + ": duplicate ProductInstanceUri " + rt->ticket.product_instance_uri);
    if (!paths.insert(rt->path).second) return fail(Errc::malformed, where(req, r) + ": duplicate id '" + rt->id + "'");
    ++count;
  }
  if (count == 0) return fail(Errc::malformed, req.manifest + ": no rows");
  return count;
}

// A re-run skips a row whose ticket exists, carries exactly this payload and verifies with our certificate.
Status existing_is_ours(const RowTicket& rt, const TicketSigner& s) {
  auto text = read_file(rt.path, jws::Limits{}.max_document);
  auto doc = text ? jws::parse(*text) : Expected<jws::Document>(fail(text.error()));
  bool ours = doc && to_string(doc->payload) == rt.payload && !doc->signatures.empty() &&
              doc->signatures[0].header && doc->signatures[0].header->x5c[0].der() == s.cert.der() &&
              jws::verify_signature(doc->payload_b64, doc->signatures[0]);
  if (ours) return {};
  return fail(Errc::file, rt.path + ": exists but is not this row's ticket signed by --cert (use --force to replace)");
}

struct BatchRun {
  const SignTicketRequest& req;
  const ticket::TicketTemplate& tmpl;
  const std::vector<ticket::CertificateAuthority>& authorities;
  TicketSigner& signer;
  jws::Prepared prepared;
  bool checked_once = false;
};

Expected<batch::Result> sign_row(BatchRun& run, const batch::Row& row) {
  auto rt = row_ticket(run.req, run.tmpl, row, &run.authorities);
  if (!rt) return fail(std::move(rt.error()));
  batch::Result res{row.number, rt->id, "ok", {{"ticket", rt->path}, {"product_instance_uri", rt->ticket.product_instance_uri}}, std::nullopt};
  if (!run.req.common.force && file_exists(rt->path)) {
    if (auto ok = existing_is_ours(*rt, run.signer); !ok) return fail(std::move(ok.error()));
    res.status = "skipped";
    return res;
  }
  auto doc = sign_new_document(rt->payload, run.prepared, *run.signer.key, !run.checked_once);
  if (!doc) return fail(std::move(doc.error()));
  run.checked_once = true;  // the first signature proves key, backend and alg; the rest are the same
  if (auto ok = write_file_atomic(rt->path, *doc, {run.req.common.force, 0644, false}); !ok) return fail(std::move(ok.error()));
  return res;
}

Status run_rows(BatchRun& run, std::ostream& results, std::size_t total, Env& env) {
  auto reader = batch::ManifestReader::open(run.req.manifest);
  if (!reader) return fail(std::move(reader.error()));
  batch::Progress progress(env, total);
  std::optional<Error> first_error;
  for (;;) {
    auto row = (*reader)->next();
    if (!row) return fail(std::move(row.error()));
    if (!*row) break;
    auto res = sign_row(run, **row);
    if (!res) {
      Error e = std::move(res.error()).context(run.req.manifest + ": row " + std::to_string((*row)->number));
      results << batch::to_json_line({(*row)->number, std::to_string((*row)->number), "error", {}, e});
      progress.tick(true);
      if (!first_error) first_error = e;
      if (!run.req.continue_on_error) break;
      continue;
    }
    results << batch::to_json_line(*res);
    progress.tick(false);
  }
  progress.finish();
  results.flush();
  sync_dir(run.req.out_dir);
  if (first_error) return fail(*first_error);
  return {};
}

Status sign_batch(const SignTicketRequest& req, Env& env) {
  if (req.ticket_template.empty() || req.out_dir.empty())
    return fail(Errc::usage, "--manifest needs --ticket-template and --out-dir");
  if (!req.ticket.empty() || !req.out.empty()) return fail(Errc::usage, "--manifest takes --ticket-template and --out-dir, not --ticket/--out");
  auto tmpl = ticket::load_template(req.ticket_template, TicketType::device);
  if (!tmpl) return fail(std::move(tmpl.error()));
  std::vector<ticket::CertificateAuthority> authorities = tmpl->authorities;
  if (auto ok = apply_authorities(req, tmpl->has_authorities, authorities, env); !ok) return ok;
  auto signer = load_ticket_signer(req.signer, env.now());
  if (!signer) return fail(std::move(signer.error()));
  auto total = validate_rows(req, *tmpl);
  if (!total) return fail(std::move(total.error()));
  ::mkdir(req.out_dir.c_str(), 0755);
  if (auto ok = check_writable(req.out_dir + "/.probe", true); !ok)
    return fail(Errc::file, "--out-dir " + req.out_dir + " is not a writable directory");
  clean_stale_temp_files(req.out_dir);  // complete files a killed earlier run left under a temporary name
  std::ofstream results_file;
  if (!req.results.empty()) {
    results_file.open(req.results, std::ios::app);
    if (!results_file) return fail(Errc::file, req.results + ": cannot write results");
  }
  keys::KeyContext keys(req.common.keys);
  if (auto ok = open_ticket_signer_key(*signer, req.signer.key, keys); !ok) return ok;
  warn_if_no_authorities(authorities, env);
  auto prepared = jws::prepare(sign_options(*signer, TicketType::device), *signer->key);
  if (!prepared) return fail(std::move(prepared.error()));
  BatchRun run{req, *tmpl, authorities, *signer, std::move(*prepared)};
  return run_rows(run, req.results.empty() ? *env.out : results_file, *total, env);
}

}  // namespace

Status sign_ticket(const SignTicketRequest& req, Env& env) {
  return req.manifest.empty() ? sign_single(req, env) : sign_batch(req, env);
}

}  // namespace onboard::ops
