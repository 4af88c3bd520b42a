// sign-ticket: signed Part 21 DeviceIdentityTickets from YAML, one or a manifest's worth
// (SPEC §5, §6, §10, §12).
#include "../batch_flags.h"
#include "../common_flags.h"
#include "onboard/cli/cli.h"
#include "onboard/ops/ticket.h"

int main(int argc, char** argv) {
  CLI::App app;
  onboard::cli::setup(app, "sign-ticket", "Sign a Part 21 DeviceIdentityTicket (JWS general serialization) from YAML");
  onboard::ops::SignTicketRequest req;
  onboard::tools::attach_common_flags(app, req.common, true);
  app.add_option("--ticket", req.ticket, "Ticket description (YAML; see templates/device-ticket.yaml)");
  app.add_option("--key", req.signer.key, "Signer key URI (file:PATH, pkcs11:..., tpm2:...)")->required();
  app.add_option("--cert", req.signer.cert, "Signer certificate: end entity with digitalSignature (PEM)")->required();
  app.add_option("--chain", req.signer.chain, "The signer certificate's issuers, nearest first, up to and including the root (PEM); x5c = cert + chain");
  app.add_option("--alg", req.signer.alg, "ES256, ES384, RS256, PS256 or EdDSA (default: from the key; RS256 for RSA)");
  app.add_option("--tsa", req.signer.tsa, "RFC 3161 TSA URL: time-stamp the signature (JAdES etsiU sigTst)");
  app.add_option("--authority", req.authorities,
                 "BUNDLE (PEM: CA of the device certificates, then its issuers); repeatable; replaces the YAML's "
                 "authorities")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--out", req.out, "Output ticket (compact JSON), - for stdout");
  app.add_option("--ticket-template", req.ticket_template, "Batch: ticket YAML with {column} placeholders");
  onboard::tools::attach_batch_flags(
      app, {req.manifest, req.out_dir, req.results, req.check, req.inline_outputs, req.continue_on_error},
      "ID.ticket.json files");
  return onboard::cli::run(app, argc, argv, [&](onboard::Env& env) {
    req.common.keys.env = &env;  // key warnings (e.g. a pin-value in a URI) go to stderr
    return onboard::ops::sign_ticket(req, env);
  });
}
