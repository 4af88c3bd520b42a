#include <gtest/gtest.h>

#include "onboard/label/label.h"

using namespace onboard;
using namespace onboard::label;

namespace {
const std::string kUri = "https://id.example.com/x1/16273849";

Label make(int dpi = 300, double module_mm = 0.35, std::vector<std::string> text = {}) {
  LabelOptions opt;
  opt.dpi = dpi;
  opt.module_mm = module_mm;
  opt.text = std::move(text);
  auto l = plan(kUri, opt);
  EXPECT_TRUE(l) << (l ? "" : l.error().message);
  return *l;
}

// Pixels of the PNG the renderer writes, read back through libpng.
Gray png_pixels(const Label& l) {
  auto img = rasterize(l);
  EXPECT_TRUE(img);
  auto png = encode_png(*img, l.dpi);
  EXPECT_TRUE(png);
  auto back = decode_png(*png);
  EXPECT_TRUE(back);
  return *back;
}
}  // namespace

TEST(Sizing, WholeDotsPerModule) {
  EXPECT_EQ(*dots_per_module(0.35, 300), 4);   // 4.13 dots → 4 (0.339 mm)
  EXPECT_EQ(*dots_per_module(0.35, 203), 3);   // 2.80 → 3 (0.375 mm)
  EXPECT_EQ(*dots_per_module(0.35, 600), 8);   // 8.27 → 8
  EXPECT_EQ(*dots_per_module(0.05, 72), 1);    // never zero
  EXPECT_EQ(dots_per_module(0.35, 10).error().code, Errc::usage);
  EXPECT_EQ(dots_per_module(0, 300).error().code, Errc::usage);
  EXPECT_EQ(dots_per_module(9, 300).error().code, Errc::usage);
}

TEST(Sizing, AchievedModuleAndLabelSize) {
  Label l = make(300, 0.35);
  EXPECT_EQ(l.dots_per_module, 4);
  EXPECT_NEAR(l.module_mm, 4 * 25.4 / 300, 1e-9);
  EXPECT_EQ(l.symbol_modules, l.qr.width + 10);
  EXPECT_EQ(l.width, l.symbol_modules * 4);
  EXPECT_EQ(l.height, l.width);  // no text: square
  EXPECT_NEAR(l.mm(l.width), l.symbol_modules * l.module_mm, 1e-9);
}

TEST(Sizing, WarnsBelowMinimumModuleAndLowEcc) {
  std::vector<std::string> w;
  LabelOptions opt;
  opt.module_mm = 0.2;
  opt.ecc = Ecc::L;
  ASSERT_TRUE(plan(kUri, opt, &w));
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NE(w[0].find("0.25 mm"), std::string::npos);
  EXPECT_NE(w[1].find("error correction L"), std::string::npos);
  w.clear();
  ASSERT_TRUE(plan(kUri, LabelOptions{}, &w));
  EXPECT_TRUE(w.empty());
}

TEST(Geometry, FrameAndQuietZoneMeasuredInPngPixels) {
  Label l = make(300, 0.35);
  Gray g = png_pixels(l);
  const int m = l.dots_per_module, side = l.symbol_dots();
  ASSERT_EQ(g.width, side);
  ASSERT_EQ(g.height, side);
  // Frame: exactly one module of dark pixels on every edge.
  for (int i = 0; i < side; ++i)
    for (int d = 0; d < m; ++d) {
      EXPECT_EQ(g.at(i, d), 0);
      EXPECT_EQ(g.at(i, side - 1 - d), 0);
      EXPECT_EQ(g.at(d, i), 0);
      EXPECT_EQ(g.at(side - 1 - d, i), 0);
    }
  // Quiet zone: 4 modules of light pixels inside the frame (the triangle's corner aside).
  const int inner0 = m, quiet_end = 5 * m, inner1 = side - m;
  auto in_triangle = [&](int x, int y) { return (inner1 - x - 0.5) + (inner1 - y - 0.5) <= 6.0 * m; };
  int light = 0;
  for (int y = inner0; y < inner1; ++y)
    for (int x = inner0; x < inner1; ++x) {
      bool quiet = x < quiet_end || y < quiet_end || x >= inner1 - 4 * m || y >= inner1 - 4 * m;
      if (!quiet || in_triangle(x, y)) continue;
      EXPECT_EQ(g.at(x, y), 255) << x << "," << y;
      ++light;
    }
  EXPECT_GT(light, 0);
  // The QR begins right after the quiet zone: the top-left finder's corner is dark.
  EXPECT_EQ(g.at(quiet_end, quiet_end), 0);
  EXPECT_EQ(g.at(quiet_end - 1, quiet_end), 255);
}

TEST(Geometry, TriangleHasSixModuleLegsInTheBottomRightCorner) {
  Label l = make(300, 0.35);
  Gray g = rasterize_symbol(l);
  const int m = l.dots_per_module, inner = l.symbol_dots() - m, leg = 6 * m;
  EXPECT_EQ(g.at(inner - 1, inner - 1), 0);          // the right angle
  EXPECT_EQ(g.at(inner - leg, inner - 1), 0);        // end of the bottom leg
  EXPECT_EQ(g.at(inner - leg - 1, inner - 1), 255);  // just past it
  EXPECT_EQ(g.at(inner - 1, inner - leg), 0);        // end of the right leg
  EXPECT_EQ(g.at(inner - 1, inner - leg - 1), 255);
  EXPECT_EQ(g.at(inner - leg / 2 - 2, inner - leg / 2 - 2), 255);  // beyond the hypotenuse
  EXPECT_EQ(g.at(inner - leg / 2 + 1, inner - leg / 2 + 1), 0);
  // Other corners carry no mark.
  EXPECT_EQ(g.at(m, m + 4 * m - 1), 255);
  EXPECT_EQ(g.at(inner - 1, m), 255);
  EXPECT_EQ(g.at(m, inner - 1), 255);
}

TEST(Geometry, VectorDrawingMatchesDotRaster) {
  for (int dpi : {203, 300, 600}) {
    Label l = make(dpi, 0.35);
    Gray dots = rasterize_symbol(l);
    auto vec = rasterize_vector(l);
    ASSERT_TRUE(vec);
    int differ = 0;
    for (int y = 0; y < dots.height; ++y)
      for (int x = 0; x < dots.width; ++x) differ += (dots.at(x, y) < 128) != (vec->at(x, y) < 128);
    EXPECT_LE(differ, 6 * l.dots_per_module) << dpi << " dpi";  // at most the hypotenuse's sampling
  }
}

TEST(Geometry, TextLinesGoUnderTheFrame) {
  Label l = make(300, 0.35, {"X1", "SN 16273849"});
  ASSERT_EQ(l.lines.size(), 2u);
  EXPECT_GT(l.height, l.symbol_dots());
  EXPECT_GT(l.lines[0].baseline, l.symbol_dots());
  EXPECT_GT(l.lines[1].baseline, l.lines[0].baseline);
  EXPECT_EQ(l.symbol_x, 0);
  auto img = rasterize(l);
  ASSERT_TRUE(img);
  int ink = 0;
  for (int y = l.symbol_dots(); y < img->height; ++y)
    for (int x = 0; x < img->width; ++x) ink += img->at(x, y) < 128;
  EXPECT_GT(ink, 50);
}

TEST(Geometry, WideTextWidensTheLabelAndCentresTheSymbol) {
  Label l = make(300, 0.35, {"https://id.example.com/x1/16273849 model X1 serial 16273849"});
  EXPECT_GT(l.width, l.symbol_dots());
  EXPECT_GT(l.symbol_x, 0);
  EXPECT_LE(l.lines[0].width, l.width);
  EXPECT_NEAR(l.font_size, 1.4 * 300 / 25.4, 1e-6);  // shrunk to the floor first
}

TEST(Geometry, NonAsciiTextRendersAndBadUtf8IsRefused) {
  Label l = make(300, 0.35, {"Größe Ω — Σπάρτη"});
  EXPECT_GT(l.lines[0].width, 10);
  LabelOptions opt;
  opt.text = {"bad \xC3"};
  auto bad = plan(kUri, opt);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::malformed);
  // RFC 3629 from the first byte on: a line may start with a multi-byte character, not with a stray byte.
  opt.text = {"Ärger"};
  EXPECT_TRUE(plan(kUri, opt));
  for (const char* wrong : {"\xFF abc", "\xA9abc", "\xC3"}) {
    opt.text = {wrong};
    auto w = plan(kUri, opt);
    ASSERT_FALSE(w) << wrong;
    EXPECT_NE(w.error().message.find("not valid UTF-8"), std::string::npos) << w.error().message;
  }
}
