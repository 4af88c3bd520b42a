// Private helpers shared by the ops of the certificate tools.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "onboard/batch/runner.h"

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
/// `raw`: members whose values are JSON text (e.g. the "attestation" object).
void report_certificate(Env& env, bool json, const std::string& out, const x509::Certificate& cert,
                        const std::vector<std::pair<std::string, std::string>>& extra = {},
                        const std::vector<std::pair<std::string, std::string>>& raw = {});

// ---- batches of device certificates (mint-idevid, issue-ldevid) ----

/// A row that becomes one device certificate, from a device key (key_uri) or from a public key
/// the tool loads itself (CSR, IDevID).
struct DevIdJob : batch::Job {
  std::string key_uri;  ///< the expanded --device-key-template; empty: load_public_key
  std::string tcti;     ///< the row's `tcti` column (one TPM per device); empty: --tcti
  DeviceKey key;
  std::optional<Bytes> pub;
};

/// What a device-certificate batch shares: one CA, one key context, ID.pem per row, a re-run
/// skipping a certificate that this CA issued for this key and these URIs.
class DevIdBatchTool : public batch::Tool {
 public:
  DevIdBatchTool(const DevIdCommon& dev, const Common& common, Env& env) : dev_(dev), common_(common), env_(env) {}
  /// SPEC §13.2 issuer preflight (load_issuer_cert), before the runner writes anything; the
  /// batch functions call it before batch::run, so --check reports an unusable CA too.
  Status preflight();
  Status prepare() override;
  std::vector<std::pair<std::string, std::string>> files(const batch::Job& job) override;
  Status verify_existing(batch::Job& job, const std::map<std::string, std::string>& paths) override;
  Expected<std::vector<batch::Output>> make(batch::Job& job) override;
  void abandon(batch::Job& job) override;

 protected:
  /// The public key of a row without a device key (CSR, IDevID).
  virtual Expected<Bytes> load_public_key(DevIdJob& job) = 0;
  /// The certificate's subjectAltName URIs for this row.
  virtual std::vector<std::string> san_uris(const DevIdJob& job) = 0;
  virtual Expected<x509::Certificate> issue(DevIdJob& job, ByteView pub, Issuer& issuer) = 0;
  /// A device key was opened or created for the row.
  virtual void on_device_key(const DeviceKey&) {}
  /// A row's explicit not_after: after now, and (SPEC §13.2 rule 3) within the issuer's unless
  /// it is 99991231235959Z.
  Status check_row_not_after(const std::string& text, x509::Profile profile, UnixTime& out);

  /// The key context for a row: the run's, or one per `tcti` column value (each TPM its own).
  keys::KeyContext& keys_for(const std::string& tcti);
  Issuer& issuer() { return *issuer_; }

  const DevIdCommon& dev_;
  const Common& common_;
  Env& env_;

 private:
  Status public_key(DevIdJob& job);
  std::optional<Issuer> issuer_;
  std::unique_ptr<keys::KeyContext> keys_;
  std::map<std::string, std::unique_ptr<keys::KeyContext>> row_keys_;
};

}  // namespace onboard::ops
