// Reports for an operator doing an audit (who signed, when their certificates expire, which
// signature keeps the ticket valid, what to do before which date) and the same as JSON.
#include <nlohmann/json.hpp>

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

nlohmann::ordered_json check_json(const Check& c) {
  return {{"result", c.outcome == Outcome::pass ? "pass" : c.outcome == Outcome::fail ? "fail" : "skipped"},
          {"detail", c.detail}};
}

nlohmann::ordered_json signature_json(const SignatureReport& s) {
  nlohmann::ordered_json j;
  j["index"] = s.index;
  j["alg"] = s.alg;
  j["signer"] = s.signer;
  j["issuer"] = s.issuer;
  j["opc_uri"] = s.opc_uri ? nlohmann::ordered_json(*s.opc_uri) : nlohmann::ordered_json(nullptr);
  j["accepted"] = s.accepted;
  j["code"] = static_cast<int>(s.code);
  j["reason"] = s.reason;
  j["trusted_by"] = s.trusted_by;
  j["header"] = check_json(s.header);
  j["chain"] = check_json(s.chain);
  j["time"] = check_json(s.time);
  j["revocation"] = check_json(s.revocation);
  j["revocation"]["status"] = s.revocation_status;
  j["signature"] = check_json(s.signature);
  auto certs = nlohmann::ordered_json::array();
  for (const auto& c : s.certificates)
    certs.push_back({{"subject", c.subject}, {"not_before", format_time(c.not_before)},
                     {"not_after", format_time(c.not_after)}, {"revocation", c.revocation}});
  j["certificates"] = certs;
  if (!s.certificates.empty()) j["valid_until"] = format_time(s.window_end);
  return j;
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

std::string render_json(const TicketReport& r) {
  nlohmann::ordered_json j;
  j["ticket"] = r.name;
  j["valid"] = r.valid;
  j["code"] = static_cast<int>(r.code);
  j["reason"] = r.reason;
  j["at"] = format_time(r.at);
  j["policy"] = r.policy == Policy::any ? "any" : "all";
  if (r.ticket) {
    j["type"] = ticket::type_name(r.ticket->type);
    if (r.ticket->type == ticket::TicketType::device)
      j["product_instance_uri"] = r.ticket->product_instance_uri;
    else
      j["composite_instance_uri"] = r.ticket->composite_instance_uri;
    j["manufacturer_name"] = r.ticket->manufacturer_name;
  }
  j["valid_until"] = r.valid_until ? nlohmann::ordered_json(format_time(*r.valid_until)) : nlohmann::ordered_json(nullptr);
  j["carried_by"] = r.carried_by ? nlohmann::ordered_json(*r.carried_by) : nlohmann::ordered_json(nullptr);
  auto sigs = nlohmann::ordered_json::array();
  for (const auto& s : r.signatures) sigs.push_back(signature_json(s));
  j["signatures"] = sigs;
  if (r.device.requested) {
    j["device"] = {{"matched", r.device.matched}, {"certificate", r.device.certificate}, {"detail", r.device.detail}};
    if (r.device.composite_instance_uri) j["device"]["composite_instance_uri"] = *r.device.composite_instance_uri;
  }
  j["warnings"] = r.warnings;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace onboard::verify
