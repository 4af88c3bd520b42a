// Private helpers shared by the ops of the certificate tools.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "onboard/keys/keys.h"
#include "onboard/ops/ops.h"
#include "onboard/x509/x509.h"

namespace onboard::ops {

/// A CA ready to issue: its certificate, its issuers, its key (checked to match).
struct Issuer {
  x509::Certificate cert;
  std::vector<x509::Certificate> chain;
  std::unique_ptr<keys::Signer> key;
  std::string flag, path;  ///< where the certificate came from ("--ca-cert", "ca.pem"), for messages
};
/// One certificate from a flag's file; a private key given where the certificate belongs (swapped
/// --ca-cert/--ca-key) is named as such.
Expected<x509::Certificate> load_certificate(const std::string& path, const std::string& flag,
                                             const std::string& key_flag);
/// Load the CA certificate (+ chain) and run the SPEC §13.2 issuer preflight (x509/preflight.h):
/// valid at `now` (exit 11), a CA with keyCertSign whose chain links and whose pathLenConstraints
/// allow the new certificate (`new_is_ca`) (exit 3). The key is opened separately by open_issuer_key.
Expected<Issuer> load_issuer_cert(const std::string& cert_path, const std::string& chain_path, const std::string& flag,
                                  const std::string& key_flag, UnixTime now, bool new_is_ca = false);
/// SPEC §13.2 rule 3: the new certificate's notAfter within the issuer's (see x509::fit_not_after);
/// a clamped default is warned about.
Expected<UnixTime> not_after_within_issuer(const Issuer& issuer, x509::Profile profile,
                                           UnixTime not_after, const std::string& requested_flag, const Env& env);
Status open_issuer_key(Issuer& issuer, const std::string& key_uri, keys::KeyContext& keys, const std::string& flag);

/// RFC 3339 time from a flag, or the fallback when empty.
Expected<UnixTime> time_or(const std::string& text, UnixTime fallback, const std::string& flag);

/// A device key: opened, or generated when `new_key` (reuse_existing: batch re-runs keep a key
/// a killed run already made). `created` tells whether this call made a new key file.
struct DeviceKey {
  std::unique_ptr<keys::Signer> signer;
  bool created = false;
  std::string uri;
};
Expected<DeviceKey> device_key(keys::KeyContext& keys, const std::string& uri_text, bool new_key,
                               const std::string& key_type, bool reuse_existing,
                               const std::string& flag = "--device-key");
/// Remove a key file this run created when a later step failed (no half-done output).
void discard_created_key(const DeviceKey& key);

/// PEM of the certificate, optionally followed by its issuers.
std::string pem_chain(const x509::Certificate& leaf, const Issuer* issuer);

/// One line (human) or one JSON object (--json) describing a written certificate.
void report_certificate(Env& env, bool json, const std::string& out, const x509::Certificate& cert,
                        const std::vector<std::pair<std::string, std::string>>& extra = {});

}  // namespace onboard::ops
