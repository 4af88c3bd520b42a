// onboard::label — IEC 61406-1 labels carrying a ProductInstanceUri (SPEC §9): the QR matrix,
// the frame-and-triangle geometry at a physical size, renderers (PNG, SVG, PDF, ZPL, A4 sheets)
// and the decoder that reads every raster back before it is kept.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "onboard/core/core.h"

namespace onboard::label {

// ---- the symbol ----

enum class Ecc { L, M, Q, H };
/// "L" | "M" | "Q" | "H" (case-insensitive). Errc::usage otherwise.
Expected<Ecc> parse_ecc(std::string_view text);
char ecc_name(Ecc e);

/// A QR code: width × width modules, dark[y * width + x] == 1 for a dark module.
struct QrMatrix {
  int width = 0;
  int version = 0;
  std::vector<std::uint8_t> dark;
  bool at(int x, int y) const { return dark[static_cast<std::size_t>(y) * width + x] != 0; }
};
/// Byte mode, case preserved (libqrencode casesensitive=1). Errc::malformed naming the ECC
/// level and the capacity when the text does not fit a QR code (or a version ≤ max_version).
Expected<QrMatrix> encode_qr(std::string_view text, Ecc ecc, int max_version = 40);

// ---- geometry and physical size (IEC 61406-1; part21-digest §6.2) ----

constexpr int kQuietModules = 4;     ///< 2D-5: quiet zone ≥ 4 modules, inside the frame
constexpr int kFrameModules = 1;     ///< 2D-10: dark frame, 1 module thick
constexpr int kTriangleModules = 6;  ///< Part 1 corner mark: filled right triangle, 6-module legs
constexpr double kDefaultModuleMm = 0.35;
constexpr double kMinModuleMm = 0.25;  ///< below this: a warning (2D-4)

struct LabelOptions {
  Ecc ecc = Ecc::Q;
  double module_mm = kDefaultModuleMm;
  int dpi = 300;
  int max_version = 40;
  std::vector<std::string> text;  ///< human-readable lines under the frame (UTF-8)
};

/// One text line placed under the frame; all lengths in printer dots.
struct TextLine {
  std::string text;
  double baseline = 0;  ///< y of the baseline
  double width = 0;     ///< measured advance width (DejaVu Sans)
};

/// Everything a renderer needs, in printer dots (1 dot = 25.4/dpi mm). The symbol (frame,
/// quiet zone, QR) is a square of symbol_modules × dots_per_module dots at (symbol_x, 0).
struct Label {
  std::string content;  ///< the encoded text: exactly the ProductInstanceUri
  QrMatrix qr;
  Ecc ecc = Ecc::Q;
  int dpi = 300;
  int dots_per_module = 4;
  double module_mm = 0;  ///< achieved: dots_per_module * 25.4 / dpi
  int symbol_modules = 0;  ///< qr.width + 2 * (quiet + frame)
  int symbol_x = 0;        ///< left edge of the frame (> 0 only when a text line is wider)
  int width = 0, height = 0;  ///< whole label
  double font_size = 0;       ///< dots
  std::vector<TextLine> lines;

  int symbol_dots() const { return symbol_modules * dots_per_module; }
  double mm(double dots) const { return dots * 25.4 / dpi; }
};

/// Whole dots per module nearest to module_mm at dpi (at least 1). Errc::usage for a dpi
/// outside 72..2400 or a module size outside 0.05..5 mm.
Expected<int> dots_per_module(double module_mm, int dpi);

/// Encode and lay out. Warnings (module under 0.25 mm, ECC L/M) are appended to `warnings`.
Expected<Label> plan(std::string_view content, const LabelOptions& opt, std::vector<std::string>* warnings = nullptr);

// ---- rasters ----

/// 8-bit grey, 0 = black, 255 = white, rows of `width` bytes.
struct Gray {
  int width = 0, height = 0;
  std::vector<std::uint8_t> px;
  std::uint8_t at(int x, int y) const { return px[static_cast<std::size_t>(y) * width + x]; }
};

/// The symbol alone (frame, quiet zone, QR, triangle), dot-exact: what ZPL's ^GF carries.
Gray rasterize_symbol(const Label& l);
/// The whole label at its dpi: the symbol plus the text lines (Cairo, anti-aliased text).
Expected<Gray> rasterize(const Label& l);
/// The vector drawing (PDF, sheets) rendered at the label's dpi: the PDF's raster twin.
Expected<Gray> rasterize_vector(const Label& l);

// ---- renderers (each returns the file's bytes) ----

/// 8-bit grey PNG with the resolution in pHYs.
Expected<std::string> encode_png(const Gray& img, int dpi);
Expected<std::string> render_svg(const Label& l);
/// The <svg> element alone (no XML prolog): standalone = with the xmlns attribute an SVG file
/// needs; without it, for inline use in an HTML page (the audit page of SPEC §13.4).
std::string svg_element(const Label& l, bool standalone = false);
Expected<std::string> render_pdf(const Label& l);
/// Zebra ZPL II: the symbol as one ^GFA graphic field, text in printer font 0 (^CI28 UTF-8).
std::string render_zpl(const Label& l);
/// The ^GF bitmap of a ZPL label read back (for decode-back and tests).
Expected<Gray> zpl_graphic(std::string_view zpl);

/// A4 sheet: labels in a grid (cells as large as the largest label, cut lines between).
struct SheetOptions {
  double margin_mm = 10;
  double gap_mm = 4;
  bool cut_lines = true;
};
Expected<std::string> render_sheet_pdf(const std::vector<Label>& labels, const SheetOptions& opt = {});
/// Labels per A4 page for labels of this size.
int sheet_capacity(const Label& cell, const SheetOptions& opt = {});

// ---- reading back ----

/// Texts of every QR code found (ZXing: rotations, downscaling, try-harder).
std::vector<std::string> decode_all(const Gray& img, bool pure = false);
/// What a scanned label holds: each code's bytes, its symbology ("QRCode", ...) and its error
/// correction level when the symbology has one (print-label --scan alone).
struct Scanned {
  std::string text;
  std::string symbology;
  std::string ecc;
};
/// Every barcode found, any symbology (ZXing try-harder: rotations, downscaling).
std::vector<Scanned> scan_image(const Gray& img);
/// Decode `img` and compare with `expected`; Errc::mismatch with both texts otherwise.
Status verify_raster(const Gray& img, std::string_view expected, std::string_view what);
/// Read PNG, JPEG, or PNM (P2/P5/P3/P6) as grey. Errc::file / Errc::malformed.
Expected<Gray> load_image(const std::string& path);
Expected<Gray> decode_png(std::string_view bytes);

}  // namespace onboard::label
