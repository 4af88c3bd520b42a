// countersign-ticket: validate a ticket, then append one signature (SPEC §7, §12).
#include "../batch_flags.h"
#include "../common_flags.h"
#include "../trust_flags.h"

int main(int argc, char** argv) {
  CLI::App app;
  onboard::cli::setup(app, "countersign-ticket", "Validate a signed ticket and append a signature, copying the rest byte for byte");
  onboard::ops::CountersignTicketRequest req;
  onboard::tools::attach_common_flags(app, req.common, true);
  app.add_option("TICKET", req.tickets,
                 "Signed ticket file, ticket-list.json or directory of *.json; - for stdin; several need --out-dir");
  app.add_option("--key", req.key, "Signer key URI (file:, pkcs11:, tpm2:)")->required();
  app.add_option("--cert", req.cert, "Signer certificate (PEM)")->required();
  app.add_option("--chain", req.chain, "The signer's issuers, nearest first, up to and including the root (PEM; SPEC §13.2)");
  app.add_option("--alg", req.alg, "JWS alg (default from the key: ES256, ES384, RS256, EdDSA)");
  app.add_option("--composite-instance-uri", req.composite_instance_uri,
                 "CompositeBuilder signature: sets opc-uri to this CompositeInstanceUri");
  onboard::tools::attach_trust_flags(app, req.trust);
  app.add_flag("--insecure-skip-verify", req.insecure_skip_verify,
               "Sign without validating the ticket first (warns; Part 21 forbids it)");
  app.add_option("--out", req.out, "Output ticket (or ticket list) file for one input; - for stdout");
  onboard::tools::attach_batch_flags(
      app, {req.manifest, req.out_dir, req.results, req.check, req.inline_outputs, req.continue_on_error},
      "the countersigned tickets under their input file names (--manifest: ID.ticket.json, rows name "
      "'ticket', optionally 'composite_instance_uri')");
  return onboard::cli::run(app, argc, argv, [&](onboard::Env& env) {
    req.common.keys.env = &env;  // key warnings (e.g. a pin-value in a URI) go to stderr
    return onboard::ops::countersign_ticket(req, env);
  });
}
