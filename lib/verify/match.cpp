// SPEC §8 device matching (Part 21 §7.1, §7.2): a DeviceIdentity certificate matches a valid
// ticket when a URI SAN is byte-equal to the ProductInstanceUri and it chains to one of the
// ticket's Authorities. Inside a composite only certificates that also carry the composite's
// CompositeInstanceUri count; one without it is a partial match and is rejected.
#include <algorithm>

#include "verify_internal.h"

namespace onboard::verify {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

/// Is the device ticket a member of `composite`? Listed in Devices, or countersigned by its
/// CompositeBuilder (an accepted signature with opc-uri = the CompositeInstanceUri), which also
/// covers members of nested composites (only the outermost URI counts, Part 21 §5.3).
bool is_member(const TicketReport& report, const ticket::Ticket& composite) {
  if (contains(composite.devices, report.ticket->product_instance_uri)) return true;
  return std::any_of(report.signatures.begin(), report.signatures.end(), [&](const SignatureReport& s) {
    return s.accepted && s.opc_uri && *s.opc_uri == composite.composite_instance_uri;
  });
}

struct Authorities {
  std::vector<x509::Certificate> anchors, issuers;
  std::string error;
};

Authorities load_authorities(const ticket::Ticket& t, const ticket::Ticket* composite) {
  Authorities out;
  auto add = [&](const ticket::Ticket& from) {
    for (const auto& ca : from.authorities) {
      auto a = x509::Certificate::parse_der(ca.authority_certificate, "AuthorityCertificate");
      if (!a) {
        out.error = a.error().message;
        continue;
      }
      out.anchors.push_back(std::move(*a));
      for (const auto& der : ca.issuer_certificates)
        if (auto c = x509::Certificate::parse_der(der, "IssuerCertificate")) out.issuers.push_back(std::move(*c));
    }
  };
  add(t);
  if (composite) add(*composite);
  return out;
}

void mismatch(TicketReport& report, std::string why) {
  report.device.detail = why;
  report.valid = false;
  report.code = Errc::mismatch;
  report.reason = "device certificate does not match: " + why;
  report.valid_until.reset();
  report.carried_by.reset();
}

}  // namespace

void match_device(TicketReport& report, const std::vector<DeviceCert>& certs, const ticket::Ticket* composite,
                  UnixTime at) {
  if (certs.empty()) return;
  report.device.requested = true;
  if (!report.valid || !report.ticket) {
    report.device.detail = "not checked: the ticket is not valid";
    return;
  }
  const ticket::Ticket& t = *report.ticket;
  if (t.type != ticket::TicketType::device)
    return mismatch(report, "the ticket is a CompositeIdentityTicket; match devices against their DeviceIdentityTickets");
  const std::string& piu = t.product_instance_uri;
  bool member = composite && is_member(report, *composite);
  if (composite && !member)
    return mismatch(report, piu + " is not a member of composite " + composite->composite_instance_uri);
  if (member) report.device.composite_instance_uri = composite->composite_instance_uri;
  Authorities auth = load_authorities(t, member ? composite : nullptr);
  if (auth.anchors.empty())
    return mismatch(report, "the ticket lists no Authorities to check a device certificate against" +
                                (auth.error.empty() ? "" : " (" + auth.error + ")"));
  std::vector<std::string> notes;
  for (const auto& dc : certs) {
    auto uris = dc.cert.san_uris();
    if (!contains(uris, piu)) {
      notes.push_back(dc.name + ": no URI subjectAltName equal to " + piu);
      continue;
    }
    if (member && !contains(uris, composite->composite_instance_uri)) {
      notes.push_back(dc.name + ": partial match: it carries the ProductInstanceUri but not the CompositeInstanceUri " +
                      composite->composite_instance_uri + " of the composite the device belongs to (Part 21 §7.1)");
      continue;
    }
    auto chain = x509::verify_chain(dc.cert, auth.issuers, auth.anchors, at, true, true);
    if (chain.code != Errc::ok) {
      notes.push_back(dc.name + ": does not chain to the ticket's Authorities (" + chain.reason + ")");
      continue;
    }
    report.device.matched = true;
    report.device.certificate = dc.name;
    report.device.detail = dc.name + " (" + dc.cert.subject() + ") carries " + piu +
                           (member ? " and " + composite->composite_instance_uri : "") + ", issued under Authority " +
                           chain.chain.back().subject();
    return;
  }
  std::string why;
  for (const auto& n : notes) why += (why.empty() ? "" : "; ") + n;
  mismatch(report, why);
}

}  // namespace onboard::verify
