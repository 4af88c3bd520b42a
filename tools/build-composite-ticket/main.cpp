// build-composite-ticket: CompositeIdentityTicket + countersigned member tickets + ticket list
// (SPEC §7, §12).
#include "../common_flags.h"
#include "../trust_flags.h"

int main(int argc, char** argv) {
  CLI::App app;
  onboard::cli::setup(app, "build-composite-ticket",
                      "Sign a CompositeIdentityTicket, countersign its member device tickets, write a ticket list");
  onboard::ops::BuildCompositeTicketRequest req;
  onboard::tools::attach_common_flags(app, req.common, true);
  app.add_option("--composite", req.composite, "Composite description (YAML, templates/composite.yaml)")->required();
  app.add_option("--member", req.members, "Member ticket: signed device/composite ticket or a ticket list; repeatable")
      ->required()
      ->allow_extra_args(false);
  app.add_option("--key", req.key, "CompositeBuilder signer key URI (file:, pkcs11:, tpm2:)")->required();
  app.add_option("--cert", req.cert, "CompositeBuilder signer certificate (PEM)")->required();
  app.add_option("--chain", req.chain, "The signer's issuers, nearest first, up to and including the root (PEM; SPEC §13.2)");
  app.add_option("--alg", req.alg, "JWS alg (default from the key)");
  app.add_option("--tsa", req.tsa, "RFC 3161 TSA URL: time-stamp every new signature (JAdES etsiU sigTst)");
  app.add_option("--authority", req.authorities,
                 "BUNDLE (PEM: CA certificate, then its issuers) of the CA issuing the members' LDevIDs; repeatable")
      ->allow_extra_args(false);
  onboard::tools::attach_trust_flags(app, req.trust);
  app.add_option("--out-dir", req.out_dir, "Output directory (created if missing)")->required();
  return onboard::cli::run(app, argc, argv, [&](onboard::Env& env) {
    req.common.keys.env = &env;  // key warnings (e.g. a pin-value in a URI) go to stderr
    return onboard::ops::build_composite_ticket(req, env);
  });
}
