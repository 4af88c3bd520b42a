// Output formats and the checked render: every label is decoded back before it is kept (SPEC §9).
#include <cctype>

#include "onboard/label/source.h"

namespace onboard::label {

Expected<Format> parse_format(std::string_view format, std::string_view out) {
  std::string f(format);
  if (f.empty()) {
    auto dot = out.rfind('.');
    if (dot == std::string_view::npos || out.find('/', dot) != std::string_view::npos)
      return fail(Errc::usage, "give --format png|svg|pdf|zpl (the --out name has no extension to go by)");
    f = out.substr(dot + 1);
    for (auto& c : f) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (Format known : {Format::png, Format::svg, Format::pdf, Format::zpl})
    if (f == extension(known)) return known;
  return fail(Errc::usage, "--format '" + f + "': expected png, svg, pdf or zpl");
}

std::string extension(Format f) {
  switch (f) {
    case Format::png: return "png";
    case Format::svg: return "svg";
    case Format::pdf: return "pdf";
    case Format::zpl: return "zpl";
  }
  return "bin";
}

Status verify_label(const Label& l, Format f, std::string_view bytes) {
  Expected<Gray> twin = fail(Errc::internal, "no raster twin");
  switch (f) {
    case Format::png: twin = decode_png(bytes); break;       // the file's own pixels
    case Format::svg: twin = rasterize(l); break;            // the geometry the SVG was written from
    case Format::pdf: twin = rasterize_vector(l); break;     // the PDF's drawing, on dots
    case Format::zpl: twin = zpl_graphic(bytes); break;      // the ^GF field parsed back
  }
  if (!twin) return fail(std::move(twin.error()).context("reading the " + extension(f) + " back"));
  return verify_raster(*twin, l.content, "label for " + l.content);
}

Expected<Rendered> render_checked(std::string_view uri, const LabelOptions& opt, Format f,
                                  std::vector<std::string>* warnings) {
  auto l = plan(uri, opt, warnings);
  if (!l) return fail(std::move(l.error()));
  Expected<std::string> bytes = fail(Errc::internal, "no renderer");
  switch (f) {
    case Format::png: {
      auto img = rasterize(*l);
      bytes = img ? encode_png(*img, l->dpi) : Expected<std::string>(fail(img.error()));
      break;
    }
    case Format::svg: bytes = render_svg(*l); break;
    case Format::pdf: bytes = render_pdf(*l); break;
    case Format::zpl: bytes = render_zpl(*l); break;
  }
  if (!bytes) return fail(std::move(bytes.error()));
  if (auto ok = verify_label(*l, f, *bytes); !ok) return fail(std::move(ok.error()));
  return Rendered{std::move(*l), std::move(*bytes)};
}

}  // namespace onboard::label
