// issue-ldevid: LDevID certificates, optionally for a composite member (SPEC §3, §12).
#include "../common_flags.h"
#include "../batch_flags.h"
#include "../devid_flags.h"

int main(int argc, char** argv) {
  CLI::App app;
  onboard::cli::setup(app, "issue-ldevid", "Issue an LDevID certificate (same key as the IDevID allowed)");
  onboard::ops::IssueLdevidRequest req;
  onboard::tools::attach_common_flags(app, req.common, true);
  onboard::tools::attach_devid_flags(
      app, req.dev, "Subject O= (no default; with none of --subject/--serial-number/--model/--manufacturer the subject is copied from --from-idevid or --csr)");
  app.add_option("--composite-instance-uri", req.composite_instance_uri,
                 "Outermost CompositeInstanceUri: the SAN carries both URIs");
  app.add_option("--from-idevid", req.from_idevid, "Take the public key (and subject) from this IDevID certificate");
  app.add_option("--subject", req.subject, "Subject, e.g. \"/O=Org/CN=Model/serialNumber=123\"");
  onboard::tools::attach_batch_flags(
      app, {req.manifest, req.out_dir, req.results, req.check, req.inline_outputs, req.continue_on_error},
      "ID.pem certificates");
  app.add_option("--device-key-template", req.device_key_template,
                 "Batch: device key URI with {column} placeholders (rows without from_idevid/csr)");
  return onboard::cli::run(app, argc, argv, [&](onboard::Env& env) {
    req.common.keys.env = &env;  // key warnings (e.g. a pin-value in a URI) go to stderr
    return onboard::ops::issue_ldevid(req, env);
  });
}
