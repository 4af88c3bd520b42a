// mint-idevid: IEEE 802.1AR IDevID certificates, one or a manifest's worth (SPEC §3, §10, §12).
#include "../common_flags.h"
#include "../batch_flags.h"
#include "../devid_flags.h"

int main(int argc, char** argv) {
  CLI::App app;
  onboard::cli::setup(app, "mint-idevid", "Issue IDevID certificates whose SAN is the ProductInstanceUri");
  onboard::ops::MintIdevidRequest req;
  onboard::tools::attach_common_flags(app, req.common, true);
  onboard::tools::attach_devid_flags(app, req.dev, "Subject O= (default: the issuing CA's O=)");
  app.add_flag("--hardware-module-name", req.hardware_module_name,
               "Add the otherName hardwareModuleName (hwType TPM 2.0) to the SAN");
  app.add_option("--hw-serial", req.hw_serial, "hwSerialNum of the hardwareModuleName (default: the serial number)");
  onboard::tools::attach_batch_flags(
      app, {req.manifest, req.out_dir, req.results, req.check, req.inline_outputs, req.continue_on_error},
      "ID.pem certificates");
  app.add_option("--device-key-template", req.device_key_template, "Batch: device key URI with {column} placeholders");
  return onboard::cli::run(app, argc, argv, [&](onboard::Env& env) {
    req.common.keys.env = &env;  // key warnings (e.g. a pin-value in a URI) go to stderr
    req.dev.serial_number_given = app.count("--serial-number") > 0;
    return onboard::ops::mint_idevid(req, env);
  });
}
