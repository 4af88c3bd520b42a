// verify-ticket: SPEC §8 over one or many tickets with one trust configuration (one Verifier,
// so chains shared by the tickets are checked once).
#include <ostream>

#include "onboard/report/report.h"
#include "verify_common.h"

namespace onboard::ops {
namespace {

struct Inputs {
  verify::Options options;
  std::vector<verify::DeviceCert> devices;
  std::optional<ticket::Ticket> composite;
};

Expected<Inputs> parse_inputs(const VerifyTicketRequest& req, const Env& env) {
  if (req.tickets.empty()) return fail(Errc::usage, "give at least one TICKET file (- for stdin)");
  int stdin_count = 0;
  for (const auto& t : req.tickets) stdin_count += t == "-";
  if (stdin_count > 1) return fail(Errc::usage, "stdin (-) can be given only once");
  auto options = load_trust(req.trust, env);
  if (!options) return fail(std::move(options.error()));
  auto policy = verify::parse_policy(req.policy);
  if (!policy) return fail(std::move(policy.error()));
  options->policy = *policy;
  Inputs in{std::move(*options), {}, std::nullopt};
  for (const auto& p : req.require_signers) {
    auto c = x509::Certificate::load(p);
    if (!c) return fail(std::move(c.error()).context("--require-signer"));
    in.options.required_signers.push_back(std::move(*c));
  }
  for (const auto& p : req.device_certs) {
    auto c = x509::Certificate::load(p);
    if (!c) return fail(std::move(c.error()).context("--device-cert"));
    in.devices.push_back({p, std::move(*c)});
  }
  if (!req.html.empty())  // SPEC §11: refuse before any work when the page could not be written
    if (auto ok = check_writable(req.html, req.common.force); !ok) return fail(std::move(ok.error()).context("--html"));
  if (!req.composite_ticket.empty() && req.device_certs.empty())
    return fail(Errc::usage, "--composite-ticket is used for device matching: give --device-cert too");
  return in;
}

/// The composite ticket must itself be valid under the same trust before it decides anything.
Status load_composite(const std::string& path, const verify::Verifier& verifier, Inputs& in) {
  auto text = read_file(path, in.options.limits.max_document);
  if (!text) return fail(std::move(text.error()).context("--composite-ticket"));
  auto report = verifier.verify(path, *text);
  if (!report.valid) return fail(std::move(invalid_ticket_error(report)).context("--composite-ticket"));
  if (report.ticket->type != ticket::TicketType::composite)
    return fail(Errc::usage, "--composite-ticket " + path + " is not a CompositeIdentityTicket");
  in.composite = std::move(report.ticket);
  return {};
}

verify::TicketReport unreadable(const std::string& name, const Error& e, const verify::Options& o) {
  verify::TicketReport r;
  r.name = name;
  r.at = o.at;
  r.policy = o.policy;
  r.code = e.code;
  r.reason = e.message;
  return r;
}

Status write_audit_page(const VerifyTicketRequest& req, const std::vector<verify::TicketReport>& reports, Env& env) {
  report::HtmlOptions opt{env.tool + " " ONBOARD_VERSION, env.now(), {}};
  for (const auto& p : req.trust.ticket_authorities) opt.trust.push_back("ticket authority " + p);
  for (const auto& p : req.trust.trust_anchors) opt.trust.push_back("trust anchor " + p);
  for (const auto& p : req.trust.crls) opt.trust.push_back("CRL " + p);
  opt.trust.push_back("source " + req.trust.source);
  auto ok = write_file_atomic(req.html, report::render_html(reports, opt), {req.common.force, 0644});
  return ok ? ok : fail(std::move(ok.error()).context("--html"));
}

}  // namespace

Status verify_ticket(const VerifyTicketRequest& req, Env& env) {
  auto in = parse_inputs(req, env);
  if (!in) return fail(std::move(in.error()));
  verify::Verifier verifier(in->options);
  if (!req.composite_ticket.empty())
    if (auto ok = load_composite(req.composite_ticket, verifier, *in); !ok) return ok;
  std::vector<Errc> codes;
  std::optional<Error> first;
  std::vector<verify::TicketReport> audit;  // --html: the page is made from the same reports
  for (const auto& path : req.tickets) {
    auto text = read_file(path, in->options.limits.max_document);
    verify::TicketReport report = text ? verifier.verify(path, *text) : unreadable(path, text.error(), in->options);
    verify::match_device(report, in->devices, in->composite ? &*in->composite : nullptr, in->options.at);
    if (req.html != "-")
      *env.out << (req.common.json ? verify::render_json(report) + "\n" : verify::render_text(report));
    if (!report.valid) {
      codes.push_back(report.code);
      if (!first) first = invalid_ticket_error(report);
    }
    if (!req.html.empty()) audit.push_back(std::move(report));
  }
  env.out->flush();
  if (!req.html.empty())
    if (auto ok = write_audit_page(req, audit, env); !ok) return ok;
  if (codes.empty()) return {};
  if (req.tickets.size() == 1) return fail(std::move(*first));
  return fail(verify::combine_codes(codes), std::to_string(codes.size()) + " of " + std::to_string(req.tickets.size()) +
                                                " tickets are not valid; first: " + first->message);
}

}  // namespace onboard::ops
