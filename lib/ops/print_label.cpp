// print-label: one IEC 61406-1 label (SPEC §9), read back before it is kept; --scan compares a
// photographed or scanned label with the expected URI; batches and sheets in print_label_batch.cpp.
#include <cstdio>
#include <ostream>

#include <nlohmann/json.hpp>

#include "label_common.h"

namespace onboard::ops::label_ops {

Status verify_label(const label::Label& l, Format f, const std::string& bytes) {
  Expected<label::Gray> twin = fail(Errc::internal, "no raster twin");
  switch (f) {
    case Format::png: twin = label::decode_png(bytes); break;       // the file's own pixels
    case Format::svg: twin = label::rasterize(l); break;            // the geometry the SVG was written from
    case Format::pdf: twin = label::rasterize_vector(l); break;     // the PDF's drawing, on dots
    case Format::zpl: twin = label::zpl_graphic(bytes); break;      // the ^GF field parsed back
  }
  if (!twin) return fail(std::move(twin.error()).context("reading the " + extension(f) + " back"));
  return label::verify_raster(*twin, l.content, "label for " + l.content);
}

Expected<Rendered> render_checked(const std::string& uri, const label::LabelOptions& opt, Format f,
                                  std::vector<std::string>* warnings) {
  auto l = label::plan(uri, opt, warnings);
  if (!l) return fail(std::move(l.error()));
  Expected<std::string> bytes = fail(Errc::internal, "no renderer");
  switch (f) {
    case Format::png: {
      auto img = label::rasterize(*l);
      bytes = img ? label::encode_png(*img, l->dpi) : Expected<std::string>(fail(img.error()));
      break;
    }
    case Format::svg: bytes = label::render_svg(*l); break;
    case Format::pdf: bytes = label::render_pdf(*l); break;
    case Format::zpl: bytes = label::render_zpl(*l); break;
  }
  if (!bytes) return fail(std::move(bytes.error()));
  if (auto ok = verify_label(*l, f, *bytes); !ok) return fail(std::move(ok.error()));
  return Rendered{std::move(*l), std::move(*bytes)};
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
    j["format"] = extension(f);
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
  auto f = parse_format(req.format, req.out);
  if (!f) return fail(std::move(f.error()));
  auto src = resolve_source(req, env);
  if (!src) return fail(std::move(src.error()));
  auto opt = label_options(req, *src);
  if (!opt) return fail(std::move(opt.error()));
  if (auto ok = check_writable(req.out, req.force); !ok) return ok;
  std::vector<std::string> warnings = lint_label_uri(src->uri);
  auto r = render_checked(src->uri, *opt, *f, &warnings);
  for (const auto& w : warnings) env.warn(w);
  if (!r) return fail(std::move(r.error()));
  if (auto ok = write_file_atomic(req.out, r->bytes, {req.force, 0644}); !ok) return ok;
  report_label(env, req.json, req.out, *f, r->label);
  return {};
}

// --scan: exit 0 when a QR code in the image holds exactly the expected URI, 13 when the
// codes found hold something else, 3 when no code can be read.
Status scan(const PrintLabelRequest& req, Env& env) {
  if (!req.out.empty() || !req.manifest.empty()) return fail(Errc::usage, "--scan takes no --out or --manifest");
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
