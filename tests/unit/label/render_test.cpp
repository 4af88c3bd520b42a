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

namespace {
Expected<Gray> load_bytes(const std::string& name, const std::string& bytes) {
  std::string path = ::testing::TempDir() + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  return load_image(path);
}
}  // namespace

// Netpbm input for --decode (pdftoppm, scanners): P2/P3/P5/P6 up to maxval 255, RGB to grey with the
// ITU-R BT.601 luma weights (0.299, 0.587, 0.114) as integers, then scaled to 0..255.
TEST(Image, NetpbmVariantsToGrey) {
  auto p2 = load_bytes("a.pgm", "P2\n# comment\n3 1\n15\n0 15 5\n");
  ASSERT_TRUE(p2) << p2.error().message;
  EXPECT_EQ(p2->width, 3);
  EXPECT_EQ(p2->height, 1);
  EXPECT_EQ(p2->px, (std::vector<std::uint8_t>{0, 255, 85}));
  auto p3 = load_bytes("a.ppm", "P3 4 1 255  0 0 200  200 0 0  0 200 0  255 255 255\n");
  ASSERT_TRUE(p3) << p3.error().message;
  // 200·114/1000 = 22, 200·299/1000 = 59, 200·587/1000 = 117, white stays 255.
  EXPECT_EQ(p3->px, (std::vector<std::uint8_t>{22, 59, 117, 255}));
  auto p5 = load_bytes("b.pgm", std::string("P5 2 1 255\n") + '\x10' + '\xf0');
  ASSERT_TRUE(p5) << p5.error().message;
  EXPECT_EQ(p5->px, (std::vector<std::uint8_t>{0x10, 0xf0}));
  auto p6 = load_bytes("b.ppm", std::string("P6 1 1 255\n") + '\x00' + '\x00' + '\xc8');
  ASSERT_TRUE(p6) << p6.error().message;
  EXPECT_EQ(p6->px, (std::vector<std::uint8_t>{22}));
}

TEST(Image, NetpbmOutsideWhatIsReadIsRefused) {
  for (const char* header : {"P5 2 1 65535\n", "P5 0 1 255\n", "P5 2 0 255\n", "P5 2 1 0\n", "P5 20001 1 255\n", "P5 x\n"}) {
    auto g = load_bytes("c.pgm", std::string(header) + std::string(8, '\x40'));
    ASSERT_FALSE(g) << header;
    EXPECT_NE(g.error().message.find("PNM header not supported (8-bit P2, P3, P5, P6 only)"), std::string::npos)
        << g.error().message;
    EXPECT_NE(g.error().message.find("c.pgm"), std::string::npos) << g.error().message;
  }
  auto truncated = load_bytes("d.pgm", "P5 4 1 255\nab");
  ASSERT_FALSE(truncated);
  EXPECT_NE(truncated.error().message.find("PNM data truncated"), std::string::npos);
  // P1/P4 (bitmaps) and P7 are not read: the image is not recognised at all.
  for (const char* other : {"P1 1 1\n0\n", "P4 8 1\n\x01", "P7\nWIDTH 1\n"}) {
    auto g = load_bytes("e.pbm", other);
    ASSERT_FALSE(g) << other;
    EXPECT_NE(g.error().message.find("not a PNG, JPEG or PNM image"), std::string::npos) << g.error().message;
  }
}

// A label whose text Cairo cannot draw is an error from both rasterizers, never a label with the
// text missing (plan() refuses such text first; a Label built another way meets Cairo's check).
TEST(Png, CairoTextErrorsAreReported) {
  Label l = make({"SN 1"});
  l.lines[0].text = "bad \xC3";
  auto img = rasterize(l);
  ASSERT_FALSE(img);
  EXPECT_NE(img.error().message.find("drawing the text"), std::string::npos) << img.error().message;
  auto vec = rasterize_vector(l);
  ASSERT_FALSE(vec);
  EXPECT_NE(vec.error().message.find("drawing the label"), std::string::npos) << vec.error().message;
}

// Decode-back accepts exactly one symbol: two on one label is a mismatch, not a pass.
TEST(Decode, VerifyRasterRefusesTwoSymbols) {
  Gray one = rasterize_symbol(make());
  Gray two{one.width * 2, one.height, std::vector<std::uint8_t>(static_cast<std::size_t>(one.width) * 2 * one.height)};
  for (int y = 0; y < one.height; ++y)
    for (int x = 0; x < 2 * one.width; ++x)
      two.px[static_cast<std::size_t>(y) * two.width + x] = one.at(x % one.width, y);
  auto r = verify_raster(two, kUri, "t");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::mismatch);
  EXPECT_NE(r.error().message.find("decode-back found 2 QR codes"), std::string::npos) << r.error().message;
}

// The PNG label is white where nothing is drawn: the text area around the glyphs and its margin
// (only the symbol's own pixels are copied in; the rest starts as paper).
TEST(Png, PaperIsWhiteOutsideTheSymbolAndTheGlyphs) {
  Label l = make({"SN 1"});
  auto img = rasterize(l);
  ASSERT_TRUE(img);
  ASSERT_GT(img->height, l.symbol_dots());
  for (int x = 0; x < img->width; ++x) EXPECT_EQ(img->at(x, img->height - 1), 255) << "bottom row, x " << x;
  long white = 0, total = 0;
  for (int y = l.symbol_dots(); y < img->height; ++y)
    for (int x = 0; x < img->width; ++x, ++total) white += img->at(x, y) == 255;
  EXPECT_GT(white * 10, total * 7) << white << " of " << total << " text-area pixels are paper";
}
