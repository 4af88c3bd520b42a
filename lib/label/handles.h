// RAII owners for the C handles of the label component (DESIGN rule 3) and the text helpers
// shared by the Cairo renderers.
#pragma once

#include <cairo.h>
#include <qrencode.h>

#include <memory>
#include <string_view>

#include "onboard/label/label.h"

namespace onboard::label {

struct QrcodeFree {
  void operator()(QRcode* q) const { QRcode_free(q); }
};
struct CairoFree {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
struct SurfaceFree {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct FontOptionsFree {
  void operator()(cairo_font_options_t* f) const { cairo_font_options_destroy(f); }
};
using QrcodePtr = std::unique_ptr<QRcode, QrcodeFree>;
using CairoPtr = std::unique_ptr<cairo_t, CairoFree>;
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceFree>;
using FontOptionsPtr = std::unique_ptr<cairo_font_options_t, FontOptionsFree>;

/// The one typeface of every label (fonts-dejavu-core): widths measured with it size the
/// layout, and the SVG names it first.
constexpr const char* kFontFamily = "DejaVu Sans";

struct FontMetrics {
  double ascent = 0, descent = 0;
};
/// Advance width of UTF-8 text at `size` (unhinted, so vector and raster agree).
double text_width(std::string_view utf8, double size);
FontMetrics font_metrics(double size);
/// Select the label font at `size` on `cr` (unhinted metrics).
void use_label_font(cairo_t* cr, double size);
/// Draw the label in vector form at the current transformation (1 unit = 1 dot).
void draw_vector(cairo_t* cr, const Label& l);
/// Cairo status → Error (Errc::internal: a rendering failure is our bug or out of memory).
Status cairo_check(cairo_status_t st, const char* what);

}  // namespace onboard::label
