// The audit page (SPEC §13.4): per ticket the verdict, the decoded payload, each signature's
// checks, the certificate timeline, the device match and the ProductInstanceUri's QR code.
// Everything from a ticket is escaped here, at the one place text enters the page.
#include <sstream>

#include "html_parts.h"
#include "onboard/label/label.h"

namespace onboard::report {
namespace {

using std::string;
using verify::Outcome;

string esc(std::string_view s) { return html_escape(s); }

string badge(Outcome o, const string& text = "") {
  const char* cls = o == Outcome::pass ? "ok" : o == Outcome::fail ? "bad" : "skip";
  const char* word = o == Outcome::pass ? "pass" : o == Outcome::fail ? "FAIL" : "not checked";
  return "<span class=\"badge " + string(cls) + "\">" + esc(text.empty() ? word : text) + "</span>";
}

void row(std::ostream& o, const string& name, const string& html_value) {
  o << "<tr><th>" << name << "</th><td>" << html_value << "</td></tr>";
}

void text_row(std::ostream& o, const string& name, const string& value) {
  if (!value.empty()) row(o, name, esc(value));
}

void check_row(std::ostream& o, const char* name, const verify::Check& c, const string& status = "") {
  string label = status.empty() ? "" : status;
  if (!status.empty() && c.outcome == Outcome::pass && status != "good" && status != "not applicable")
    row(o, name, "<span class=\"badge warn\">" + esc(status) + "</span> " + esc(c.detail));
  else
    row(o, name, badge(c.outcome, label) + (c.detail.empty() ? "" : " " + esc(c.detail)));
}

string authority_text(const ticket::CertificateAuthority& a) {
  auto c = x509::Certificate::parse_der(a.authority_certificate, "AuthorityCertificate");
  string s = c ? c->subject() + " (valid " + format_time(c->not_before()).substr(0, 10) + " to " +
                     format_time(c->not_after()).substr(0, 10) + ")"
               : "unreadable certificate: " + c.error().message;
  if (!a.issuer_certificates.empty()) s += " + " + std::to_string(a.issuer_certificates.size()) + " issuer certificate(s)";
  return s;
}

void payload_table(std::ostream& o, const ticket::Ticket& t) {
  o << "<table class=\"payload\">";
  text_row(o, "Type", ticket::type_name(t.type));
  if (t.type == ticket::TicketType::device)
    row(o, "ProductInstanceUri", "<span class=\"mono\">" + esc(t.product_instance_uri) + "</span>");
  else
    row(o, "CompositeInstanceUri", "<span class=\"mono\">" + esc(t.composite_instance_uri) + "</span>");
  text_row(o, "ManufacturerName", t.manufacturer_name);
  text_row(o, "ModelName", t.model_name);
  text_row(o, "ModelVersion", t.model_version);
  text_row(o, "HardwareRevision", t.hardware_revision);
  text_row(o, "SoftwareRevision", t.software_revision);
  text_row(o, "SerialNumber", t.serial_number);
  text_row(o, "ManufactureDate", t.manufacture_date ? format_time(*t.manufacture_date) : "unknown");
  for (std::size_t i = 0; i < t.authorities.size(); ++i)
    text_row(o, i == 0 ? "Authorities" : "", authority_text(t.authorities[i]));
  if (t.authorities.empty()) text_row(o, "Authorities", "none");
  for (std::size_t i = 0; i < t.devices.size(); ++i) text_row(o, i == 0 ? "Devices" : "", t.devices[i]);
  for (std::size_t i = 0; i < t.composites.size(); ++i) text_row(o, i == 0 ? "Composites" : "", t.composites[i]);
  o << "</table>";
}

/// The ProductInstanceUri (or CompositeInstanceUri) as the IEC 61406 symbol print-label makes.
void qr_figure(std::ostream& o, const string& uri) {
  label::LabelOptions opt;
  opt.module_mm = 0.5;
  auto l = label::plan(uri, opt);
  o << "<figure class=\"qr\">";
  if (l)
    o << label::svg_element(*l);
  else
    o << "<p class=\"note\">no QR code: " << esc(l.error().message) << "</p>";
  o << "<figcaption>" << esc(uri) << "</figcaption></figure>";
}

void verdict(std::ostream& o, const verify::TicketReport& r) {
  o << "<div class=\"verdict " << (r.valid ? "valid" : "invalid") << "\"><div class=\"word\">"
    << (r.valid ? "VALID" : "INVALID") << "</div><div>";
  if (r.valid) {
    const auto& c = r.signatures[*r.carried_by];
    o << "<p><b>Valid until " << esc(*r.valid_until >= kNoExpiry ? "no expiry" : format_time(*r.valid_until))
      << "</b>, carried by signature #" << c.index << " (" << esc(c.signer) << ")</p>";
    if (*r.valid_until < kNoExpiry)
      o << "<p class=\"note\">Have a holder who trusts this ticket countersign it (countersign-ticket) before "
        << esc(format_time(*r.valid_until)) << ".</p>";
  } else {
    o << "<p><b>Reason:</b> " << esc(r.reason) << "</p>";
  }
  o << "<p class=\"note\">Exit code " << static_cast<int>(r.code) << " — " << esc(exit_meaning(r.code)) << "</p>";
  o << "</div></div>";
}

void signature_block(std::ostream& o, const verify::SignatureReport& s) {
  o << "<div class=\"sig " << (s.accepted ? "accepted" : "rejected") << "\"><div class=\"sig-head\">Signature #"
    << s.index << " · " << esc(s.alg.empty() ? "?" : s.alg) << " · "
    << (s.accepted ? "<span class=\"badge ok\">ACCEPTED</span>" : "<span class=\"badge bad\">REJECTED</span>")
    << "</div><table>";
  text_row(o, "Signer", s.signer.empty() ? "(unreadable header)" : s.signer);
  text_row(o, "Issuer", s.issuer);
  if (s.opc_uri) row(o, "opc-uri", "<span class=\"mono\">" + esc(*s.opc_uri) + "</span> (CompositeBuilder)");
  text_row(o, "Trusted by", s.trusted_by);
  check_row(o, "Header", s.header);
  check_row(o, "Chain", s.chain);
  check_row(o, "Time", s.time);
  check_row(o, "Revocation", s.revocation, s.revocation_status);
  check_row(o, "Signature", s.signature);
  if (s.accepted)
    row(o, "Result", "<span class=\"badge ok\">accepted</span>" +
                         (s.certificates.empty() ? "" : " chain valid until " + esc(format_time(s.window_end))));
  else
    row(o, "Result", "<span class=\"badge bad\">rejected</span> " + esc(s.reason) + " (exit code " +
                         std::to_string(static_cast<int>(s.code)) + ")");
  for (std::size_t i = 0; i < s.certificates.size(); ++i) {
    const auto& c = s.certificates[i];
    row(o, i == 0 ? "Certificates" : "",
        esc(c.subject) + "<br><span class=\"note\">" + esc(format_time(c.not_before)) + " to " +
            esc(format_time(c.not_after)) + (c.revocation.empty() ? "" : "; revocation " + esc(c.revocation)) +
            "</span>");
  }
  o << "</table></div>";
}

void ticket_section(std::ostream& o, const verify::TicketReport& r, std::size_t n) {
  o << "<section class=\"ticket\" id=\"t" << n << "\"><h2>" << esc(r.name) << "</h2>";
  verdict(o, r);
  if (r.ticket) {
    const auto& t = *r.ticket;
    o << "<h3>Payload</h3><div class=\"top\"><div class=\"payload\">";
    payload_table(o, t);
    o << "</div>";
    qr_figure(o, t.type == ticket::TicketType::device ? t.product_instance_uri : t.composite_instance_uri);
    o << "</div>";
  }
  std::size_t accepted = 0;
  for (const auto& s : r.signatures) accepted += s.accepted;
  o << "<h3>Signatures</h3><p class=\"note\">Evaluated at " << esc(format_time(r.at)) << ", policy "
    << (r.policy == verify::Policy::any ? "any (one accepted signature suffices)" : "all (every signature)") << "; "
    << r.signatures.size() << " signature(s), " << accepted << " accepted.</p>";
  for (const auto& s : r.signatures) signature_block(o, s);
  string timeline = timeline_svg(r);
  if (!timeline.empty())
    o << "<h3>Certificate validity</h3>" << timeline
      << "<div class=\"legend\"><i style=\"background:#3f9a66\"></i>valid at the evaluation time"
         "<i style=\"background:#c8453d\"></i>expired<i style=\"background:#d99a1e\"></i>not yet valid"
         "<i style=\"background:#1f4fb3\"></i>evaluation time<i style=\"background:#1f6b3f\"></i>valid until</div>";
  if (r.device.requested) {
    o << "<h3>Device match</h3><table>";
    row(o, "Result", r.device.matched ? "<span class=\"badge ok\">matched</span>" : "<span class=\"badge bad\">no match</span>");
    text_row(o, "Certificate", r.device.certificate);
    text_row(o, "Detail", r.device.detail);
    if (r.device.composite_instance_uri) text_row(o, "Composite", *r.device.composite_instance_uri);
    o << "</table>";
  }
  if (!r.warnings.empty()) {
    o << "<h3>Warnings</h3><ul class=\"warnings\">";
    for (const auto& w : r.warnings) o << "<li>" << esc(w) << "</li>";
    o << "</ul>";
  }
  o << "</section>";
}

void summary(std::ostream& o, const std::vector<verify::TicketReport>& reports) {
  o << "<table class=\"summary\"><thead><tr><th>#</th><th>Ticket</th><th>Instance URI</th><th>Verdict</th>"
       "<th>Valid until</th></tr></thead><tbody>";
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    string uri = !r.ticket ? "" : r.ticket->type == ticket::TicketType::device ? r.ticket->product_instance_uri
                                                                                 : r.ticket->composite_instance_uri;
    o << "<tr><td>" << i + 1 << "</td><td class=\"mono\">" << esc(r.name) << "</td><td class=\"mono\">" << esc(uri)
      << "</td><td>"
      << (r.valid ? "<span class=\"badge ok\">VALID</span>"
                  : "<span class=\"badge bad\">INVALID</span> exit " + std::to_string(static_cast<int>(r.code)))
      << "</td><td>" << (r.valid_until ? esc(format_time(*r.valid_until)) : "—") << "</td></tr>";
  }
  o << "</tbody></table>";
}

}  // namespace

string html_escape(std::string_view text) {
  string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
          out += "\xEF\xBF\xBD";
        else
          out += ch;
    }
  }
  return out;
}

string exit_meaning(Errc code) {
  switch (code) {
    case Errc::ok: return "success; ticket valid";
    case Errc::verify_failed: return "verification failed (no accepted signature under the policy)";
    case Errc::usage: return "usage error";
    case Errc::malformed: return "malformed input (JSON/JWS/PEM/DER/URI invalid or limits exceeded)";
    case Errc::key: return "key or token error";
    case Errc::file: return "file error (cannot read)";
    case Errc::untrusted: return "untrusted: signatures verify but none chains to a trusted certificate";
    case Errc::expired: return "expired or not yet valid at the evaluation time";
    case Errc::revoked: return "revoked";
    case Errc::mismatch: return "device certificate does not match the ticket";
    case Errc::internal: return "internal error";
    default: return "interrupted";
  }
}

string render_html(const std::vector<verify::TicketReport>& reports, const HtmlOptions& opt) {
  std::size_t valid = 0;
  for (const auto& r : reports) valid += r.valid;
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    << "<title>Ticket audit: " << valid << " of " << reports.size() << " valid</title><style>" << page_css()
    << "</style></head>\n<body><header class=\"doc-head\"><h1>Part 21 ticket audit</h1><div class=\"meta\">"
    << "<span>Generated " << esc(format_time(opt.generated)) << "</span><span>by " << esc(opt.generator)
    << "</span><span><b>" << valid << " of " << reports.size() << "</b> ticket(s) valid</span></div>";
  if (!opt.trust.empty()) {
    o << "<div class=\"meta\">Trust: ";
    for (std::size_t i = 0; i < opt.trust.size(); ++i) o << (i ? "; " : "") << esc(opt.trust[i]);
    o << "</div>";
  }
  o << "</header>\n";
  if (reports.size() > 1) summary(o, reports);
  for (std::size_t i = 0; i < reports.size(); ++i) {
    ticket_section(o, reports[i], i + 1);
    o << "\n";
  }
  o << "<footer>Verification per OPC 10000-21 and the ua-onboard SPEC §8: each signature checked on its own "
       "(header, chain to a trusted certificate, validity at the evaluation time, revocation, signature bytes), "
       "then the policy. This page is a record of that run; it is not itself signed.</footer></body></html>\n";
  return o.str();
}

}  // namespace onboard::report
