// The audit page (SPEC §13.4) from a hand-made report: verdict, escaping of hostile strings,
// timeline markers, QR code from label's encoder, nothing that loads or runs.
#include <gtest/gtest.h>

#include "html_parts.h"
#include "onboard/report/report.h"

namespace onboard::report {
namespace {

constexpr UnixTime kYear = 365 * 86400;
constexpr UnixTime k2030 = 1893456000;

verify::TicketReport sample(bool valid) {
  verify::TicketReport r;
  r.name = "t<1>.json";
  r.at = k2030;
  r.valid = valid;
  r.code = valid ? Errc::ok : Errc::untrusted;
  r.reason = valid ? "" : "no trusted certificate";
  ticket::Ticket t;
  t.manufacturer_name = "<script>alert(\"x\")</script>";
  t.model_name = "a'b";
  t.product_instance_uri = "urn:acme.example:x1:1";
  r.ticket = t;
  verify::SignatureReport s;
  s.alg = "ES256";
  s.signer = "O=Acme,CN=Signer <b>";
  s.issuer = "O=Acme,CN=CA";
  s.accepted = valid;
  s.certificates = {{"O=Acme,CN=Signer <b>", k2030 - kYear, k2030 + kYear, ""},
                    {"O=Acme,CN=Old CA", k2030 - 5 * kYear, k2030 - kYear, ""}};
  s.window_end = k2030 + kYear;
  r.signatures = {s};
  if (valid) {
    r.carried_by = 0;
    r.valid_until = k2030 + kYear;
  }
  return r;
}

TEST(AuditHtml, EscapesEverythingFromTheTicket) {
  std::string page = render_html({sample(true)}, {"verify-ticket 0", k2030, {}});
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("a&#39;b"), std::string::npos);
  EXPECT_NE(page.find("CN=Signer &lt;b&gt;"), std::string::npos);
  EXPECT_NE(page.find("t&lt;1&gt;.json"), std::string::npos);
  EXPECT_EQ(page.find("<b>\""), std::string::npos);
}

TEST(AuditHtml, SelfContained) {
  std::string page = render_html({sample(true), sample(false)}, {"verify-ticket 0", k2030, {"trust anchor r.pem"}});
  for (const char* bad : {"src=", "href=", "url(", "@import", "<link", "http://", "https://"})
    EXPECT_EQ(page.find(bad), std::string::npos) << bad;
  EXPECT_NE(page.find("@page { size: A4"), std::string::npos);
  EXPECT_NE(page.find(".ticket + .ticket { break-before: page"), std::string::npos);
}

TEST(AuditHtml, VerdictTimelineAndQr) {
  std::string valid = render_html({sample(true)}, {"verify-ticket 0", k2030, {}});
  EXPECT_NE(valid.find(">VALID<"), std::string::npos);
  EXPECT_NE(valid.find("Valid until 2031-01-01T00:00:00Z"), std::string::npos);
  EXPECT_NE(valid.find("class=\"cert current\""), std::string::npos);
  EXPECT_NE(valid.find("class=\"cert expired\""), std::string::npos);
  EXPECT_NE(valid.find("evaluated 2030-01-01"), std::string::npos);
  EXPECT_NE(valid.find("valid until 2031-01-01"), std::string::npos);
  EXPECT_NE(valid.find("<figure class=\"qr\"><svg width="), std::string::npos);
  EXPECT_NE(valid.find("<title>urn:acme.example:x1:1</title>"), std::string::npos);  // label's SVG title
  std::string invalid = render_html({sample(false)}, {"verify-ticket 0", k2030, {}});
  EXPECT_NE(invalid.find(">INVALID<"), std::string::npos);
  EXPECT_NE(invalid.find("Exit code 10 — untrusted"), std::string::npos);
}

TEST(AuditHtml, UnreadableTicketHasNoTimeline) {
  verify::TicketReport r;
  r.name = "missing.json";
  r.code = Errc::file;
  r.reason = "cannot read";
  std::string page = render_html({r}, {"verify-ticket 0", k2030, {}});
  EXPECT_NE(page.find(">INVALID<"), std::string::npos);
  EXPECT_EQ(timeline_svg(r), "");
  EXPECT_EQ(page.find("class=\"timeline\""), std::string::npos);
}

TEST(AuditHtml, EscapeAndNames) {
  EXPECT_EQ(html_escape("a&<>\"'\x1b"), "a&amp;&lt;&gt;&quot;&#39;\xEF\xBF\xBD");
  EXPECT_EQ(common_name("O=Acme,CN=Acme Root"), "Acme Root");
  EXPECT_EQ(common_name("CN=A\\,B,O=X"), "A\\,B");
  EXPECT_EQ(common_name("O=NoCn"), "O=NoCn");
  EXPECT_EQ(exit_meaning(Errc::expired), "expired or not yet valid at the evaluation time");
}

}  // namespace
}  // namespace onboard::report
