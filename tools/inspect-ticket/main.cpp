// inspect-ticket: what a signed ticket says — payload, headers, signers, certificate windows —
// decoded but NOT verified (SPEC §13.4). verify-ticket decides whether to believe it.
#include "onboard/cli/cli.h"
#include "onboard/ops/inspect.h"

int main(int argc, char** argv) {
  CLI::App app;
  onboard::cli::setup(app, "inspect-ticket", "Show a signed ticket's payload, headers and certificates (NOT verified)");
  onboard::ops::InspectTicketRequest req;
  app.add_option("TICKET", req.ticket, "Signed ticket file; - for stdin")->required();
  app.add_flag("--json", req.json, "One JSON object on stdout");
  app.add_option("--max-size", req.max_size, "Largest ticket document accepted, bytes (default 1 MiB)");
  return onboard::cli::run(app, argc, argv, [&](onboard::Env& env) { return onboard::ops::inspect_ticket(req, env); });
}
