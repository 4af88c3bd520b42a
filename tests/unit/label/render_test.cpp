#include <gtest/gtest.h>

#include <cmath>

#include "onboard/label/label.h"

using namespace onboard;
using namespace onboard::label;

namespace {
const std::string kUri = "https://id.example.com/x1/16273849";

Label make(std::vector<std::string> text = {}) {
  LabelOptions opt;
  opt.text = std::move(text);
  return *plan(kUri, opt);
}

// A "photograph": rotated 90° clockwise, scaled to 50% (box filter), blurred (3×3), on grey paper.
Gray photograph(const Gray& src) {
  Gray rot{src.height, src.width, std::vector<std::uint8_t>(src.px.size())};
  for (int y = 0; y < src.height; ++y)
    for (int x = 0; x < src.width; ++x) rot.px[static_cast<std::size_t>(x) * rot.width + (src.height - 1 - y)] = src.at(x, y);
  const int pad = 30;
  Gray half{rot.width / 2 + 2 * pad, rot.height / 2 + 2 * pad, {}};
  half.px.assign(static_cast<std::size_t>(half.width) * half.height, 200);
  for (int y = 0; y < rot.height / 2; ++y)
    for (int x = 0; x < rot.width / 2; ++x) {
      int s = rot.at(2 * x, 2 * y) + rot.at(2 * x + 1, 2 * y) + rot.at(2 * x, 2 * y + 1) + rot.at(2 * x + 1, 2 * y + 1);
      half.px[static_cast<std::size_t>(y + pad) * half.width + x + pad] = static_cast<std::uint8_t>(s / 4);
    }
  Gray blur = half;
  for (int y = 1; y + 1 < half.height; ++y)
    for (int x = 1; x + 1 < half.width; ++x) {
      int s = 0;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) s += half.at(x + dx, y + dy) * (dx == 0 && dy == 0 ? 4 : 1);
      blur.px[static_cast<std::size_t>(y) * blur.width + x] = static_cast<std::uint8_t>(s / 12);
    }
  return blur;
}
}  // namespace

TEST(Png, StoresDpiInPhysAndReadsBack) {
  Label l = make();
  auto img = rasterize(l);
  ASSERT_TRUE(img);
  auto png = encode_png(*img, 300);
  ASSERT_TRUE(png);
  auto at = png->find("pHYs");
  ASSERT_NE(at, std::string::npos);
  auto u32 = [&](std::size_t o) {
    return (static_cast<unsigned char>((*png)[o]) << 24) | (static_cast<unsigned char>((*png)[o + 1]) << 16) |
           (static_cast<unsigned char>((*png)[o + 2]) << 8) | static_cast<unsigned char>((*png)[o + 3]);
  };
  EXPECT_EQ(u32(at + 4), 11811u);  // 300 dpi in pixels per metre
  EXPECT_EQ((*png)[at + 12], 1);   // unit: metre
  auto back = decode_png(*png);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->px, img->px);
}

TEST(Zpl, GraphicFieldIsTheSymbolDotForDot) {
  Label l = make({"SN 16273849", "Größe ^~"});
  std::string zpl = render_zpl(l);
  EXPECT_EQ(zpl.rfind("^XA", 0), 0u);
  EXPECT_NE(zpl.find("^CI28"), std::string::npos);
  EXPECT_NE(zpl.find("^PW" + std::to_string(l.width)), std::string::npos);
  EXPECT_NE(zpl.find("^FDGr\\C3\\B6\\C3\\9Fe \\5E\\7E^FS"), std::string::npos) << zpl.substr(zpl.size() - 200);
  auto g = zpl_graphic(zpl);
  ASSERT_TRUE(g);
  Gray sym = rasterize_symbol(l);
  ASSERT_GE(g->width, sym.width);
  ASSERT_EQ(g->height, sym.height);
  for (int y = 0; y < sym.height; ++y)
    for (int x = 0; x < g->width; ++x) ASSERT_EQ(g->at(x, y), x < sym.width ? sym.at(x, y) : 255) << x << "," << y;
  EXPECT_FALSE(zpl_graphic("^XA^XZ"));
}

TEST(Svg, VectorWithRealText) {
  auto svg = render_svg(make({"Größe <X1> & Ω"}));
  ASSERT_TRUE(svg);
  EXPECT_NE(svg->find("<svg"), std::string::npos);
  EXPECT_NE(svg->find("mm\" height=\""), std::string::npos);
  EXPECT_NE(svg->find("<title>" + kUri + "</title>"), std::string::npos);
  EXPECT_NE(svg->find(">Größe &lt;X1&gt; &amp; Ω</text>"), std::string::npos);
}

TEST(Pdf, VectorDocumentAndSheet) {
  auto pdf = render_pdf(make({"X1"}));
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
  EXPECT_EQ(*render_pdf(make({"X1"})), *pdf);  // reproducible: no creation date
  std::vector<Label> many(40, make({"X1"}));
  int per_page = sheet_capacity(many[0]);
  EXPECT_GT(per_page, 40);
  auto sheet = render_sheet_pdf(many);
  ASSERT_TRUE(sheet);
  EXPECT_EQ(sheet->rfind("%PDF-", 0), 0u);
  EXPECT_FALSE(render_sheet_pdf({}));
}

TEST(Decode, ReadsARotatedScaledBlurredPhotograph) {
  auto img = rasterize(make({"SN 16273849"}));
  ASSERT_TRUE(img);
  Gray photo = photograph(*img);
  auto texts = decode_all(photo);
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(texts[0], kUri);
}

TEST(Decode, VerifyRasterReportsMismatch) {
  auto img = rasterize(make());
  ASSERT_TRUE(img);
  EXPECT_TRUE(verify_raster(*img, kUri, "t"));
  auto bad = verify_raster(*img, kUri + "0", "t");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::mismatch);
  Gray blank{100, 100, std::vector<std::uint8_t>(10000, 255)};
  auto none = verify_raster(blank, kUri, "t");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no QR code"), std::string::npos);
}
