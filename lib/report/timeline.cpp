// The certificate timeline of the audit page (SPEC §13.4): one row per certificate of each
// signer's chain (leaf first), a bar from notBefore to notAfter, the evaluation time and the
// ticket's "valid until" as vertical lines. Plain SVG shapes and text: it prints as drawn.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <sstream>

#include "html_parts.h"

namespace onboard::report {
namespace {

constexpr double kWidth = 720, kLabel = 250, kRight = 12, kRow = 20, kTop = 34, kAxis = 26;

int year_of(UnixTime t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return tm.tm_year + 1900;
}

UnixTime start_of_year(int year) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mday = 1;
  return static_cast<UnixTime>(timegm(&tm));
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string shorten(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return s.substr(0, cut) + "…";
}

struct Scale {
  UnixTime t0, t1;
  double x(UnixTime t) const {
    t = std::clamp(t, t0, t1);
    return kLabel + (kWidth - kLabel - kRight) * static_cast<double>(t - t0) / static_cast<double>(t1 - t0);
  }
};

Scale scale_for(const verify::TicketReport& r) {
  UnixTime lo = r.at, hi = r.at;
  for (const auto& s : r.signatures)
    for (const auto& c : s.certificates) {
      lo = std::min(lo, c.not_before);
      // "no well-defined expiry" (9999-12-31) would squash everything else: show 5 years past the rest
      if (c.not_after < kNoExpiry) hi = std::max(hi, c.not_after);
    }
  if (r.valid_until && *r.valid_until < kNoExpiry) hi = std::max(hi, *r.valid_until);
  if (hi - lo < 86400 * 30) hi = lo + 86400 * 30;
  UnixTime pad = (hi - lo) / 25;
  return {lo - pad, hi + pad};
}

void axis(std::ostream& o, const Scale& sc, double bottom) {
  int y0 = year_of(sc.t0) + 1, y1 = year_of(sc.t1);
  int step = 1;
  while ((y1 - y0) / step > 9) step = step == 1 ? 2 : step == 2 ? 5 : step * 2;
  o << "<g class=\"axis\">";
  for (int y = y0 - (y0 % step + step) % step; y <= y1; y += step) {
    UnixTime t = start_of_year(y);
    if (t < sc.t0 || t > sc.t1) continue;
    double x = sc.x(t);
    o << "<line x1=\"" << num(x) << "\" y1=\"" << num(kTop - 4) << "\" x2=\"" << num(x) << "\" y2=\"" << num(bottom)
      << "\"/><text x=\"" << num(x) << "\" y=\"" << num(bottom + 14) << "\" text-anchor=\"middle\">" << y
      << "</text>";
  }
  o << "</g>";
}

void marker(std::ostream& o, const Scale& sc, UnixTime t, double bottom, const char* cls, const std::string& label,
            bool label_right, int text_y) {
  double x = sc.x(t);
  o << "<g class=\"" << cls << "\"><line x1=\"" << num(x) << "\" y1=\"" << text_y + 2 << "\" x2=\"" << num(x) << "\" y2=\""
    << num(bottom) << "\"/><text x=\"" << num(label_right ? x + 4 : x - 4) << "\" y=\"" << text_y
    << "\" text-anchor=\"" << (label_right ? "start" : "end") << "\">" << html_escape(label) << "</text></g>";
}

}  // namespace

std::string common_name(const std::string& subject) {
  // RFC 2253 form from OpenSSL: "CN=Name,O=Org" (escaped commas as "\,").
  std::size_t pos = 0;
  while (pos < subject.size()) {
    std::size_t end = pos;
    while (end < subject.size() && subject[end] != ',') end += subject[end] == '\\' ? 2 : 1;
    if (subject.compare(pos, 3, "CN=") == 0) return subject.substr(pos + 3, std::min(end, subject.size()) - pos - 3);
    pos = end + 1;
  }
  return subject;
}

std::string timeline_svg(const verify::TicketReport& r) {
  std::size_t rows = 0;
  for (const auto& s : r.signatures)
    if (!s.certificates.empty()) rows += 1 + s.certificates.size();
  if (rows == 0) return {};
  const Scale sc = scale_for(r);
  const double bottom = kTop + rows * kRow;
  std::ostringstream o;
  o << "<svg class=\"timeline\" viewBox=\"0 0 " << num(kWidth) << ' ' << num(bottom + kAxis)
    << "\" role=\"img\" aria-label=\"certificate validity timeline\">";
  axis(o, sc, bottom);
  double y = kTop;
  for (const auto& s : r.signatures) {
    if (s.certificates.empty()) continue;
    o << "<text class=\"sig\" x=\"0\" y=\"" << num(y + 14) << "\">Signature #" << s.index << " — "
      << (s.accepted ? "accepted" : "rejected") << "</text>";
    y += kRow;
    for (std::size_t i = 0; i < s.certificates.size(); ++i) {
      const auto& c = s.certificates[i];
      const char* state = r.at < c.not_before ? "future" : r.at > c.not_after ? "expired" : "current";
      double x0 = sc.x(c.not_before), x1 = std::max(sc.x(c.not_after), x0 + 2);
      o << "<g class=\"cert " << state << "\"><title>" << html_escape(c.subject) << ": "
        << format_time(c.not_before) << " to " << format_time(c.not_after) << "</title>"
        << "<text x=\"10\" y=\"" << num(y + 14) << "\">" << (i == 0 ? "signer " : "issuer ")
        << html_escape(shorten(common_name(c.subject), 34)) << "</text>"
        << "<rect x=\"" << num(x0) << "\" y=\"" << num(y + 4) << "\" width=\"" << num(x1 - x0)
        << "\" height=\"12\" rx=\"2\"/></g>";
      y += kRow;
    }
  }
  std::string at_label = "evaluated " + format_time(r.at).substr(0, 10);
  if (r.valid_until && *r.valid_until < kNoExpiry) {
    bool right = sc.x(*r.valid_until) > sc.x(r.at);
    marker(o, sc, r.at, bottom, "at", at_label, !right, 11);
    marker(o, sc, *r.valid_until, bottom, "until", "valid until " + format_time(*r.valid_until).substr(0, 10), right, 25);
  } else {
    marker(o, sc, r.at, bottom, "at", at_label, sc.x(r.at) < kWidth - 160, 11);
  }
  o << "</svg>";
  return o.str();
}

}  // namespace onboard::report
