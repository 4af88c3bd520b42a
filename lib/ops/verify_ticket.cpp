// verify-ticket: SPEC §8 over one or many tickets with one trust configuration (one Verifier,
// so chains shared by the tickets are checked once). Inputs: files, `-`, directories, ticket
// lists (SPEC §13.4, onboard/ticket/inputs.h).
#include <ostream>

#include "onboard/ticket/inputs.h"
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

/// --quiet (SPEC §13.4): `PATH: VALID until T` / `PATH: INVALID (reason)`.
std::string quiet_line(const verify::TicketReport& r) {
  if (!r.valid) return r.name + ": INVALID (" + r.reason + ")\n";
  return r.name + ": VALID" + (r.valid_until ? " until " + format_time(*r.valid_until) : "") + "\n";
}

}  // namespace

// Output: the reports on stdout; with --quiet or more than one ticket, the summary line
// `N valid, N invalid of N tickets` after them on stderr (so 2>&1 gives tickets + 1 lines).
Status verify_ticket(const VerifyTicketRequest& req, Env& env) {
  auto in = parse_inputs(req, env);
  if (!in) return fail(std::move(in.error()));
  if (req.quiet && req.common.json) return fail(Errc::usage, "--quiet and --json: choose one");
  auto tickets = ticket::expand_ticket_inputs(req.tickets);  // files, `-`, directories, lists
  if (!tickets) return fail(std::move(tickets.error()));
  verify::Verifier verifier(in->options);
  if (!req.composite_ticket.empty())
    if (auto ok = load_composite(req.composite_ticket, verifier, *in); !ok) return ok;
  std::vector<Errc> codes;
  std::optional<Error> first;
  for (const auto& t : *tickets) {
    verify::TicketReport report = verifier.verify(t.path, t.bytes);
    verify::match_device(report, in->devices, in->composite ? &*in->composite : nullptr, in->options.at);
    *env.out << (req.common.json ? verify::render_json(report) + "\n"
                 : req.quiet     ? quiet_line(report)
                                 : verify::render_text(report));
    if (report.valid) continue;
    codes.push_back(report.code);
    if (!first) first = invalid_ticket_error(report);
  }
  env.out->flush();
  const std::size_t n = tickets->size();
  if (env.err && (req.quiet || n > 1))
    *env.err << n - codes.size() << " valid, " << codes.size() << " invalid of " << n << " tickets\n";
  if (codes.empty()) return {};
  if (n == 1) return fail(std::move(*first));
  return fail(verify::combine_codes(codes),
              std::to_string(codes.size()) + " of " + std::to_string(n) + " tickets are not valid; first: " + first->message);
}

}  // namespace onboard::ops
