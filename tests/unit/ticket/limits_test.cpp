// Ticket decoding limits (SECURITY.md): counts are bounded, not only bytes.
#include <gtest/gtest.h>

#include "pki.h"
#include "onboard/jws/jws.h"
#include "onboard/ticket/ticket.h"

using namespace onboard;

namespace {
std::string list_of(std::size_t n, const std::string& item) {
  std::string a = "[";
  for (std::size_t i = 0; i < n; ++i) a += (i ? "," : "") + item;
  return a + "]";
}
std::string error_of(const std::string& json) {
  auto t = ticket::decode_json_any(as_bytes(json), {});
  return t ? "" : t.error().message;
}
}  // namespace

TEST(TicketLimits, DevicesAndComposites) {
  std::string head = R"({"ManufacturerName":"B","CompositeInstanceUri":"urn:c:1","Devices":)";
  EXPECT_EQ(error_of(head + list_of(ticket::kMaxMembers, "\"urn:d\"") + "}"), "");
  EXPECT_NE(error_of(head + list_of(ticket::kMaxMembers + 1, "\"urn:d\"") + "}").find("limit of 10000"), std::string::npos);
}

TEST(TicketLimits, AuthoritiesAndIssuerCertificates) {
  std::string head = R"({"ManufacturerName":"A","ProductInstanceUri":"urn:d:1","Authorities":)";
  std::string cert = "\"" + base64_encode(onboard::testing::TestPki::get().root().der()) + "\"";
  // IssuerCertificates: the count is checked before any certificate is decoded.
  std::string issuers = R"([{"IssuerCertificates":)" + list_of(9, "\"AA==\"") + R"(,"AuthorityCertificate":)" + cert + "}]";
  EXPECT_NE(error_of(head + issuers + "}").find("more than 8 certificates"), std::string::npos) << error_of(head + issuers + "}");
  std::string eight = R"([{"IssuerCertificates":)" + list_of(8, cert) + R"(,"AuthorityCertificate":)" + cert + "}]";
  EXPECT_EQ(error_of(head + eight + "}"), "");
  std::string authority = R"({"AuthorityCertificate":)" + cert + "}";
  EXPECT_EQ(error_of(head + list_of(ticket::kMaxAuthorities, authority) + "}"), "");
  EXPECT_NE(error_of(head + list_of(ticket::kMaxAuthorities + 1, authority) + "}").find("more than 64 Authorities"),
            std::string::npos);
}

TEST(TicketLimits, TicketList) {
  std::string ok = R"({"Devices":)" + list_of(ticket::kMaxTicketListEntries, "\"x\"") + "}";
  EXPECT_TRUE(ticket::decode_ticket_list(ok));
  std::string too_many = R"({"Devices":)" + list_of(ticket::kMaxTicketListEntries + 1, "\"x\"") + "}";
  auto r = ticket::decode_ticket_list(too_many);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("limit"), std::string::npos);
}

TEST(TicketLimits, YamlAuthorities) {
  std::string yaml = "manufacturer_name: A\nproduct_instance_uri: urn:d:1\nauthorities:\n";
  for (std::size_t i = 0; i <= ticket::kMaxAuthorities; ++i) yaml += "  - /nonexistent/bundle.pem\n";
  auto t = ticket::parse_yaml(yaml, "t.yaml", ticket::TicketType::device);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("more than 64 entries"), std::string::npos) << t.error().message;
}

TEST(TicketLimits, YamlNestingDoesNotCrash) {
  // yaml-cpp recurses per nesting level; a deep document must be an error, not a stack overflow.
  for (const char* open : {"[", "{a: "}) {
    std::string yaml = "manufacturer_name: ";
    for (int i = 0; i < 5000; ++i) yaml += open;
    auto t = ticket::parse_yaml(yaml, "t.yaml", ticket::TicketType::device);
    EXPECT_FALSE(t);
  }
}
