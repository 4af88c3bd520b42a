// print-label --manifest: one label per row into --out-dir (SPEC §10), or every row's label on
// A4 sheets (--sheet --out FILE.pdf). The runner in lib/batch owns the loop; this is what is
// particular to labels.
#include <malloc.h>

#include <map>
#include <ostream>

#include "label_common.h"
#include "onboard/batch/runner.h"

namespace onboard::ops::label_ops {
namespace {

constexpr std::size_t kLintRowsShown = 3;  // lint of a 10,000-row manifest must not drown stderr

struct LabelJob : batch::Job {
  std::string uri;
  label::LabelOptions opt;
};

class LabelTool : public batch::Tool {
 public:
  LabelTool(const PrintLabelRequest& req, Env& env, Format format) : req_(req), env_(env), format_(format) {}

  Expected<std::unique_ptr<batch::Job>> validate(const batch::Row& r) override {
    const std::string* uri = r.get("product_instance_uri");
    if (!uri) return fail(Errc::malformed, "missing column 'product_instance_uri'");
    if (auto ok = validate_instance_uri(*uri); !ok) return fail(std::move(ok.error()));
    auto opt = label_options(req_, r.values);
    if (!opt) return fail(std::move(opt.error()));
    if (r.number > linted_up_to_) {  // pass 1 only: lint said once, for the first rows
      linted_up_to_ = r.number;
      auto lint = label::lint_uri(*uri);
      if (!lint.empty() && linted_++ < kLintRowsShown)
        for (const auto& w : lint) env_.warn(req_.manifest + ": row " + std::to_string(r.number) + ": " + w);
    }
    auto job = std::make_unique<LabelJob>();
    job->uri = *uri;
    job->opt = std::move(*opt);
    job->unique = {"ProductInstanceUri " + *uri};
    return job;
  }

  Status prepare() override {
    if (linted_ > kLintRowsShown) env_.warn(std::to_string(linted_ - kLintRowsShown) + " more rows have URI lint warnings");
    return {};
  }

  bool per_row_files() const override { return !req_.sheet; }

  std::vector<std::pair<std::string, std::string>> files(const batch::Job& job) override {
    return {{"label", job.stem + "." + label::extension(format_)}};
  }

  // An existing file is this row's label when it is byte for byte what this run renders.
  Status verify_existing(batch::Job& j, const std::map<std::string, std::string>& paths) override {
    auto& job = static_cast<LabelJob&>(j);
    auto r = render(job);
    if (!r) return fail(std::move(r.error()));
    const std::string& path = paths.at("label");
    auto old = read_file(path);
    if (old && *old == r->bytes) return {};
    return fail(Errc::file, path + ": exists with other content (use --force to replace)");
  }

  Expected<std::vector<batch::Output>> make(batch::Job& j) override {
    auto& job = static_cast<LabelJob&>(j);
    if (req_.sheet) {  // each label's vector drawing is read back on its raster twin
      std::vector<std::string> warnings;
      auto l = label::plan(job.uri, job.opt, &warnings);
      if (!l) return fail(std::move(l.error()));
      if (auto ok = label::verify_label(*l, Format::pdf, {}); !ok) return fail(std::move(ok.error()));
      warn_once(warnings);
      labels_.push_back(std::move(*l));
      return std::vector<batch::Output>{{"sheet", req_.out, {}, false, true}};
    }
    auto r = render(job);
    if (!r) return fail(std::move(r.error()));
    bool binary = format_ == Format::png || format_ == Format::pdf;
    return std::vector<batch::Output>{{"label", job.stem + "." + label::extension(format_), std::move(r->bytes), binary, false}};
  }

  Status finish() override {
    if (!req_.sheet) return {};
    auto pdf = label::render_sheet_pdf(labels_);
    if (!pdf) return fail(std::move(pdf.error()));
    if (auto ok = write_file_atomic(req_.out, *pdf, {req_.force, 0644}); !ok) return ok;
    const int per_page = label::sheet_capacity(labels_.front());
    if (env_.err)  // a summary, not a result: stdout holds the JSON Lines
      *env_.err << env_.tool << ": " << req_.out << ": " << labels_.size() << " labels on "
                << (labels_.size() + per_page - 1) / per_page << " A4 page(s), " << per_page << " per page\n";
    return {};
  }

 private:
  Expected<label::Rendered> render(const LabelJob& job) {
    std::vector<std::string> warnings;
    auto r = label::render_checked(job.uri, job.opt, format_, &warnings);
    if (r) warn_once(warnings);
    return r;
  }
  void warn_once(const std::vector<std::string>& warnings) {  // the same for every row: say it once
    if (warned_ || warnings.empty()) return;
    for (const auto& w : warnings) env_.warn(w);
    warned_ = true;
  }

  const PrintLabelRequest& req_;
  Env& env_;
  Format format_;
  std::size_t linted_ = 0, linted_up_to_ = 0;
  bool warned_ = false;
  std::vector<label::Label> labels_;
};

}  // namespace

Status print_batch(const PrintLabelRequest& req, Env& env) {
  if (!req.uri.empty() || !req.ticket.empty() || !req.cert.empty())
    return fail(Errc::usage, "--manifest takes the URIs from its product_instance_uri column, not --uri/--ticket/--device-cert");
  Format format = Format::pdf;
  if (req.sheet) {
    if (req.out.empty() || !req.out_dir.empty()) return fail(Errc::usage, "--sheet writes one PDF: give --out FILE.pdf");
    if (req.inline_outputs) return fail(Errc::usage, "--sheet writes one PDF: not with --inline");
    auto f = label::parse_format(req.format, req.out);
    if (!f || *f != Format::pdf) return fail(Errc::usage, "--sheet makes a PDF (--format pdf)");
    if (!req.check)
      if (auto ok = check_writable(req.out, req.force); !ok) return ok;
  } else {
    if (!req.out.empty()) return fail(Errc::usage, "--manifest needs --out-dir DIR or --inline (or --sheet --out FILE.pdf)");
    if (req.format.empty()) return fail(Errc::usage, "--manifest needs --format png|svg|pdf|zpl");
    auto f = label::parse_format(req.format, "");
    if (!f) return fail(std::move(f.error()));
    format = *f;
  }
  // zlib's and Cairo's per-label buffers would otherwise be returned to the kernel and faulted
  // back in for every label (brk/munmap + TLB flushes were a third of a batch's time).
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
  LabelTool tool(req, env, format);
  return batch::run(batch::options_of(req, req.force), tool, env);
}

}  // namespace onboard::ops::label_ops
