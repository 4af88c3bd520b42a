// Hand-written outputs: SVG (vector, real <text>) and Zebra ZPL II (^GF graphic field).
#include <cmath>
#include <cstdio>
#include <sstream>

#include "handles.h"

namespace onboard::label {
namespace {

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  return s;
}

// The symbol as one path of clockwise rectangles (non-zero fill), in dots.
std::string symbol_path_data(const Label& l) {
  const int m = l.dots_per_module, s = l.symbol_modules, x0 = l.symbol_x, side = l.symbol_dots();
  std::ostringstream d;
  auto rect = [&](int x, int y, int w, int h) { d << 'M' << x << ' ' << y << 'h' << w << 'v' << h << 'h' << -w << 'z'; };
  rect(x0, 0, side, m);
  rect(x0, (s - 1) * m, side, m);
  rect(x0, m, m, (s - 2) * m);
  rect(x0 + (s - 1) * m, m, m, (s - 2) * m);
  const int q0 = (kFrameModules + kQuietModules) * m;
  for (int y = 0; y < l.qr.width; ++y)
    for (int x = 0; x < l.qr.width;) {
      if (!l.qr.at(x, y)) {
        ++x;
        continue;
      }
      int run = x;
      while (run < l.qr.width && l.qr.at(run, y)) ++run;
      rect(x0 + q0 + x * m, q0 + y * m, (run - x) * m, m);
      x = run;
    }
  const int corner_x = x0 + (s - kFrameModules) * m, corner_y = (s - kFrameModules) * m, leg = kTriangleModules * m;
  d << 'M' << corner_x << ' ' << corner_y - leg << 'v' << leg << 'h' << -leg << 'z';
  return d.str();
}

}  // namespace

Expected<std::string> render_svg(const Label& l) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg_element(l, true);
}

std::string svg_element(const Label& l, bool standalone) {
  std::ostringstream o;
  // Inline in HTML the namespace is implied (and a page with no URL in it is easier to audit).
  o << (standalone ? "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"" : "<svg") << " width=\"" << num(l.mm(l.width)) << "mm\" height=\""
    << num(l.mm(l.height)) << "mm\" viewBox=\"0 0 " << l.width << ' ' << l.height << "\">\n"
    << "<title>" << xml_escape(l.content) << "</title>\n"
    << "<desc>IEC 61406-1 identification link label, module " << num(l.module_mm) << " mm (" << l.dots_per_module
    << " dots at " << l.dpi << " dpi), QR version " << l.qr.version << " ECC " << ecc_name(l.ecc) << "</desc>\n"
    << "<rect width=\"" << l.width << "\" height=\"" << l.height << "\" fill=\"#fff\"/>\n"
    << "<path fill=\"#000\" shape-rendering=\"crispEdges\" d=\"" << symbol_path_data(l) << "\"/>\n";
  for (const auto& line : l.lines) {
    // textLength pins the width Cairo measured, so another font cannot run past the label.
    o << "<text x=\"" << num(l.width / 2.0) << "\" y=\"" << num(line.baseline) << "\" font-family=\"" << kFontFamily
      << ", Verdana, sans-serif\" font-size=\"" << num(l.font_size) << "\" text-anchor=\"middle\" textLength=\""
      << num(line.width) << "\" lengthAdjust=\"spacingAndGlyphs\" fill=\"#000\">" << xml_escape(line.text)
      << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

namespace {

// ^FH\ field data: ^ ~ \ and every non-ASCII byte as \XX (UTF-8 bytes under ^CI28).
std::string zpl_field(std::string_view s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    if (c == '^' || c == '~' || c == '\\' || c >= 0x80) {
      std::snprintf(buf, sizeof buf, "\\%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

std::string render_zpl(const Label& l) {
  Gray sym = rasterize_symbol(l);
  const int row_bytes = (sym.width + 7) / 8, total = row_bytes * sym.height;
  std::string hex;
  hex.reserve(static_cast<std::size_t>(total) * 2);
  static const char* digits = "0123456789ABCDEF";
  for (int y = 0; y < sym.height; ++y)
    for (int b = 0; b < row_bytes; ++b) {
      unsigned v = 0;
      for (int bit = 0; bit < 8; ++bit) {
        int x = b * 8 + bit;
        if (x < sym.width && sym.at(x, y) < 128) v |= 0x80u >> bit;  // 1 = a black dot
      }
      hex += digits[v >> 4];
      hex += digits[v & 15];
    }
  std::ostringstream o;
  o << "^XA\n^CI28\n^PW" << l.width << "\n^LL" << l.height << "\n^LH0,0\n"
    << "^FX IEC 61406-1 label: " << zpl_field(l.content) << " (module " << l.dots_per_module << " dots, " << l.dpi
    << " dpi)^FS\n"
    << "^FO" << l.symbol_x << ",0^GFA," << total << ',' << total << ',' << row_bytes << ',' << hex << "^FS\n";
  const int font = static_cast<int>(std::lround(l.font_size));
  const FontMetrics fm = font_metrics(l.font_size);
  for (const auto& line : l.lines) {
    const long top = std::lround(line.baseline - fm.ascent);
    o << "^FO0," << top << "^A0N," << font << ',' << font << "^FB" << l.width << ",1,0,C,0^FH\\^FD"
      << zpl_field(line.text) << "^FS\n";
  }
  o << "^PQ1\n^XZ\n";
  return o.str();
}

Expected<Gray> zpl_graphic(std::string_view zpl) {
  auto at = zpl.find("^GFA,");
  if (at == std::string_view::npos) return fail(Errc::malformed, "ZPL has no ^GFA graphic field");
  std::size_t pos = at + 5;
  long f[3];
  for (long& v : f) {
    auto comma = zpl.find(',', pos);
    if (comma == std::string_view::npos) return fail(Errc::malformed, "ZPL ^GFA parameters truncated");
    v = std::strtol(std::string(zpl.substr(pos, comma - pos)).c_str(), nullptr, 10);
    pos = comma + 1;
  }
  const long total = f[0], row_bytes = f[2];
  if (total <= 0 || row_bytes <= 0 || total % row_bytes || zpl.size() < pos + 2 * static_cast<std::size_t>(total))
    return fail(Errc::malformed, "ZPL ^GFA field sizes do not add up");
  Gray g{static_cast<int>(row_bytes * 8), static_cast<int>(total / row_bytes), {}};
  g.px.assign(static_cast<std::size_t>(g.width) * g.height, 255);
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'A' + 10; };
  for (long i = 0; i < total; ++i) {
    const int v = nibble(zpl[pos + 2 * i]) * 16 + nibble(zpl[pos + 2 * i + 1]);
    for (int bit = 0; bit < 8; ++bit)
      if (v & (0x80 >> bit)) g.px[static_cast<std::size_t>(i) * 8 + bit] = 0;
  }
  return g;
}

}  // namespace onboard::label
