// Reports for an operator doing an audit (who signed, when their certificates expire, which
// signature keeps the ticket valid, what to do before which date). JSON: report_json.cpp.
#include <sstream>

#include "verify_internal.h"

namespace onboard::verify {
namespace {

constexpr UnixTime kSoon = 90 * 86400;  // "expires soon" horizon for the action line

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::pass: return "ok";
    case Outcome::fail: return "FAILED";
    case Outcome::skipped: return "not checked";
  }
  return "?";
}

std::string describe_ticket(const ticket::Ticket& t) {
  std::string s = ticket::type_name(t.type) + " " +
                  (t.type == ticket::TicketType::device ? t.product_instance_uri : t.composite_instance_uri);
  std::string who = t.manufacturer_name;
  if (!t.model_name.empty()) who += (who.empty() ? "" : ", ") + std::string("model ") + t.model_name;
  if (!t.serial_number.empty()) who += (who.empty() ? "" : ", ") + std::string("serial ") + t.serial_number;
  if (!who.empty()) s += " (" + who + ")";
  return s;
}

void check_line(std::ostream& o, const char* label, const Check& c, const std::string& status = "") {
  o << "      " << label << std::string(12 - std::string(label).size(), ' ')
    << (status.empty() ? outcome_name(c.outcome) : status) << (c.detail.empty() ? "" : ": " + c.detail) << "\n";
}

void signature_text(std::ostream& o, const SignatureReport& s) {
  o << "  #" << s.index << " " << (s.alg.empty() ? "?" : s.alg) << " by "
    << (s.signer.empty() ? "(unreadable header)" : s.signer) << ": ";
  if (s.accepted)
    o << "ACCEPTED, trusted via " << s.trusted_by << "\n";
  else
    o << "REJECTED (" << s.reason << ")\n";
  if (!s.issuer.empty()) o << "      issuer      " << s.issuer << "\n";
  if (s.opc_uri) o << "      opc-uri     " << *s.opc_uri << " (CompositeBuilder signature)\n";
  check_line(o, "header", s.header);
  check_line(o, "chain", s.chain);
  check_line(o, "time", s.time);
  check_line(o, "revocation", s.revocation, s.revocation_status);
  check_line(o, "signature", s.signature);
  if (s.timestamp.state != TimestampResult::State::none)  // SPEC §13.6
    o << "      time-stamp  " << (s.timestamp.state == TimestampResult::State::failed ? "FAILED: " : "")
      << s.timestamp.detail << "\n";
  for (std::size_t i = 0; i < s.certificates.size(); ++i) {
    const auto& c = s.certificates[i];
    o << "      " << (i == 0 ? "certificates" : "            ") << " " << c.subject << "\n"
      << "                   valid " << format_time(c.not_before) << " to " << format_time(c.not_after)
      << (c.revocation.empty() ? "" : "; revocation " + c.revocation) << "\n";
  }
}

void actions_text(std::ostream& o, const TicketReport& r) {
  if (!r.valid) return;
  const SignatureReport& carrier = r.signatures[*r.carried_by];
  o << "  valid until " << format_time(*r.valid_until) << ": "
    << (r.policy == Policy::any ? "carried by signature #" : "policy all, limited by signature #") << carrier.index
    << " (" << carrier.signer << ")\n";
  if (*r.valid_until < kNoExpiry) {
    bool soon = *r.valid_until - r.at < kSoon;
    o << "  action: " << (soon ? "SOON — " : "")
      << "have a holder who trusts this ticket validate and countersign it (countersign-ticket) with a certificate "
         "valid beyond "
      << format_time(*r.valid_until) << ", before that date\n";
  }
  for (const auto& s : r.signatures)
    if (s.accepted && s.revocation_status == "unknown")
      o << "  action: revocation of signature #" << s.index
        << "'s chain was not checked; give the issuers' CRLs with --crl to check it\n";
}

}  // namespace

std::string render_text(const TicketReport& r) {
  std::ostringstream o;
  o << r.name << ": " << (r.valid ? "VALID" : "NOT VALID (exit " + std::to_string(static_cast<int>(r.code)) + ")");
  if (r.ticket) o << " — " << describe_ticket(*r.ticket);
  o << "\n";
  std::size_t accepted = 0;
  for (const auto& s : r.signatures) accepted += s.accepted;
  o << "  evaluated at " << format_time(r.at) << ", policy " << (r.policy == Policy::any ? "any" : "all") << ", "
    << r.signatures.size() << " signature(s), " << accepted << " accepted\n";
  if (!r.valid) o << "  reason: " << r.reason << "\n";
  for (const auto& s : r.signatures) signature_text(o, s);
  actions_text(o, r);
  if (r.device.requested)
    o << "  device: " << (r.device.matched ? "matched by " : "no match: ") << r.device.detail << "\n";
  for (const auto& w : r.warnings) o << "  warning: " << w << "\n";
  return o.str();
}

}  // namespace onboard::verify
