// create-authority: a root CA, an issuing CA or a ticket signer (SPEC §3, §12).
#include "../common_flags.h"
#include "onboard/cli/cli.h"
#include "onboard/ops/ops.h"

int main(int argc, char** argv) {
  CLI::App app;
  onboard::cli::setup(app, "create-authority", "Create a root CA, issuing CA or ticket-signer certificate");
  onboard::ops::CreateAuthorityRequest req;
  onboard::tools::attach_common_flags(app, req.common, true);
  app.add_option("--profile", req.profile, "root-ca, issuing-ca, ticket-signer or tsa (RFC 3161 time-stamping unit)")->required();
  app.add_option("--subject", req.subject, "Subject, e.g. \"/O=Org/CN=Name\"")->required();
  app.add_option("--key", req.key, "Key URI of the new authority (file:, pkcs11:, tpm2:)")->required();
  app.add_flag("--new-key", req.new_key, "Create the key where --key points");
  app.add_option("--key-type", req.key_type, "Type of a new key: p256, p384, rsa2048, rsa3072, rsa4096, ed25519");
  // SPEC §13.5: --ca-cert/--ca-key as in every issuing tool; §12's --issuer-cert/--issuer-key stay as aliases.
  app.add_option("--ca-cert,--issuer-cert", req.issuer_cert, "Issuing CA certificate (PEM; not for root-ca)");
  app.add_option("--ca-key,--issuer-key", req.issuer_key, "Issuing CA key URI (file:, pkcs11:, tpm2:)");
  app.add_option("--days", req.days, "Validity in days (default: root 25 y, issuing 15 y, signer 5 y)");
  app.add_option("--not-after", req.not_after, "Expiry, RFC 3339");
  app.add_option("--crl-url", req.crl_urls, "CRL distribution point URL (repeatable)");
  app.add_option("--ocsp-url", req.ocsp_urls, "OCSP responder URL for authorityInfoAccess (repeatable)");
  app.add_flag("--no-revocation-info", req.no_revocation_info,
               "Issue an issuing-ca or ticket-signer without --crl-url/--ocsp-url (warns; Part 21 6.1 asks for one)");
  app.add_option("--out", req.out, "Output certificate (PEM), - for stdout")->required();
  return onboard::cli::run(app, argc, argv, [&](onboard::Env& env) {
    req.common.keys.env = &env;  // key warnings (e.g. a pin-value in a URI) go to stderr
    return onboard::ops::create_authority(req, env);
  });
}
