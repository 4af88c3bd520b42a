#include <gtest/gtest.h>

#include "onboard/label/label.h"

using namespace onboard;
using namespace onboard::label;

namespace {
// Render a bare symbol (no text) and decode it with ZXing.
std::string roundtrip(const std::string& text, Ecc ecc) {
  LabelOptions opt;
  opt.ecc = ecc;
  auto l = plan(text, opt);
  EXPECT_TRUE(l) << (l ? "" : l.error().message);
  auto texts = decode_all(rasterize_symbol(*l), true);
  return texts.size() == 1 ? texts[0] : "";
}
}  // namespace

TEST(Qr, ByteModeKeepsCase) {
  const std::string uri = "https://Id.Example.com/X1/ab-CD_16273849";
  EXPECT_EQ(roundtrip(uri, Ecc::Q), uri);
  EXPECT_EQ(roundtrip("urn:example.com:model-x1:snr-16273849", Ecc::H), "urn:example.com:model-x1:snr-16273849");
}

TEST(Qr, DarkModulesAreBitZero) {
  auto m = encode_qr("https://id.example.com/x", Ecc::Q);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->width, 17 + 4 * m->version);
  for (auto v : m->dark) EXPECT_LE(v, 1);
  EXPECT_TRUE(m->at(0, 0));    // finder pattern corners are dark
  EXPECT_FALSE(m->at(7, 7));   // its separator is light
}

TEST(Qr, HigherEccNeedsLargerOrEqualVersion) {
  const std::string uri = "https://id.example.com/model-x1/serial/16273849?lot=2026-01";
  int last = 0;
  for (Ecc e : {Ecc::L, Ecc::M, Ecc::Q, Ecc::H}) {
    auto m = encode_qr(uri, e);
    ASSERT_TRUE(m);
    EXPECT_GE(m->version, last);
    last = m->version;
  }
  EXPECT_GT(last, encode_qr(uri, Ecc::L)->version);
}

TEST(Qr, TooLongForEccIsMalformedAndSaysWhy) {
  std::string big(1700, 'a');  // over the 1663-byte capacity at Q, under L's 2953
  auto q = encode_qr(big, Ecc::Q);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, Errc::malformed);
  EXPECT_NE(q.error().message.find("error correction Q"), std::string::npos) << q.error().message;
  EXPECT_NE(q.error().message.find("1663"), std::string::npos);
  EXPECT_TRUE(encode_qr(big, Ecc::L));
}

TEST(Qr, MaxVersion) {
  auto q = encode_qr("https://id.example.com/" + std::string(100, 'x'), Ecc::Q, 3);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, Errc::malformed);
  EXPECT_NE(q.error().message.find("--max-version 3"), std::string::npos);
}

TEST(Qr, ParseEcc) {
  EXPECT_EQ(*parse_ecc("q"), Ecc::Q);
  EXPECT_EQ(*parse_ecc("H"), Ecc::H);
  EXPECT_EQ(parse_ecc("X").error().code, Errc::usage);
  EXPECT_EQ(parse_ecc("").error().code, Errc::usage);
  EXPECT_EQ(ecc_name(Ecc::M), 'M');
}
