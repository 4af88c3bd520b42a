// print-label: one IEC 61406-1 label (SPEC §9), read back before it is kept; --scan compares a
// photographed or scanned label with the expected URI; batches and sheets in print_label_batch.cpp.
#include <cstdio>
#include <ostream>

#include <nlohmann/json.hpp>

#include "label_common.h"
#include "onboard/jws/jws.h"

namespace onboard::ops::label_ops {

Expected<Source> resolve_source(const PrintLabelRequest& req, Env& env) {
  const int given = !req.uri.empty() + !req.ticket.empty() + !req.cert.empty();
  Expected<Source> src = fail(Errc::usage, "give exactly one of --uri, --ticket or --device-cert");
  std::vector<std::string> warnings;
  if (given == 2 && !req.uri.empty() && !req.cert.empty()) {  // --uri picks one SAN of the certificate
    src = label::source_from_certificate(req.cert, req.uri, warnings);
  } else if (given != 1) {
    return src;
  } else if (!req.uri.empty()) {
    src = label::source_from_uri(req.uri);
  } else if (!req.ticket.empty()) {
    auto text = read_file(req.ticket, jws::Limits{}.max_document);  // SPEC §6: 1 MiB per ticket document
    if (!text) return fail(std::move(text.error()).context("--ticket"));
    src = label::source_from_ticket(*text, req.ticket, warnings);
    if (!src) return fail(std::move(src.error()).context("--ticket"));
    warnings.push_back("--ticket: the ticket's signatures are not checked by print-label; run verify-ticket first");
  } else {
    src = label::source_from_certificate(req.cert, "", warnings);
  }
  for (const auto& w : warnings) env.warn(w);
  if (!src) return src;
  if (auto ok = validate_instance_uri(src->uri); !ok) return fail(std::move(ok.error()));
  return src;
}

Expected<label::LabelOptions> label_options(const PrintLabelRequest& req, const TemplateValues& values) {
  auto ecc = label::parse_ecc(req.ecc);
  if (!ecc) return fail(std::move(ecc.error()));
  if (req.max_version < 1 || req.max_version > 40) return fail(Errc::usage, "--max-version: expected 1 to 40");
  label::LabelOptions opt;
  opt.ecc = *ecc;
  opt.dpi = req.dpi;
  opt.module_mm = req.module_mm;
  opt.max_version = req.max_version;
  for (const auto& t : req.text) {
    auto line = expand_template(t, values);
    if (!line) return fail(std::move(line.error()).context("--text '" + t + "'"));
    opt.text.push_back(std::move(*line));
  }
  return opt;
}

namespace {

std::string fixed(double v, int places) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", places, v);
  return buf;
}

}  // namespace

void report_label(Env& env, bool json, const std::string& out, Format f, const label::Label& l) {
  if (out == "-") return;  // stdout holds the label itself
  if (json) {
    nlohmann::ordered_json j;
    j["out"] = out;
    j["format"] = label::extension(f);
    j["uri"] = l.content;
    j["qr_version"] = l.qr.version;
    j["ecc"] = std::string(1, label::ecc_name(l.ecc));
    j["dpi"] = l.dpi;
    j["dots_per_module"] = l.dots_per_module;
    j["module_mm"] = std::stod(fixed(l.module_mm, 4));
    j["width_mm"] = std::stod(fixed(l.mm(l.width), 2));
    j["height_mm"] = std::stod(fixed(l.mm(l.height), 2));
    j["decoded_back"] = true;
    *env.out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  *env.out << out << ": " << l.content << " (QR version " << l.qr.version << ", ECC " << label::ecc_name(l.ecc)
           << ", module " << fixed(l.module_mm, 3) << " mm = " << l.dots_per_module << " dots at " << l.dpi
           << " dpi, label " << fixed(l.mm(l.width), 1) << " x " << fixed(l.mm(l.height), 1)
           << " mm, decoded back)\n";
}

namespace {

Status print_single(const PrintLabelRequest& req, Env& env) {
  if (req.out.empty()) return fail(Errc::usage, "give --out FILE (or --scan IMAGE, or --manifest with --out-dir)");
  auto f = label::parse_format(req.format, req.out);
  if (!f) return fail(std::move(f.error()));
  auto src = resolve_source(req, env);
  if (!src) return fail(std::move(src.error()));
  auto opt = label_options(req, src->values);
  if (!opt) return fail(std::move(opt.error()));
  if (auto ok = check_writable(req.out, req.force); !ok) return ok;
  std::vector<std::string> warnings = label::lint_uri(src->uri);
  auto r = label::render_checked(src->uri, *opt, *f, &warnings);
  for (const auto& w : warnings) env.warn(w);
  if (!r) return fail(std::move(r.error()));
  if (auto ok = write_file_atomic(req.out, r->bytes, {req.force, 0644}); !ok) return ok;
  report_label(env, req.json, req.out, *f, r->label);
  return {};
}

// --scan alone: what the label holds (every code found, its symbology and ECC level); 3 when
// nothing can be read. Nothing is compared, so nothing can mismatch.
Status describe_scan(const PrintLabelRequest& req, Env& env) {
  auto img = label::load_image(req.scan);
  if (!img) return fail(std::move(img.error()).context("--scan"));
  auto found = label::scan_image(*img);
  if (found.empty())
    return fail(Errc::malformed, "--scan " + req.scan + ": no readable code in the image (" +
                                     std::to_string(img->width) + " x " + std::to_string(img->height) + " pixels)");
  if (req.json) {
    nlohmann::ordered_json j;
    j["image"] = req.scan;
    j["codes"] = nlohmann::ordered_json::array();
    for (const auto& f : found) j["codes"].push_back({{"text", f.text}, {"symbology", f.symbology}, {"ecc", f.ecc}});
    *env.out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return {};
  }
  for (const auto& f : found) {
    std::string text = f.text;  // a label is untrusted input: no control characters to the terminal
    for (char& c : text)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    *env.out << req.scan << ": " << text << " (" << f.symbology << (f.ecc.empty() ? "" : ", ECC " + f.ecc) << ")\n";
  }
  return {};
}

// --scan: exit 0 when a QR code in the image holds exactly the expected URI, 13 when the
// codes found hold something else, 3 when no code can be read.
Status scan(const PrintLabelRequest& req, Env& env) {
  if (!req.out.empty() || !req.manifest.empty()) return fail(Errc::usage, "--scan takes no --out or --manifest");
  if (req.uri.empty() && req.ticket.empty() && req.cert.empty()) return describe_scan(req, env);
  auto src = resolve_source(req, env);
  if (!src) return fail(std::move(src.error()));
  auto img = label::load_image(req.scan);
  if (!img) return fail(std::move(img.error()).context("--scan"));
  auto texts = label::decode_all(*img, false);
  bool match = std::find(texts.begin(), texts.end(), src->uri) != texts.end();
  if (req.json) {
    nlohmann::ordered_json j;
    j["image"] = req.scan;
    j["expected"] = src->uri;
    j["decoded"] = texts;
    j["match"] = match;
    *env.out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  if (texts.empty())
    return fail(Errc::malformed, "--scan " + req.scan + ": no readable QR code in the image (" +
                                     std::to_string(img->width) + " x " + std::to_string(img->height) + " pixels)");
  if (!match)
    return fail(Errc::mismatch, "--scan " + req.scan + ": the label reads '" + texts[0] + "', expected '" + src->uri + "'");
  if (!req.json) *env.out << req.scan << ": match: " << src->uri << "\n";
  return {};
}

}  // namespace
}  // namespace onboard::ops::label_ops

namespace onboard::ops {

Status print_label(const PrintLabelRequest& req, Env& env) {
  if (!req.scan.empty()) return label_ops::scan(req, env);
  if (!req.manifest.empty()) return label_ops::print_batch(req, env);
  if (req.sheet || !req.out_dir.empty() || !req.results.empty() || req.check || req.inline_outputs || req.continue_on_error)
    return fail(Errc::usage, "--sheet, --out-dir, --results, --check, --inline and --continue-on-error need --manifest");
  return label_ops::print_single(req, env);
}

}  // namespace onboard::ops
