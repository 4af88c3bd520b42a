// The symbol as dots (exact: what ZPL's ^GF carries and every raster label starts from) and PNG.
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>

#include "onboard/label/label.h"

namespace onboard::label {

Gray rasterize_symbol(const Label& l) {
  const int m = l.dots_per_module, s = l.symbol_modules, side = l.symbol_dots();
  const int qr0 = kFrameModules + kQuietModules;
  Gray g{side, side, std::vector<std::uint8_t>(static_cast<std::size_t>(side) * side, 255)};
  for (int y = 0; y < side; ++y) {
    const int my = y / m;
    std::uint8_t* row = &g.px[static_cast<std::size_t>(y) * side];
    for (int x = 0; x < side; ++x) {
      const int mx = x / m;
      const bool frame = mx < kFrameModules || my < kFrameModules || mx >= s - kFrameModules || my >= s - kFrameModules;
      const int qx = mx - qr0, qy = my - qr0;
      const bool in_qr = qx >= 0 && qy >= 0 && qx < l.qr.width && qy < l.qr.width;
      if (frame || (in_qr && l.qr.at(qx, qy))) row[x] = 0;
    }
  }
  // The triangle: a dot is dark when its centre lies inside (legs along the frame's inner edges).
  const double corner = (s - kFrameModules) * m, leg = kTriangleModules * m;
  for (int y = static_cast<int>(corner - leg); y < corner; ++y)
    for (int x = static_cast<int>(corner - leg); x < corner; ++x)
      if ((corner - (x + 0.5)) + (corner - (y + 0.5)) <= leg) g.px[static_cast<std::size_t>(y) * side + x] = 0;
  return g;
}

namespace {

void put_u32(std::string& s, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xff));
}

// A pHYs chunk (pixels per metre) right after IHDR: the simplified libpng writer has no option
// for it, and printing software reads the physical size from it.
std::string with_phys(std::string png, int dpi) {
  const std::uint32_t ppm = static_cast<std::uint32_t>(std::lround(dpi / 0.0254));
  std::string chunk;
  put_u32(chunk, 9);
  chunk += "pHYs";
  put_u32(chunk, ppm);
  put_u32(chunk, ppm);
  chunk.push_back(1);  // unit: metre
  const auto* typed = reinterpret_cast<const Bytef*>(chunk.data() + 4);
  put_u32(chunk, static_cast<std::uint32_t>(crc32(crc32(0, nullptr, 0), typed, 13)));
  constexpr std::size_t kAfterIhdr = 8 + 25;  // signature + IHDR (length, type, 13 bytes, CRC)
  png.insert(kAfterIhdr, chunk);
  return png;
}

}  // namespace

Expected<std::string> encode_png(const Gray& img, int dpi) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(img.width);
  image.height = static_cast<png_uint_32>(img.height);
  image.format = PNG_FORMAT_GRAY;
  std::string out(PNG_IMAGE_PNG_SIZE_MAX(image), '\0');
  png_alloc_size_t size = out.size();
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, img.px.data(), img.width, nullptr)) {
    std::string why = image.message;
    png_image_free(&image);
    return fail(Errc::internal, "libpng: " + why);
  }
  out.resize(size);
  return with_phys(std::move(out), dpi);
}

Expected<Gray> decode_png(std::string_view bytes) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()))
    return fail(Errc::malformed, std::string("not a readable PNG: ") + image.message);
  image.format = PNG_FORMAT_GRAY;
  if (image.width > 20000 || image.height > 20000) {
    png_image_free(&image);
    return fail(Errc::malformed, "PNG larger than 20000 x 20000 pixels");
  }
  Gray g{static_cast<int>(image.width), static_cast<int>(image.height), {}};
  g.px.resize(PNG_IMAGE_SIZE(image));
  png_color white{255, 255, 255};  // transparent pixels count as paper
  if (!png_image_finish_read(&image, &white, g.px.data(), 0, nullptr))
    return fail(Errc::malformed, std::string("PNG: ") + image.message);
  return g;
}

}  // namespace onboard::label
