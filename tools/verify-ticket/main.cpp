// verify-ticket: is this ticket genuine, who vouches for it, until when, does it match this
// device (SPEC §8, §12).
#include "../common_flags.h"
#include "../trust_flags.h"

int main(int argc, char** argv) {
  CLI::App app;
  onboard::cli::setup(app, "verify-ticket", "Verify signed Part 21 tickets: signatures, trust, validity, device match");
  onboard::ops::VerifyTicketRequest req;
  onboard::tools::attach_report_flags(app, req.common);  // opens no key
  onboard::cli::add_force_flag(app, req.common.force);   // replaces an existing --html page
  app.add_option("TICKET", req.tickets, "Signed ticket files, ticket-list.json files, directories of *.json; - for stdin")
      ->required();
  app.add_flag("--quiet", req.quiet, "One line per ticket (PATH: VALID until T / PATH: INVALID (reason)) and the summary");
  onboard::tools::attach_trust_flags(app, req.trust);
  app.add_option("--at", req.trust.at, "Evaluation time, RFC 3339 (default now)");
  app.add_option("--policy", req.policy, "any: one accepted signature suffices (Part 21); all: every signature")
      ->check(CLI::IsMember({"any", "all"}));
  app.add_option("--require-signer", req.require_signers, "This signer certificate must have an accepted signature; repeatable")
      ->allow_extra_args(false);
  app.add_option("--source", req.trust.source, "How the ticket arrived: out-of-band or device (device: no trust anchors)")
      ->check(CLI::IsMember({"out-of-band", "device"}));
  app.add_option("--device-cert", req.device_certs, "DeviceIdentity certificate to match against the ticket; repeatable")
      ->allow_extra_args(false);
  app.add_option("--composite-ticket", req.composite_ticket,
                 "CompositeIdentityTicket the device belongs to: only certificates with both URIs match");
  app.add_option("--html", req.html, "Also write the audit page (self-contained HTML) to FILE; - for stdout");
  return onboard::cli::run(app, argc, argv, [&](onboard::Env& env) {
    return onboard::ops::verify_ticket(req, env);
  });
}
