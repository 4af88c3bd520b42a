// mint-idevid: one IDevID (SPEC §3) or a whole manifest in one process (SPEC §10).
#include <map>
#include <optional>

#include "attest.h"
#include "common.h"
#include "onboard/batch/runner.h"

namespace onboard::ops {

Status check_device(const MintDevice& d) {
  if (auto ok = validate_instance_uri(d.uri); !ok) return ok;
  if (d.serial.empty()) return fail(Errc::malformed, "serial number is empty");
  return {};
}

x509::CertSpec idevid_spec(const MintIdevidRequest& req, const MintDevice& d, const Issuer& issuer, UnixTime now,
                           UnixTime not_after) {
  x509::CertSpec spec;
  spec.profile = x509::Profile::idevid;
  spec.manufacturer = d.manufacturer;
  if (spec.manufacturer.empty()) {  // default: the CA's organisation (the manufacturer runs its CA)
    spec.manufacturer = issuer.cert.subject_field("O");
  }
  spec.model = d.model;
  spec.serial_number = d.serial;
  spec.san_uris = {d.uri};
  spec.not_before = now;
  spec.not_after = not_after;
  spec.add_ski = req.dev.add_ski;
  if (req.hardware_module_name) {
    std::string hw = d.hw_serial.empty() ? d.serial : d.hw_serial;
    spec.hardware_module_name = x509::HardwareModuleName{"2.23.133.1.2", Bytes(hw.begin(), hw.end())};
  }
  return spec;
}

namespace {
using Device = MintDevice;

// hwType 2.23.133.1.2 says "TPM 2.0": warn (once) when the device key is known to live elsewhere.
void check_hardware_module_name(const MintIdevidRequest& req, const std::string& key_uri, Env& env, bool& warned) {
  if (!req.hardware_module_name || warned || key_uri.empty()) return;
  auto uri = keys::parse_key_uri(key_uri);
  if (!uri || uri->scheme == keys::KeyUri::Scheme::tpm2) return;
  env.warn("--hardware-module-name declares a TPM 2.0 key, but the device key " + uri->text + " is not in a TPM");
  warned = true;
}

Expected<x509::Certificate> mint(const MintIdevidRequest& req, const Device& d, Issuer& issuer, ByteView device_pub,
                                 Env& env) {
  auto not_after = time_or(d.not_after, kNoExpiry, "not_after");
  if (!not_after) return fail(std::move(not_after.error()));
  auto spec = idevid_spec(req, d, issuer, env.now(), *not_after);
  spec.encode_only = true;  // written out, never inspected
  return x509::issue(spec, device_pub, &issuer.cert, *issuer.key);
}

Status mint_single(const MintIdevidRequest& req, Env& env) {
  if (req.attest.attest) return mint_attested(req, env);
  Device d{req.dev.product_instance_uri, req.dev.serial_number, req.dev.manufacturer, req.dev.model, req.hw_serial,
           req.dev.not_after};
  if (req.dev.product_instance_uri.empty() || req.dev.out.empty() || !req.dev.serial_number_given)
    return fail(Errc::usage, "give --product-instance-uri, --serial-number and --out (or --manifest and --out-dir)");
  if (!req.out_dir.empty() || !req.results.empty() || req.check || req.inline_outputs || req.continue_on_error ||
      !req.device_key_template.empty())
    return fail(Errc::usage, "--out-dir, --results, --check, --inline, --continue-on-error and --device-key-template need --manifest");
  if (auto ok = check_device(d); !ok) return ok;
  for (const auto& w : lint_instance_uri(d.uri, false)) env.warn(w);
  if (req.dev.device_key.empty() == req.dev.csr.empty()) return fail(Errc::usage, "give exactly one of --device-key or --csr");
  auto requested = time_or(d.not_after, kNoExpiry, "--not-after");
  if (!requested) return fail(std::move(requested.error()));
  auto issuer = load_issuer_cert(req.dev.ca_cert, req.dev.ca_chain, "--ca-cert", "--ca-key", env.now());
  if (!issuer) return fail(std::move(issuer.error()));
  if (auto ok = not_after_within_issuer(*issuer, x509::Profile::idevid, *requested,
                                        d.not_after.empty() ? "" : "--not-after", env);
      !ok)
    return fail(std::move(ok.error()));
  std::optional<x509::VerifiedCsr> csr;
  if (!req.dev.csr.empty()) {
    auto c = x509::load_csr(req.dev.csr);
    if (!c) return fail(std::move(c.error()).context("--csr"));
    csr = std::move(*c);
  }
  if (auto ok = check_writable(req.dev.out, req.common.force); !ok) return ok;
  if (!req.dev.chain_out.empty())
    if (auto ok = check_writable(req.dev.chain_out, req.common.force); !ok) return ok;

  keys::KeyContext keys(req.common.keys);
  if (auto ok = open_issuer_key(*issuer, req.dev.ca_key, keys, "--ca-key"); !ok) return ok;
  DeviceKey dk;
  if (!csr) {
    auto k = device_key(keys, req.dev.device_key, req.dev.new_key, req.dev.key_type, false);
    if (!k) return fail(std::move(k.error()));
    dk = std::move(*k);
  }
  bool warned = false;
  if (!csr) check_hardware_module_name(req, dk.uri, env, warned);
  Bytes pub = csr ? csr->public_key : dk.signer->public_key_der();
  auto cert = mint(req, d, *issuer, pub, env);
  Status s = cert ? write_file_atomic(req.dev.out, cert->pem(), {req.common.force, 0644}) : Status(fail(cert.error()));
  if (s && !req.dev.chain_out.empty()) s = write_file_atomic(req.dev.chain_out, pem_chain(*cert, &*issuer), {req.common.force, 0644});
  if (!s) {
    discard_created_key(dk);
    return s;
  }
  report_certificate(env, req.common.json, req.dev.out, *cert, {{"product_instance_uri", d.uri}});
  return {};
}

// ---- batch (the runner in lib/batch owns the loop; this is what is particular to IDevIDs) ----

Device device_of(const batch::Row& row, const MintIdevidRequest& req) {
  auto get = [&](const char* col, const std::string& dflt) {
    const std::string* v = row.get(col);
    return v && !v->empty() ? *v : dflt;
  };
  return Device{get("product_instance_uri", ""), get("serial_number", ""), get("manufacturer", req.dev.manufacturer),
                get("model", req.dev.model), get("hw_serial", req.hw_serial), get("not_after", req.dev.not_after)};
}

struct MintJob : DevIdJob {
  Device device;
  std::uint32_t handle = 0;  ///< --attest: the device key's persistent handle
  std::string csr;  ///< path (relative to the manifest resolved), when the row names a CSR
};

class MintTool : public DevIdBatchTool {
 public:
  MintTool(const MintIdevidRequest& req, Env& env, std::vector<std::string> tmpl_cols)
      : DevIdBatchTool(req.dev, req.common, env), req_(req), tmpl_cols_(std::move(tmpl_cols)) {}

  Expected<std::unique_ptr<batch::Job>> validate(const batch::Row& r) override {
    for (const char* col : {"product_instance_uri", "serial_number"})
      if (!r.get(col)) return fail(Errc::malformed, "missing column '" + std::string(col) + "'");
    const std::string* csr = r.get("csr");
    if (req_.device_key_template.empty() && (!csr || csr->empty()))
      return fail(Errc::malformed, "no 'csr' value and no --device-key-template");
    for (const auto& c : tmpl_cols_)
      if (!r.get(c)) return fail(Errc::malformed, "--device-key-template uses column '" + c + "', which is missing");
    auto job = std::make_unique<MintJob>();
    job->device = device_of(r, req_);
    if (auto ok = check_device(job->device); !ok) return fail(std::move(ok.error()));
    if (!job->device.not_after.empty()) {
      UnixTime t = 0;
      if (auto ok = check_row_not_after(job->device.not_after, x509::Profile::idevid, t); !ok) return fail(std::move(ok.error()));
    }
    if (req_.device_key_template.empty()) {
      job->csr = batch::manifest_relative(req_.manifest, *csr);
    } else {
      auto uri = expand_template(req_.device_key_template, r.values);
      if (!uri) return fail(std::move(uri.error()));
      job->key_uri = std::move(*uri);
    }
    if (const std::string* t = r.get("tcti"); t && !t->empty()) job->tcti = *t;  // a row's TPM overrides --tcti
    if (req_.attest.attest) {
      auto handle = attest_handle(job->key_uri, "--device-key-template");
      if (!handle) return fail(std::move(handle.error()));
      if (*handle == setup_->iak_handle)
        return fail(Errc::malformed, "the device key handle is --iak-handle's; give the IAK its own handle");
      job->handle = *handle;
    }
    job->unique = {"ProductInstanceUri " + job->device.uri};
    return job;
  }

  Expected<std::vector<batch::Output>> make(batch::Job& j) override {
    if (!req_.attest.attest) return DevIdBatchTool::make(j);
    auto& job = static_cast<MintJob&>(j);
    Attestation proof;
    std::string tcti = job.tcti.empty() ? common_.keys.tcti : job.tcti;
    auto dev = attest_device(*setup_, tcti, job.handle, dev_.new_key, env_.now(), proof);
    job.result_json = {{"attestation", proof.json()}};
    if (!dev) return fail(std::move(dev.error()));
    auto cert = issue_attested(job, *dev);
    if (!cert) return fail(std::move(cert.error()));
    if (auto ok = dev->session->persist(); !ok) return fail(std::move(ok.error()));
    dev->session.reset();  // the TPM is free for the next row (swtpm serves one connection)
    return std::vector<batch::Output>{{"cert", job.stem + ".pem", cert->pem(), false, false},
                                      {"key", job.key_uri, {}, false, true}};
  }

 protected:
  Expected<Bytes> load_public_key(DevIdJob& j) override {
    auto csr = x509::load_csr(static_cast<MintJob&>(j).csr);
    if (!csr) return fail(std::move(csr.error()));
    return csr->public_key;
  }
  std::vector<std::string> san_uris(const DevIdJob& j) override { return {static_cast<const MintJob&>(j).device.uri}; }
  Expected<x509::Certificate> issue(DevIdJob& j, ByteView pub, Issuer& issuer) override {
    return mint(req_, static_cast<MintJob&>(j).device, issuer, pub, env_);
  }
  void on_device_key(const DeviceKey& key) override { check_hardware_module_name(req_, key.uri, env_, warned_hw_name_); }

 public:
  std::optional<AttestSetup> setup_;

 private:
  Expected<x509::Certificate> issue_attested(MintJob& job, const AttestedDevice& dev) {
    auto not_after = time_or(job.device.not_after, kNoExpiry, "not_after");
    if (!not_after) return fail(std::move(not_after.error()));
    auto spec = idevid_spec(req_, job.device, issuer(), env_.now(), *not_after);
    add_attested_extensions(spec, dev.hw_serial);
    spec.encode_only = true;
    return x509::issue(spec, dev.idevid.spki_der, &issuer().cert, *issuer().key);
  }

  const MintIdevidRequest& req_;
  std::vector<std::string> tmpl_cols_;
  bool warned_hw_name_ = false;
};

Status mint_batch(const MintIdevidRequest& req, Env& env) {
  if (!req.dev.device_key.empty() || !req.dev.csr.empty() || !req.dev.out.empty() || !req.dev.chain_out.empty() ||
      !req.dev.product_instance_uri.empty() || req.dev.serial_number_given)
    return fail(Errc::usage, "--manifest takes the devices from the manifest: not --device-key, --csr, --out, "
                             "--chain-out, --product-instance-uri or --serial-number");
  auto tmpl_cols = template_columns(req.device_key_template);
  if (!tmpl_cols) return fail(std::move(tmpl_cols.error()).context("--device-key-template"));
  MintTool tool(req, env, std::move(*tmpl_cols));
  if (req.attest.attest) {
    if (req.device_key_template.empty()) return fail(Errc::usage, "--attest in a batch needs --device-key-template tpm2:handle=...");
    auto setup = load_attest_setup(req);
    if (!setup) return fail(std::move(setup.error()));
    tool.setup_ = std::move(*setup);
  }
  if (auto ok = tool.preflight(); !ok) return ok;
  return batch::run(batch::options_of(req, req.common.force), tool, env);
}

}  // namespace

Status mint_idevid(const MintIdevidRequest& req, Env& env) {
  if (!req.attest.tcg_csr.empty()) return tcg_csr_mode(req, env);
  if (auto ok = check_attest_usage(req); !ok) return ok;
  if (req.dev.ca_cert.empty() || req.dev.ca_key.empty())
    return fail(Errc::usage, "give --ca-cert and --ca-key (the issuing CA)");
  return req.manifest.empty() ? mint_single(req, env) : mint_batch(req, env);
}

}  // namespace onboard::ops
