// publish-crl: the next CRL of a CA, keeping the previous CRL's entries (SPEC §13.6).
#include "../common_flags.h"
#include "onboard/cli/cli.h"
#include "onboard/ops/crl.h"

int main(int argc, char** argv) {
  CLI::App app;
  onboard::cli::setup(app, "publish-crl", "Publish a CA's certificate revocation list (CRL v2)");
  onboard::ops::PublishCrlRequest req;
  onboard::tools::attach_common_flags(app, req.common, true);
  app.add_option("--ca-cert", req.ca_cert, "Certificate of the CA whose CRL this is")->required();
  app.add_option("--ca-key", req.ca_key, "Key URI of the CA (file:, pkcs11:, tpm2:)")->required();
  app.add_option("--crl", req.previous, "The CA's previous CRL: its entries are kept, cRLNumber counts on");
  app.add_option("--revoke", req.revoke, "Certificate to revoke, issued by this CA (repeatable)");
  app.add_option("--revoke-serial", req.revoke_serials, "Serial number to revoke, hex (repeatable)");
  app.add_option("--reason", req.reason,
                 "Reason for this run's revocations: keyCompromise, cACompromise, superseded, cessationOfOperation, "
                 "affiliationChanged or unspecified (default)");
  app.add_option("--days", req.days, "nextUpdate this many days from now (default 7)");
  app.add_option("--next-update", req.next_update, "nextUpdate, RFC 3339");
  app.add_flag("--der", req.der, "Write DER instead of PEM");
  app.add_option("--out", req.out, "Output CRL, - for stdout")->required();
  return onboard::cli::run(app, argc, argv, [&](onboard::Env& env) {
    req.common.keys.env = &env;  // key warnings (e.g. a pin-value in a URI) go to stderr
    return onboard::ops::publish_crl(req, env);
  });
}
