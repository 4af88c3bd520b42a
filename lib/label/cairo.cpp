// Cairo: text metrics, the vector drawing of a label (PDF, A4 sheets, the PDF's raster twin)
// and the text layer of raster labels.
#include <cairo-pdf.h>

#include <algorithm>
#include <cmath>

#include "handles.h"

namespace onboard::label {
namespace {

cairo_t* measure_context() {
  static thread_local SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1));
  static thread_local CairoPtr cr(cairo_create(surface.get()));
  return cr.get();
}

// Symbol modules as filled rectangles: the frame, one run per row of dark QR modules, the triangle.
void symbol_path(cairo_t* cr, const Label& l) {
  const double m = l.dots_per_module, x0 = l.symbol_x, side = l.symbol_dots();
  const int s = l.symbol_modules;
  cairo_rectangle(cr, x0, 0, side, m);
  cairo_rectangle(cr, x0, (s - 1) * m, side, m);
  cairo_rectangle(cr, x0, m, m, (s - 2) * m);
  cairo_rectangle(cr, x0 + (s - 1) * m, m, m, (s - 2) * m);
  const double qx = x0 + (kFrameModules + kQuietModules) * m, qy = (kFrameModules + kQuietModules) * m;
  for (int y = 0; y < l.qr.width; ++y)
    for (int x = 0; x < l.qr.width;) {
      if (!l.qr.at(x, y)) {
        ++x;
        continue;
      }
      int run = x;
      while (run < l.qr.width && l.qr.at(run, y)) ++run;
      cairo_rectangle(cr, qx + x * m, qy + y * m, (run - x) * m, m);
      x = run;
    }
  // IEC 61406-1 Part 1 mark: right angle in the inner bottom-right corner of the frame.
  const double corner_x = x0 + (s - kFrameModules) * m, corner_y = (s - kFrameModules) * m, leg = kTriangleModules * m;
  cairo_move_to(cr, corner_x, corner_y - leg);
  cairo_line_to(cr, corner_x, corner_y);
  cairo_line_to(cr, corner_x - leg, corner_y);
  cairo_close_path(cr);
}

void text_lines(cairo_t* cr, const Label& l) {
  if (l.lines.empty()) return;
  use_label_font(cr, l.font_size);
  for (const auto& line : l.lines) {
    cairo_move_to(cr, l.width / 2.0 - line.width / 2, line.baseline);
    cairo_show_text(cr, line.text.c_str());
  }
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Ink of an A8 surface → grey (0 = black), into dst rows starting at dst_y.
void ink_to_gray(cairo_surface_t* s, Gray& dst, int dst_y) {
  cairo_surface_flush(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s), w = cairo_image_surface_get_width(s),
            h = cairo_image_surface_get_height(s);
  for (int y = 0; y < h && dst_y + y < dst.height; ++y)
    for (int x = 0; x < w && x < dst.width; ++x) {
      std::uint8_t v = static_cast<std::uint8_t>(255 - data[y * stride + x]);
      std::uint8_t& p = dst.px[static_cast<std::size_t>(dst_y + y) * dst.width + x];
      p = std::min(p, v);
    }
}

}  // namespace

Status cairo_check(cairo_status_t st, const char* what) {
  if (st == CAIRO_STATUS_SUCCESS) return {};
  return fail(Errc::internal, std::string(what) + ": cairo: " + cairo_status_to_string(st));
}

void use_label_font(cairo_t* cr, double size) {
  cairo_select_font_face(cr, kFontFamily, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  FontOptionsPtr fo(cairo_font_options_create());
  cairo_font_options_set_hint_metrics(fo.get(), CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(fo.get(), CAIRO_HINT_STYLE_NONE);
  cairo_set_font_options(cr, fo.get());
}

double text_width(std::string_view utf8, double size) {
  cairo_t* cr = measure_context();
  use_label_font(cr, size);
  cairo_text_extents_t ext;
  cairo_text_extents(cr, std::string(utf8).c_str(), &ext);
  return ext.x_advance;
}

FontMetrics font_metrics(double size) {
  cairo_t* cr = measure_context();
  use_label_font(cr, size);
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  return {fe.ascent, fe.descent};
}

void draw_vector(cairo_t* cr, const Label& l) {
  cairo_save(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);  // dark on light only (2D-11), whatever the medium
  cairo_rectangle(cr, 0, 0, l.width, l.height);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
  symbol_path(cr, l);
  cairo_fill(cr);
  text_lines(cr, l);
  cairo_restore(cr);
}

Expected<Gray> rasterize(const Label& l) {
  Gray sym = rasterize_symbol(l);
  Gray img{l.width, l.height, std::vector<std::uint8_t>(static_cast<std::size_t>(l.width) * l.height, 255)};
  for (int y = 0; y < sym.height; ++y)
    std::copy_n(&sym.px[static_cast<std::size_t>(y) * sym.width], sym.width,
                &img.px[static_cast<std::size_t>(y) * img.width + l.symbol_x]);
  const int text_top = l.symbol_dots();
  if (l.lines.empty() || l.height <= text_top) return img;
  SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_A8, l.width, l.height - text_top));
  CairoPtr cr(cairo_create(s.get()));
  cairo_translate(cr.get(), 0, -text_top);
  cairo_set_source_rgba(cr.get(), 0, 0, 0, 1);
  text_lines(cr.get(), l);
  if (auto ok = cairo_check(cairo_status(cr.get()), "drawing the text"); !ok) return fail(std::move(ok.error()));
  ink_to_gray(s.get(), img, text_top);
  return img;
}

Expected<Gray> rasterize_vector(const Label& l) {
  SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_A8, l.width, l.height));
  CairoPtr cr(cairo_create(s.get()));
  cairo_set_antialias(cr.get(), CAIRO_ANTIALIAS_NONE);  // a printer's dots: each is ink or not
  // A8 keeps only ink (alpha): the same paths as draw_vector, without the white ground.
  cairo_set_source_rgba(cr.get(), 0, 0, 0, 1);
  symbol_path(cr.get(), l);
  cairo_fill(cr.get());
  cairo_set_antialias(cr.get(), CAIRO_ANTIALIAS_DEFAULT);
  text_lines(cr.get(), l);
  if (auto ok = cairo_check(cairo_status(cr.get()), "drawing the label"); !ok) return fail(std::move(ok.error()));
  Gray img{l.width, l.height, std::vector<std::uint8_t>(static_cast<std::size_t>(l.width) * l.height, 255)};
  ink_to_gray(s.get(), img, 0);
  return img;
}

Expected<std::string> render_pdf(const Label& l) {
  std::string out;
  const double pt = 72.0 / l.dpi;
  SurfacePtr s(cairo_pdf_surface_create_for_stream(append_to_string, &out, l.width * pt, l.height * pt));
  cairo_pdf_surface_set_metadata(s.get(), CAIRO_PDF_METADATA_TITLE, l.content.c_str());
  cairo_pdf_surface_set_metadata(s.get(), CAIRO_PDF_METADATA_CREATOR, "ua-onboard print-label");
  cairo_pdf_surface_set_metadata(s.get(), CAIRO_PDF_METADATA_CREATE_DATE, "");  // reproducible bytes
  {
    CairoPtr cr(cairo_create(s.get()));
    cairo_scale(cr.get(), pt, pt);
    draw_vector(cr.get(), l);
    if (auto ok = cairo_check(cairo_status(cr.get()), "drawing the PDF"); !ok) return fail(std::move(ok.error()));
  }
  cairo_surface_finish(s.get());
  if (auto ok = cairo_check(cairo_surface_status(s.get()), "writing the PDF"); !ok) return fail(std::move(ok.error()));
  return out;
}

namespace {

constexpr double kA4Width = 595.2756, kA4Height = 841.8898;  // points
constexpr double kPtPerMm = 72.0 / 25.4;

struct Grid {
  double cell_w = 0, cell_h = 0;  // points
  int cols = 0, rows = 0;
};

Grid grid_for(double w_pt, double h_pt, const SheetOptions& opt) {
  Grid g{w_pt, h_pt, 0, 0};
  const double margin = opt.margin_mm * kPtPerMm, gap = opt.gap_mm * kPtPerMm;
  g.cols = static_cast<int>((kA4Width - 2 * margin + gap) / (w_pt + gap));
  g.rows = static_cast<int>((kA4Height - 2 * margin + gap) / (h_pt + gap));
  return g;
}

void cut_lines(cairo_t* cr, const Grid& g, int used, const SheetOptions& opt) {
  const double margin = opt.margin_mm * kPtPerMm, gap = opt.gap_mm * kPtPerMm;
  const int rows = (used + g.cols - 1) / g.cols, cols = std::min(used, g.cols);
  const double left = margin - gap / 2, top = margin - gap / 2;
  const double right = left + cols * (g.cell_w + gap), bottom = top + rows * (g.cell_h + gap);
  cairo_save(cr);
  cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
  cairo_set_line_width(cr, 0.25);
  for (int c = 0; c <= cols; ++c) {
    cairo_move_to(cr, left + c * (g.cell_w + gap), top);
    cairo_line_to(cr, left + c * (g.cell_w + gap), bottom);
  }
  for (int r = 0; r <= rows; ++r) {
    cairo_move_to(cr, left, top + r * (g.cell_h + gap));
    cairo_line_to(cr, right, top + r * (g.cell_h + gap));
  }
  cairo_stroke(cr);
  cairo_restore(cr);
}

Grid sheet_grid(const std::vector<Label>& labels, const SheetOptions& opt) {
  double w = 0, h = 0;
  for (const auto& l : labels) {
    w = std::max(w, l.width * 72.0 / l.dpi);
    h = std::max(h, l.height * 72.0 / l.dpi);
  }
  return grid_for(w, h, opt);
}

}  // namespace

int sheet_capacity(const Label& cell, const SheetOptions& opt) {
  Grid g = grid_for(cell.width * 72.0 / cell.dpi, cell.height * 72.0 / cell.dpi, opt);
  return g.cols * g.rows;
}

Expected<std::string> render_sheet_pdf(const std::vector<Label>& labels, const SheetOptions& opt) {
  if (labels.empty()) return fail(Errc::malformed, "no labels for the sheet");
  Grid g = sheet_grid(labels, opt);
  if (g.cols < 1 || g.rows < 1) return fail(Errc::usage, "a label is larger than an A4 page inside the margins");
  const int per_page = g.cols * g.rows;
  const double margin = opt.margin_mm * kPtPerMm, gap = opt.gap_mm * kPtPerMm;
  std::string out;
  SurfacePtr s(cairo_pdf_surface_create_for_stream(append_to_string, &out, kA4Width, kA4Height));
  cairo_pdf_surface_set_metadata(s.get(), CAIRO_PDF_METADATA_CREATOR, "ua-onboard print-label --sheet");
  cairo_pdf_surface_set_metadata(s.get(), CAIRO_PDF_METADATA_CREATE_DATE, "");
  CairoPtr cr(cairo_create(s.get()));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const int slot = static_cast<int>(i % per_page);
    if (slot == 0 && i > 0) cairo_show_page(cr.get());
    if (slot == 0 && opt.cut_lines)
      cut_lines(cr.get(), g, static_cast<int>(std::min<std::size_t>(per_page, labels.size() - i)), opt);
    const Label& l = labels[i];
    const double pt = 72.0 / l.dpi;
    const double x = margin + (slot % g.cols) * (g.cell_w + gap) + (g.cell_w - l.width * pt) / 2;
    const double y = margin + (slot / g.cols) * (g.cell_h + gap) + (g.cell_h - l.height * pt) / 2;
    cairo_save(cr.get());
    cairo_translate(cr.get(), x, y);
    cairo_scale(cr.get(), pt, pt);
    draw_vector(cr.get(), l);
    cairo_restore(cr.get());
  }
  if (auto ok = cairo_check(cairo_status(cr.get()), "drawing the sheet"); !ok) return fail(std::move(ok.error()));
  cr.reset();
  cairo_surface_finish(s.get());
  if (auto ok = cairo_check(cairo_surface_status(s.get()), "writing the sheet"); !ok) return fail(std::move(ok.error()));
  return out;
}

}  // namespace onboard::label
