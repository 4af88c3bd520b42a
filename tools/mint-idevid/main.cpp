// mint-idevid: IEEE 802.1AR IDevID certificates, one or a manifest's worth (SPEC §3, §10, §12),
// TPM-attested with --attest (SPEC §13.7); --tcg-csr is the CA side of a TCG-CSR-IDEVID.
#include "../common_flags.h"
#include "../batch_flags.h"
#include "../devid_flags.h"

int main(int argc, char** argv) {
  CLI::App app;
  onboard::cli::setup(app, "mint-idevid", "Issue IDevID certificates whose SAN is the ProductInstanceUri");
  onboard::ops::MintIdevidRequest req;
  auto& at = req.attest;
  onboard::tools::attach_common_flags(app, req.common, true);
  onboard::tools::attach_devid_flags(app, req.dev, "Subject O= (default: the issuing CA's O=)", false);
  app.add_flag("--hardware-module-name", req.hardware_module_name,
               "Add the otherName hardwareModuleName (hwType TPM 2.0) to the SAN");
  app.add_option("--hw-serial", req.hw_serial, "hwSerialNum of the hardwareModuleName (default: the serial number)");
  app.add_flag("--attest", at.attest, "Prove the keys live in the TPM owning a genuine EK before minting (TCG IAK/IDevID)");
  app.add_option("--ek-ca", at.ek_ca, "EK certificate anchors and intermediates (PEM); repeatable");
  app.add_option("--iak-handle", at.iak_handle, "Persistent handle of the IAK, e.g. 0x81020001");
  app.add_option("--iak-out", at.iak_out, "Also write the IAK certificate (PEM), issued by the same CA");
  app.add_option("--tcg-csr-out", at.tcg_csr_out, "Also write the TCG-CSR-IDEVID (binary) for a CA elsewhere");
  app.add_option("--tcg-csr", at.tcg_csr, "CA side: verify this TCG-CSR-IDEVID (with --out: mint from it)");
  app.add_flag("--insecure-skip-activation", at.insecure_skip_activation,
               "Mint from --tcg-csr without proving the IAK is in the EK's TPM (warns)");
  onboard::tools::attach_batch_flags(
      app, {req.manifest, req.out_dir, req.results, req.check, req.inline_outputs, req.continue_on_error},
      "ID.pem certificates");
  app.add_option("--device-key-template", req.device_key_template, "Batch: device key URI with {column} placeholders");
  return onboard::cli::run(app, argc, argv, [&](onboard::Env& env) {
    req.common.keys.env = &env;  // key warnings (e.g. a pin-value in a URI) go to stderr
    req.dev.serial_number_given = app.count("--serial-number") > 0;
    at.tcti_given = app.count("--tcti") > 0;
    return onboard::ops::mint_idevid(req, env);
  });
}
