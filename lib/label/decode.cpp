// ZXing-cpp 1.4 adapter: the only file that sees ZXing (later releases rename this API).
#include <ZXing/ReadBarcode.h>

#include "onboard/label/label.h"

namespace onboard::label {

std::vector<std::string> decode_all(const Gray& img, bool pure) {
  ZXing::ImageView view(img.px.data(), img.width, img.height, ZXing::ImageFormat::Lum);
  auto hints = ZXing::DecodeHints().setFormats(ZXing::BarcodeFormat::QRCode).setTryHarder(true);
  if (pure) hints.setTryRotate(false).setTryDownscale(false);  // our own render: upright, at size
  std::vector<std::string> texts;
  for (const auto& r : ZXing::ReadBarcodes(view, hints)) {
    if (!r.isValid()) continue;
    const auto& b = r.bytes();  // raw bytes: the URI compared exactly, no charset guessing
    texts.emplace_back(b.begin(), b.end());
  }
  return texts;
}

std::vector<Scanned> scan_image(const Gray& img) {
  ZXing::ImageView view(img.px.data(), img.width, img.height, ZXing::ImageFormat::Lum);
  auto hints = ZXing::DecodeHints().setTryHarder(true);  // every symbology: say what the label holds
  std::vector<Scanned> found;
  for (const auto& r : ZXing::ReadBarcodes(view, hints)) {
    if (!r.isValid()) continue;
    const auto& b = r.bytes();
    found.push_back({std::string(b.begin(), b.end()), ZXing::ToString(r.format()), r.ecLevel()});
  }
  return found;
}

Status verify_raster(const Gray& img, std::string_view expected, std::string_view what) {
  auto texts = decode_all(img, true);
  if (texts.empty()) texts = decode_all(img, false);
  if (texts.size() == 1 && texts[0] == expected) return {};
  std::string w(what);
  if (texts.empty()) return fail(Errc::mismatch, w + ": decode-back found no QR code in the rendered label");
  if (texts.size() > 1) return fail(Errc::mismatch, w + ": decode-back found " + std::to_string(texts.size()) + " QR codes");
  return fail(Errc::mismatch, w + ": decode-back read '" + texts[0] + "', expected '" + std::string(expected) + "'");
}

}  // namespace onboard::label
