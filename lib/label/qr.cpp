// The QR matrix (libqrencode) and the IEC 61406-1 layout of a label in printer dots.
#include <cerrno>
#include <cmath>

#include "handles.h"

namespace onboard::label {
namespace {

QRecLevel qr_level(Ecc e) {
  switch (e) {
    case Ecc::L: return QR_ECLEVEL_L;
    case Ecc::M: return QR_ECLEVEL_M;
    case Ecc::Q: return QR_ECLEVEL_Q;
    case Ecc::H: return QR_ECLEVEL_H;
  }
  return QR_ECLEVEL_Q;
}

// Byte-mode capacity of a version-40 symbol (ISO/IEC 18004 Table 7), for the error message.
int max_bytes(Ecc e) {
  switch (e) {
    case Ecc::L: return 2953;
    case Ecc::M: return 2331;
    case Ecc::Q: return 1663;
    case Ecc::H: return 1273;
  }
  return 0;
}

}  // namespace

Expected<Ecc> parse_ecc(std::string_view text) {
  if (text.size() == 1) {
    switch (text[0]) {
      case 'L': case 'l': return Ecc::L;
      case 'M': case 'm': return Ecc::M;
      case 'Q': case 'q': return Ecc::Q;
      case 'H': case 'h': return Ecc::H;
    }
  }
  return fail(Errc::usage, "--ecc '" + std::string(text) + "': expected L, M, Q or H");
}

char ecc_name(Ecc e) { return "LMQH"[static_cast<int>(e)]; }

Expected<QrMatrix> encode_qr(std::string_view text, Ecc ecc, int max_version) {
  std::string s(text);  // NUL-terminated copy; an embedded NUL would truncate, so refuse it
  if (s.empty() || s.find('\0') != std::string::npos) return fail(Errc::malformed, "QR content is empty or has a NUL byte");
  // QR_MODE_8 + casesensitive=1: byte mode, case preserved (notes/deps.md §1.4: 0 upper-cases).
  errno = 0;
  QrcodePtr q(QRcode_encodeString8bit(s.c_str(), 0, qr_level(ecc)));
  if (!q) {
    if (errno == ERANGE)
      return fail(Errc::malformed, std::to_string(s.size()) + " bytes do not fit a QR code at error correction " +
                                       ecc_name(ecc) + " (at most " + std::to_string(max_bytes(ecc)) + " bytes)");
    return fail(Errc::internal, "libqrencode failed to encode the text");
  }
  if (q->version > max_version)
    return fail(Errc::malformed, std::to_string(s.size()) + " bytes need a version " + std::to_string(q->version) +
                                     " QR code at error correction " + ecc_name(ecc) + ", more than --max-version " +
                                     std::to_string(max_version));
  QrMatrix m;
  m.width = q->width;
  m.version = q->version;
  m.dark.resize(static_cast<std::size_t>(q->width) * q->width);
  for (std::size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = q->data[i] & 1;  // bit 0 = dark; the rest are flags
  return m;
}

Expected<int> dots_per_module(double module_mm, int dpi) {
  if (dpi < 72 || dpi > 2400) return fail(Errc::usage, "--dpi " + std::to_string(dpi) + ": expected 72 to 2400");
  if (!(module_mm >= 0.05 && module_mm <= 5))
    return fail(Errc::usage, "--module-mm " + std::to_string(module_mm) + ": expected 0.05 to 5 mm");
  long dots = std::lround(module_mm * dpi / 25.4);
  return dots < 1 ? 1 : static_cast<int>(dots);
}

namespace {

// Text lines: 2 mm nominal (≈ 5.7 pt), shrunk to the symbol's width down to 1.4 mm; a line
// still wider widens the label and the symbol is centred above it.
void layout_text(Label& l, const std::vector<std::string>& text) {
  if (text.empty()) return;
  const double nominal = 2.0 * l.dpi / 25.4, smallest = 1.4 * l.dpi / 25.4;
  double widest = 0;
  for (const auto& t : text) widest = std::max(widest, text_width(t, nominal));
  double avail = l.symbol_dots();
  l.font_size = widest > avail ? std::max(smallest, nominal * avail / widest) : nominal;
  FontMetrics fm = font_metrics(l.font_size);
  double pitch = 1.2 * l.font_size;
  double y = l.symbol_dots() + 0.5 * l.font_size + fm.ascent;
  widest = 0;
  for (const auto& t : text) {
    l.lines.push_back({t, y, text_width(t, l.font_size)});
    widest = std::max(widest, l.lines.back().width);
    y += pitch;
  }
  int text_w = static_cast<int>(std::ceil(widest)) + 2 * l.dots_per_module;
  if (text_w > l.width) {
    l.symbol_x = (text_w - l.width) / 2;
    l.width = text_w;
  }
  l.height = static_cast<int>(std::ceil(y - pitch + fm.descent + 0.25 * l.font_size));
}

Status check_text_line(const std::string& t) {
  for (unsigned char c : t)
    if (c < 0x20 || c == 0x7f) return fail(Errc::malformed, "--text: control characters are not allowed");
  // Cairo refuses invalid UTF-8; say so here, with the line.
  for (std::size_t i = 0; i < t.size();) {
    unsigned char c = static_cast<unsigned char>(t[i]);
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0 || i + n >= t.size()) return fail(Errc::malformed, "--text '" + t + "': not valid UTF-8");
    for (int k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(t[i + k]) >> 6) != 2) return fail(Errc::malformed, "--text '" + t + "': not valid UTF-8");
    i += static_cast<std::size_t>(n) + 1;
  }
  return {};
}

}  // namespace

Expected<Label> plan(std::string_view content, const LabelOptions& opt, std::vector<std::string>* warnings) {
  auto dpm = dots_per_module(opt.module_mm, opt.dpi);
  if (!dpm) return fail(std::move(dpm.error()));
  for (const auto& t : opt.text)
    if (auto ok = check_text_line(t); !ok) return fail(std::move(ok.error()));
  auto qr = encode_qr(content, opt.ecc, opt.max_version);
  if (!qr) return fail(std::move(qr.error()));
  Label l;
  l.content = std::string(content);
  l.qr = std::move(*qr);
  l.ecc = opt.ecc;
  l.dpi = opt.dpi;
  l.dots_per_module = *dpm;
  l.module_mm = *dpm * 25.4 / opt.dpi;
  l.symbol_modules = l.qr.width + 2 * (kQuietModules + kFrameModules);
  l.width = l.height = l.symbol_dots();
  layout_text(l, opt.text);
  if (warnings) {
    if (l.module_mm < kMinModuleMm - 1e-9)
      warnings->push_back("module size " + std::to_string(l.module_mm).substr(0, 5) +
                          " mm is below the IEC 61406-1 minimum of 0.25 mm; scanners may fail");
    if (opt.ecc == Ecc::L || opt.ecc == Ecc::M)
      warnings->push_back(std::string("error correction ") + ecc_name(opt.ecc) +
                          " is below the Q that IEC 61406-1 recommends");
  }
  return l;
}

}  // namespace onboard::label
