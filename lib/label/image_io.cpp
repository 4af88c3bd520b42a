// Images a scanner or a camera produces, read as grey: PNG, JPEG, PNM (for --scan).
#include <cctype>
#include <csetjmp>
#include <cstdio>
#include <cstring>

#include <jpeglib.h>

#include "onboard/label/label.h"

namespace onboard::label {
namespace {

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// libjpeg reports errors by longjmp: everything with a destructor lives outside this function.
bool read_jpeg(const unsigned char* data, unsigned long size, Gray& out, char* message) {
  jpeg_decompress_struct cinfo;
  JpegError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_error_exit;
  if (setjmp(err.jump)) {
    std::strncpy(message, err.message, JMSG_LENGTH_MAX);
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, size);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_GRAYSCALE;
  if (cinfo.image_width > 20000 || cinfo.image_height > 20000) {
    std::strncpy(message, "JPEG larger than 20000 x 20000 pixels", JMSG_LENGTH_MAX);
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_start_decompress(&cinfo);
  out.width = static_cast<int>(cinfo.output_width);
  out.height = static_cast<int>(cinfo.output_height);
  out.px.resize(static_cast<std::size_t>(out.width) * out.height);  // allocated before any row is read
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = &out.px[static_cast<std::size_t>(cinfo.output_scanline) * out.width];
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

// Netpbm P2/P3/P5/P6 with maxval ≤ 255 (what pdftoppm and most scanning tools can emit).
Expected<Gray> read_pnm(const std::string& data) {
  std::size_t pos = 2;
  auto number = [&]() -> long {
    while (pos < data.size()) {
      if (data[pos] == '#') pos = data.find('\n', pos);
      else if (std::isspace(static_cast<unsigned char>(data[pos]))) ++pos;
      else break;
      if (pos == std::string::npos) return -1;
    }
    long v = -1;
    while (pos < data.size() && std::isdigit(static_cast<unsigned char>(data[pos])))
      v = (v < 0 ? 0 : v * 10) + (data[pos++] - '0');
    return v > 100000 ? -1 : v;
  };
  const char kind = data[1];
  const long w = number(), h = number(), maxval = number();
  if (w <= 0 || h <= 0 || maxval <= 0 || maxval > 255 || w > 20000 || h > 20000)
    return fail(Errc::malformed, "PNM header not supported (8-bit P2, P3, P5, P6 only)");
  const bool rgb = kind == '3' || kind == '6', ascii = kind == '2' || kind == '3';
  Gray g{static_cast<int>(w), static_cast<int>(h), std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h)};
  if (!ascii) ++pos;  // exactly one whitespace byte before binary data
  for (auto& p : g.px) {
    long c[3];
    for (int k = 0; k < (rgb ? 3 : 1); ++k) {
      if (ascii) c[k] = number();
      else c[k] = pos < data.size() ? static_cast<unsigned char>(data[pos++]) : -1;
      if (c[k] < 0) return fail(Errc::malformed, "PNM data truncated");
    }
    long v = rgb ? (c[0] * 299 + c[1] * 587 + c[2] * 114) / 1000 : c[0];
    p = static_cast<std::uint8_t>(v * 255 / maxval);
  }
  return g;
}

}  // namespace

Expected<Gray> load_image(const std::string& path) {
  auto data = read_file(path, 64u << 20);
  if (!data) return fail(std::move(data.error()));
  const std::string& d = *data;
  Expected<Gray> img = fail(Errc::malformed, "not a PNG, JPEG or PNM image");
  if (d.size() > 8 && d.compare(0, 4, "\x89PNG") == 0) {
    img = decode_png(d);
  } else if (d.size() > 3 && static_cast<unsigned char>(d[0]) == 0xFF && static_cast<unsigned char>(d[1]) == 0xD8) {
    Gray g;
    char message[JMSG_LENGTH_MAX] = {};
    if (read_jpeg(reinterpret_cast<const unsigned char*>(d.data()), d.size(), g, message)) img = std::move(g);
    else img = fail(Errc::malformed, std::string("JPEG: ") + message);
  } else if (d.size() > 3 && d[0] == 'P' && std::strchr("2356", d[1])) {
    img = read_pnm(d);
  }
  if (!img) return fail(std::move(img.error()).context(path));
  return img;
}

}  // namespace onboard::label
