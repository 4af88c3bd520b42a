// print-label --manifest: one label per row into --out-dir (SPEC §10), or every row's label on
// A4 sheets (--sheet --out FILE.pdf). Rows are all checked before anything is rendered.
#include <malloc.h>
#include <sys/stat.h>

#include <fstream>
#include <ostream>
#include <set>

#include <nlohmann/json.hpp>

#include "label_common.h"
#include "onboard/batch/batch.h"

namespace onboard::ops::label_ops {
namespace {

constexpr std::size_t kLintRowsShown = 3;  // lint of a 10,000-row manifest must not drown stderr

struct Job {
  std::string id, stem, uri;
  label::LabelOptions opt;
};

std::string row_id(const batch::Row& row) {
  for (const char* col : {"id", "serial_number"})
    if (const std::string* v = row.get(col); v && !v->empty()) return *v;
  return std::to_string(row.number);
}

std::string where(const PrintLabelRequest& req, const batch::Row& r) {
  return req.manifest + ": row " + std::to_string(r.number) + " (line " + std::to_string(r.line) + ")";
}

Expected<Job> job_of(const PrintLabelRequest& req, const batch::Row& r) {
  const std::string* uri = r.get("product_instance_uri");
  if (!uri) return fail(Errc::malformed, where(req, r) + ": missing column 'product_instance_uri'");
  if (auto ok = validate_instance_uri(*uri); !ok) return fail(std::move(ok.error()).context(where(req, r)));
  auto opt = label_options(req, r.values);
  if (!opt) return fail(std::move(opt.error()).context(where(req, r)));
  auto stem = safe_file_stem(row_id(r));
  if (!stem) return fail(std::move(stem.error()).context(where(req, r)));
  return Job{row_id(r), *stem, *uri, std::move(*opt)};
}

// Pass 1 (DESIGN rule 7): every row parsed and checked, duplicates refused, lint shown.
Expected<std::size_t> validate_manifest(const PrintLabelRequest& req, Env& env) {
  auto reader = batch::ManifestReader::open(req.manifest);
  if (!reader) return fail(std::move(reader.error()));
  std::set<std::string> uris, stems;
  std::size_t count = 0, linted = 0;
  for (;;) {
    auto row = (*reader)->next();
    if (!row) return fail(std::move(row.error()));
    if (!*row) break;
    auto job = job_of(req, **row);
    if (!job) return fail(std::move(job.error()));
    if (!uris.insert(job->uri).second)
      return fail(Errc::malformed, where(req, **row) + ": duplicate ProductInstanceUri " + job->uri);
    if (!req.sheet && !stems.insert(job->stem).second)
      return fail(Errc::malformed, where(req, **row) + ": duplicate id '" + job->id + "'");
    auto lint = label::lint_uri(job->uri);
    if (!lint.empty() && linted++ < kLintRowsShown)
      for (const auto& w : lint) env.warn(where(req, **row) + ": " + w);
    ++count;
  }
  if (linted > kLintRowsShown) env.warn(std::to_string(linted - kLintRowsShown) + " more rows have URI lint warnings");
  if (count == 0) return fail(Errc::malformed, req.manifest + ": no rows");
  return count;
}

struct Run {
  const PrintLabelRequest& req;
  Env& env;
  Format format;
  std::ostream& results;
  batch::Progress progress;
  std::optional<Error> first_error;
  bool warned = false;
};

void record(Run& run, const batch::Row& row, Expected<batch::Result> res) {
  if (res) {
    run.results << batch::to_json_line(*res);
    run.progress.tick(false);
    return;
  }
  Error e = std::move(res.error()).context(run.req.manifest + ": row " + std::to_string(row.number));
  run.results << batch::to_json_line({row.number, row_id(row), "error", {}, e});
  run.progress.tick(true);
  if (!run.first_error) run.first_error = e;
}

// One row: render + read back; an existing identical file is skipped (a killed run re-runs).
Expected<batch::Result> label_row(Run& run, const batch::Row& row) {
  auto job = job_of(run.req, row);
  if (!job) return fail(std::move(job.error()));
  batch::Result res{row.number, job->id, "ok", {}, std::nullopt};
  const std::string path = run.req.out_dir + "/" + job->stem + "." + extension(run.format);
  res.fields = {{"out", path}, {"product_instance_uri", job->uri}};
  std::vector<std::string> warnings;
  auto r = render_checked(job->uri, job->opt, run.format, &warnings);
  if (!r) return fail(std::move(r.error()));
  if (!run.warned && !warnings.empty()) {  // the same for every row: say it once
    for (const auto& w : warnings) run.env.warn(w);
    run.warned = true;
  }
  if (!run.req.force && file_exists(path)) {
    auto old = read_file(path);
    if (old && *old == r->bytes) {
      res.status = "skipped";
      return res;
    }
    return fail(Errc::file, path + ": exists with other content (use --force to replace)");
  }
  if (auto ok = write_file_atomic(path, r->bytes, {run.req.force, 0644, false}); !ok) return fail(std::move(ok.error()));
  res.fields.push_back({"module_mm", std::to_string(r->label.module_mm).substr(0, 5)});
  return res;
}

template <class Body>
Status for_each_row(const PrintLabelRequest& req, Run& run, Body body) {
  auto reader = batch::ManifestReader::open(req.manifest);
  if (!reader) return fail(std::move(reader.error()));
  for (;;) {
    auto row = (*reader)->next();
    if (!row) return fail(std::move(row.error()));
    if (!*row) break;
    record(run, **row, body(**row));
    if (run.first_error && !req.continue_on_error) break;
  }
  run.progress.finish();
  run.results.flush();
  return {};
}

Status print_files(Run& run) {
  const auto& req = run.req;
  ::mkdir(req.out_dir.c_str(), 0755);
  if (auto ok = check_writable(req.out_dir + "/.probe", true); !ok)
    return fail(Errc::file, "--out-dir " + req.out_dir + " is not a writable directory");
  clean_stale_temp_files(req.out_dir);  // complete files a killed earlier run left under a temporary name
  if (auto ok = for_each_row(req, run, [&](const batch::Row& row) { return label_row(run, row); }); !ok) return ok;
  sync_all();
  if (run.first_error) return fail(*run.first_error);
  return {};
}

// --sheet: all labels on A4 pages; each label's vector drawing is read back on its raster twin.
Status print_sheet(Run& run, std::size_t total) {
  const auto& req = run.req;
  std::vector<label::Label> labels;
  labels.reserve(total);
  auto body = [&](const batch::Row& row) -> Expected<batch::Result> {
    auto job = job_of(req, row);
    if (!job) return fail(std::move(job.error()));
    std::vector<std::string> warnings;
    auto l = label::plan(job->uri, job->opt, &warnings);
    if (!l) return fail(std::move(l.error()));
    if (auto ok = verify_label(*l, Format::pdf, {}); !ok) return fail(std::move(ok.error()));
    if (!run.warned && !warnings.empty()) {
      for (const auto& w : warnings) run.env.warn(w);
      run.warned = true;
    }
    labels.push_back(std::move(*l));
    return batch::Result{row.number, job->id, "ok", {{"out", req.out}, {"product_instance_uri", job->uri}}, {}};
  };
  if (auto ok = for_each_row(req, run, body); !ok) return ok;
  if (run.first_error && !req.continue_on_error) return fail(*run.first_error);
  auto pdf = label::render_sheet_pdf(labels);
  if (!pdf) return fail(std::move(pdf.error()));
  if (auto ok = write_file_atomic(req.out, *pdf, {req.force, 0644}); !ok) return ok;
  const int per_page = label::sheet_capacity(labels.front());
  if (run.env.err)  // a summary, not a result: stdout holds the JSON Lines
    *run.env.err << run.env.tool << ": " << req.out << ": " << labels.size() << " labels on " << (labels.size() + per_page - 1) / per_page
                 << " A4 page(s), " << per_page <<
               " per page\n";
  if (run.first_error) return fail(*run.first_error);
  return {};
}

}  // namespace

Status print_batch(const PrintLabelRequest& req, Env& env) {
  if (!req.uri.empty() || !req.ticket.empty() || !req.cert.empty())
    return fail(Errc::usage, "--manifest takes the URIs from its product_instance_uri column, not --uri/--ticket/--cert");
  Format format = Format::pdf;
  if (req.sheet) {
    if (req.out.empty() || !req.out_dir.empty()) return fail(Errc::usage, "--sheet writes one PDF: give --out FILE.pdf");
    auto f = label::parse_format(req.format, req.out);
    if (!f || *f != Format::pdf) return fail(Errc::usage, "--sheet makes a PDF (--format pdf)");
    if (auto ok = check_writable(req.out, req.force); !ok) return ok;
  } else {
    if (req.out_dir.empty() || !req.out.empty()) return fail(Errc::usage, "--manifest needs --out-dir DIR (or --sheet --out FILE.pdf)");
    if (req.format.empty()) return fail(Errc::usage, "--manifest needs --format png|svg|pdf|zpl");
    auto f = label::parse_format(req.format, "");
    if (!f) return fail(std::move(f.error()));
    format = *f;
  }
  auto total = validate_manifest(req, env);
  if (!total) return fail(std::move(total.error()));
  // zlib's and Cairo's per-label buffers would otherwise be returned to the kernel and faulted
  // back in for every label (brk/munmap + TLB flushes were a third of a batch's time).
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
  std::ofstream results_file;
  if (!req.results.empty()) {
    results_file.open(req.results, std::ios::app);
    if (!results_file) return fail(Errc::file, req.results + ": cannot write results");
  }
  std::ostream& results = req.results.empty() ? *env.out : results_file;
  Run run{req, env, format, results, batch::Progress(env, *total), std::nullopt};
  return req.sheet ? print_sheet(run, *total) : print_files(run);
}

}  // namespace onboard::ops::label_ops
