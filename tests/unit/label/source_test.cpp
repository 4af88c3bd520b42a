#include <gtest/gtest.h>

#include "label_common.h"

using namespace onboard;
using namespace onboard::ops::label_ops;

namespace {
std::string signed_ticket(const std::string& payload) {
  return R"({"payload":")" + base64url_encode(as_bytes(payload)) + R"(","signatures":[{"protected":"e30","signature":"AA"}]})";
}
}  // namespace

TEST(TicketSource, ProductInstanceUriAndTemplateValues) {
  std::vector<std::string> w;
  auto s = source_from_ticket_json(
      signed_ticket(R"({"ManufacturerName":"Acme","ModelName":"X1","SerialNumber":"16273849","ProductInstanceUri":"https://id.example.com/x1/16273849"})"),
      "t.json", w);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->uri, "https://id.example.com/x1/16273849");
  EXPECT_EQ(s->values.at("model_name"), "X1");
  EXPECT_EQ(s->values.at("serial_number"), "16273849");
  EXPECT_EQ(s->values.at("manufacturer_name"), "Acme");
  EXPECT_TRUE(w.empty());
}

TEST(TicketSource, CamelCaseWarnsAndCompositeUriIsAccepted) {
  std::vector<std::string> w;
  auto s = source_from_ticket_json(signed_ticket(R"({"productInstanceUri":"urn:x:1"})"), "t", w);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->uri, "urn:x:1");
  EXPECT_EQ(w.size(), 1u);
  auto c = source_from_ticket_json(signed_ticket(R"({"CompositeInstanceUri":"urn:c:1","Devices":["urn:x:1"]})"), "t", w);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->uri, "urn:c:1");
}

TEST(TicketSource, MalformedInputsAreErrcMalformed) {
  std::vector<std::string> w;
  for (const std::string& bad :
       {std::string("not json"), std::string("[]"), std::string(R"({"payload":"e30"})"),
        std::string(R"({"payload":"e30=","signatures":[]})"), std::string(R"({"payload":"!!","signatures":[]})"),
        signed_ticket("[1]"), signed_ticket(R"({"ModelName":"X1"})")}) {
    auto s = source_from_ticket_json(bad, "t.json", w);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().code, Errc::malformed) << bad;
    EXPECT_EQ(s.error().message.rfind("t.json", 0), 0u) << s.error().message;
  }
}

TEST(Format, FromFlagOrExtension) {
  EXPECT_EQ(*parse_format("", "a/b.PNG"), Format::png);
  EXPECT_EQ(*parse_format("zpl", "-"), Format::zpl);
  EXPECT_EQ(parse_format("", "-").error().code, Errc::usage);
  EXPECT_EQ(parse_format("gif", "x").error().code, Errc::usage);
}

TEST(Lint, Iec61406CharacterSet) {
  EXPECT_TRUE(lint_label_uri("https://id.example.com/x1/16273849").empty());
  EXPECT_EQ(lint_label_uri("https://id.example.com/x1/16%20273").size(), 1u);
  EXPECT_EQ(lint_label_uri("urn:example.com:x1").size(), 1u);
}
