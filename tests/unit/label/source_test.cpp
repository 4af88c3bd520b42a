#include <gtest/gtest.h>

#include "onboard/label/source.h"

using namespace onboard;
using namespace onboard::label;

namespace {
// A signed ticket's shape; print-label does not check the signature bytes (it says so).
std::string signed_ticket(const std::string& payload) {
  return R"({"payload":")" + base64url_encode(as_bytes(payload)) +
         R"(","signatures":[{"protected":"eyJhbGciOiJFUzI1NiJ9","signature":"AA"}]})";
}
bool has(const std::vector<std::string>& warnings, const std::string& text) {
  for (const auto& w : warnings)
    if (w.find(text) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST(TicketSource, ProductInstanceUriAndTemplateValues) {
  std::vector<std::string> w;
  auto s = source_from_ticket(
      signed_ticket(R"({"ManufacturerName":"Acme","ModelName":"X1","SerialNumber":"16273849",)"
                    R"("ManufactureDate":"2024-05-01T00:00:00Z","ProductInstanceUri":"https://id.example.com/x1/16273849"})"),
      "t.json", w);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->uri, "https://id.example.com/x1/16273849");
  EXPECT_EQ(s->values.at("product_instance_uri"), s->uri);
  EXPECT_EQ(s->values.at("model_name"), "X1");
  EXPECT_EQ(s->values.at("serial_number"), "16273849");
  EXPECT_EQ(s->values.at("manufacturer_name"), "Acme");
  EXPECT_EQ(s->values.at("manufacture_date"), "2024-05-01T00:00:00Z");
  EXPECT_EQ(s->values.count("model_version"), 0u);  // absent fields stay absent: {model_version} is an error
  EXPECT_TRUE(w.empty());
}

TEST(TicketSource, CamelCaseWarnsAndCompositeUriIsAccepted) {
  std::vector<std::string> w;
  auto s = source_from_ticket(signed_ticket(R"({"ManufacturerName":"A","productInstanceUri":"urn:x:1"})"), "t", w);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->uri, "urn:x:1");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].rfind("t: ", 0), 0u) << w[0];
  EXPECT_TRUE(has(w, "camelCase"));
  auto c = source_from_ticket(signed_ticket(R"({"ManufacturerName":"A","CompositeInstanceUri":"urn:c:1","Devices":["urn:x:1"]})"),
                              "t", w);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->uri, "urn:c:1");
  EXPECT_EQ(c->values.at("product_instance_uri"), "urn:c:1");  // templates name the label's URI one way
}

// The strict readers: what the lax reader let through is refused now.
TEST(TicketSource, MalformedInputsAreErrcMalformed) {
  std::vector<std::string> w;
  for (const std::string& bad :
       {std::string("not json"), std::string("[]"), std::string(R"({"payload":"e30"})"),
        std::string(R"({"payload":"e30=","signatures":[]})"), std::string(R"({"payload":"!!","signatures":[]})"),
        signed_ticket("[1]"), signed_ticket(R"({"ModelName":"X1"})"),
        // duplicate members: a lax reader keeps the last one, the strict one refuses
        signed_ticket(R"({"ManufacturerName":"A","ProductInstanceUri":"urn:a:1","ProductInstanceUri":"urn:b:2"})"),
        std::string(R"({"payload":"e30","payload":"e30","signatures":[{"protected":"e30","signature":"AA"}]})"),
        // both URIs, and a wrong type
        signed_ticket(R"({"ProductInstanceUri":"urn:a:1","CompositeInstanceUri":"urn:c:1"})"),
        signed_ticket(R"({"ProductInstanceUri":7})")}) {
    auto s = source_from_ticket(bad, "t.json", w);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().code, Errc::malformed) << bad;
    EXPECT_EQ(s.error().message.rfind("t.json: ", 0), 0u) << s.error().message;
  }
}

TEST(UriSource, TemplateValue) {
  auto s = source_from_uri("urn:x:1");
  EXPECT_EQ(s.uri, "urn:x:1");
  EXPECT_EQ(s.values, (TemplateValues{{"product_instance_uri", "urn:x:1"}}));
}

TEST(CertificateSource, UnreadableFile) {
  std::vector<std::string> w;
  auto s = source_from_certificate("/nonexistent/dev.pem", "", w);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::file);
  EXPECT_EQ(s.error().message.rfind("--device-cert: ", 0), 0u) << s.error().message;
}

TEST(Format, FromFlagOrExtension) {
  EXPECT_EQ(*parse_format("", "a/b.PNG"), Format::png);
  EXPECT_EQ(*parse_format("zpl", "-"), Format::zpl);
  EXPECT_EQ(parse_format("", "-").error().code, Errc::usage);
  EXPECT_EQ(parse_format("", "dir.d/out").error().code, Errc::usage);
  EXPECT_EQ(parse_format("gif", "x").error().code, Errc::usage);
  for (Format f : {Format::png, Format::svg, Format::pdf, Format::zpl}) EXPECT_EQ(*parse_format(extension(f), ""), f);
}

TEST(Lint, Iec61406CharacterSet) {
  EXPECT_TRUE(lint_uri("https://id.example.com/x1/16273849").empty());
  EXPECT_EQ(lint_uri("https://id.example.com/x1/16%20273").size(), 1u);
  EXPECT_EQ(lint_uri("urn:example.com:x1").size(), 1u);
}

TEST(RenderChecked, EveryFormatReadsBack) {
  LabelOptions opt;
  opt.text = {"X1 SN 1"};
  for (Format f : {Format::png, Format::svg, Format::pdf, Format::zpl}) {
    auto r = render_checked("https://id.example.com/x1/1", opt, f, nullptr);
    ASSERT_TRUE(r) << extension(f) << ": " << r.error().message;
    EXPECT_FALSE(r->bytes.empty());
    EXPECT_EQ(r->label.content, "https://id.example.com/x1/1");
    EXPECT_TRUE(verify_label(r->label, f, r->bytes)) << extension(f);
  }
}

TEST(RenderChecked, ABrokenFileDoesNotReadBack) {
  auto r = render_checked("urn:x:1", {}, Format::png, nullptr);
  ASSERT_TRUE(r);
  auto other = render_checked("urn:x:2", {}, Format::png, nullptr);
  ASSERT_TRUE(other);
  auto wrong = verify_label(r->label, Format::png, other->bytes);  // the bytes of another label
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::mismatch);
  EXPECT_FALSE(verify_label(r->label, Format::png, "not a png"));
}

// A Format value outside the four (a caller's cast) is an internal error, never an empty label.
TEST(RenderChecked, UnknownFormatIsAnErrorNotAnEmptyLabel) {
  auto r = render_checked("urn:x:1", {}, static_cast<Format>(7), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::internal);
  EXPECT_NE(r.error().message.find("no renderer"), std::string::npos) << r.error().message;
}
