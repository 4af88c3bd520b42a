// Flags shared by mint-idevid and issue-ldevid (SPEC §12).
#pragma once

#include <string>

#include "onboard/cli/cli.h"
#include "onboard/ops/ops.h"

namespace onboard::tools {

/// `manufacturer_help`: what --manufacturer defaults to in this tool (mint-idevid takes the CA's
/// O=; issue-ldevid has no default, an LDevID's issuer is the owner, not the manufacturer).
/// `ca_required` false: the tool checks --ca-cert/--ca-key itself (mint-idevid --tcg-csr verifies
/// a TCG-CSR without a CA).
inline void attach_devid_flags(CLI::App& app, ops::DevIdCommon& d, const std::string& manufacturer_help,
                               bool ca_required = true) {
  auto* ca_cert = app.add_option("--ca-cert", d.ca_cert, "Issuing CA certificate (PEM)");
  auto* ca_key = app.add_option("--ca-key", d.ca_key, "Issuing CA key URI (file:, pkcs11:, tpm2:)");
  if (ca_required) {
    ca_cert->required();
    ca_key->required();
  }
  app.add_option("--ca-chain", d.ca_chain, "The CA's issuers, nearest first (PEM)");
  app.add_option("--product-instance-uri", d.product_instance_uri, "The device's ProductInstanceUri (SAN URI)");
  app.add_option("--serial-number", d.serial_number, "Device serial number (subject serialNumber)");
  app.add_option("--manufacturer", d.manufacturer, manufacturer_help);
  app.add_option("--model", d.model, "Subject CN= (the model name)");
  app.add_option("--device-key", d.device_key, "Device key URI (file:, pkcs11:, tpm2:)");
  app.add_flag("--new-key", d.new_key, "Create the device key where --device-key points");
  app.add_option("--key-type", d.key_type, "Type of a new key: p256, p384, rsa2048, rsa3072, rsa4096, ed25519");
  app.add_option("--csr", d.csr, "PKCS#10 request (its self-signature is checked first)");
  app.add_option("--not-after", d.not_after, "Expiry, RFC 3339 (default 9999-12-31T23:59:59Z)");
  app.add_flag("--add-ski", d.add_ski, "Add a subjectKeyIdentifier (802.1AR does not recommend it)");
  app.add_option("--chain-out", d.chain_out, "Also write certificate + CA + CA chain (PEM) here");
  app.add_option("--out", d.out, "Output certificate (PEM), - for stdout");
}

}  // namespace onboard::tools
