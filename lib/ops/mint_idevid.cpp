// mint-idevid: one IDevID (SPEC §3) or a whole manifest in one process (SPEC §10).
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <set>

#include "common.h"
#include "onboard/batch/batch.h"

namespace onboard::ops {
namespace {

struct Device {
  std::string uri, serial, manufacturer, model, hw_serial, not_after;
};

Status check_device(const Device& d) {
  if (auto ok = validate_instance_uri(d.uri); !ok) return ok;
  if (d.serial.empty()) return fail(Errc::malformed, "serial number is empty");
  return {};
}

x509::CertSpec idevid_spec(const MintIdevidRequest& req, const Device& d, const Issuer& issuer, UnixTime now,
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
  Device d{req.dev.product_instance_uri, req.dev.serial_number, req.dev.manufacturer, req.dev.model, req.hw_serial,
           req.dev.not_after};
  if (req.dev.product_instance_uri.empty() || req.dev.out.empty() || !req.dev.serial_number_given)
    return fail(Errc::usage, "give --product-instance-uri, --serial-number and --out (or --manifest and --out-dir)");
  if (auto ok = check_device(d); !ok) return ok;
  for (const auto& w : lint_instance_uri(d.uri, false)) env.warn(w);
  if (req.dev.device_key.empty() == req.dev.csr.empty()) return fail(Errc::usage, "give exactly one of --device-key or --csr");
  if (auto t = time_or(d.not_after, 0, "--not-after"); !t) return fail(std::move(t.error()));
  auto issuer = load_issuer_cert(req.dev.ca_cert, req.dev.ca_chain, "--ca-cert");
  if (!issuer) return fail(std::move(issuer.error()));
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

// ---- batch ----

Device device_of(const batch::Row& row, const MintIdevidRequest& req) {
  auto get = [&](const char* col, const std::string& dflt) {
    const std::string* v = row.get(col);
    return v && !v->empty() ? *v : dflt;
  };
  return Device{get("product_instance_uri", ""), get("serial_number", ""), get("manufacturer", req.dev.manufacturer),
                get("model", req.dev.model), get("hw_serial", req.hw_serial), get("not_after", req.dev.not_after)};
}

std::string row_id(const batch::Row& row) {
  const std::string* id = row.get("id");
  if (id && !id->empty()) return *id;
  const std::string* sn = row.get("serial_number");
  return sn ? *sn : std::to_string(row.number);
}

std::string manifest_relative(const std::string& manifest, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  auto slash = manifest.rfind('/');
  return slash == std::string::npos ? path : manifest.substr(0, slash + 1) + path;
}

// Pass 1: every row parsed and checked before any key is touched (DESIGN rule 7).
Expected<std::size_t> validate_manifest(const MintIdevidRequest& req) {
  auto reader = batch::ManifestReader::open(req.manifest);
  if (!reader) return fail(std::move(reader.error()));
  std::set<std::string> uris, stems;
  std::size_t count = 0;
  auto tmpl_cols = template_columns(req.device_key_template);
  if (!tmpl_cols) return fail(std::move(tmpl_cols.error()).context("--device-key-template"));
  for (;;) {
    auto row = (*reader)->next();
    if (!row) return fail(std::move(row.error()));
    if (!*row) break;
    const batch::Row& r = **row;
    std::string where = req.manifest + ": row " + std::to_string(r.number) + " (line " + std::to_string(r.line) + ")";
    for (const char* col : {"product_instance_uri", "serial_number"})
      if (!r.get(col)) return fail(Errc::malformed, where + ": missing column '" + std::string(col) + "'");
    if (req.device_key_template.empty() && !r.get("csr"))
      return fail(Errc::malformed, where + ": no 'csr' column and no --device-key-template");
    for (const auto& c : *tmpl_cols)
      if (!r.get(c)) return fail(Errc::malformed, where + ": --device-key-template uses column '" + c + "', which is missing");
    Device d = device_of(r, req);
    if (auto ok = check_device(d); !ok) return fail(std::move(ok.error()).context(where));
    if (!d.not_after.empty())
      if (auto t = parse_time(d.not_after); !t) return fail(Errc::malformed, where + ": " + t.error().message);
    if (!uris.insert(d.uri).second) return fail(Errc::malformed, where + ": duplicate ProductInstanceUri " + d.uri);
    auto stem = safe_file_stem(row_id(r));
    if (!stem) return fail(std::move(stem.error()).context(where));
    if (!stems.insert(*stem).second) return fail(Errc::malformed, where + ": duplicate id '" + row_id(r) + "'");
    ++count;
  }
  if (count == 0) return fail(Errc::malformed, req.manifest + ": no rows");
  return count;
}

struct BatchRun {
  const MintIdevidRequest& req;
  Env& env;
  Issuer& issuer;
  keys::KeyContext& keys;
  bool warned_hw_name = false;
};

// One row: skip when the certificate exists and is ours, else mint it.
Expected<batch::Result> mint_row(BatchRun& run, const batch::Row& row) {
  batch::Result res{row.number, row_id(row), "ok", {}, std::nullopt};
  Device d = device_of(row, run.req);
  std::string cert_path = run.req.out_dir + "/" + *safe_file_stem(res.id) + ".pem";
  res.fields.push_back({"cert", cert_path});
  DeviceKey dk;
  Bytes pub;
  if (const std::string* csr_col = row.get("csr"); run.req.device_key_template.empty() && csr_col) {
    auto csr = x509::load_csr(manifest_relative(run.req.manifest, *csr_col));
    if (!csr) return fail(std::move(csr.error()));
    pub = csr->public_key;
  } else {
    auto uri = expand_template(run.req.device_key_template, row.values);
    if (!uri) return fail(std::move(uri.error()));
    auto k = device_key(run.keys, *uri, run.req.dev.new_key, run.req.dev.key_type, true);
    if (!k) return fail(std::move(k.error()));
    dk = std::move(*k);
    pub = dk.signer->public_key_der();
    res.fields.push_back({"key", dk.uri});
    check_hardware_module_name(run.req, dk.uri, run.env, run.warned_hw_name);
  }
  if (!run.req.common.force && file_exists(cert_path)) {
    auto old = x509::Certificate::load(cert_path);
    auto uris = old ? old->san_uris() : std::vector<std::string>{};
    if (old && old->signed_by(run.issuer.cert) && old->public_key_der() == pub && uris.size() == 1 && uris[0] == d.uri) {
      res.status = "skipped";
      return res;
    }
    discard_created_key(dk);  // a key made for a row that cannot complete is not left behind
    return fail(Errc::file, cert_path + ": exists but is not this device's certificate (use --force to replace)");
  }
  auto cert = mint(run.req, d, run.issuer, pub, run.env);
  Status s = cert ? write_file_atomic(cert_path, cert->pem(), {run.req.common.force, 0644, false}) : Status(fail(cert.error()));
  if (!s) {
    discard_created_key(dk);
    return fail(std::move(s.error()));
  }
  return res;
}

Status mint_batch(const MintIdevidRequest& req, Env& env) {
  if (req.out_dir.empty()) return fail(Errc::usage, "--manifest needs --out-dir");
  if (!req.dev.device_key.empty() || !req.dev.csr.empty() || !req.dev.out.empty() || !req.dev.chain_out.empty() ||
      !req.dev.product_instance_uri.empty() || req.dev.serial_number_given)
    return fail(Errc::usage, "--manifest takes the devices from the manifest: not --device-key, --csr, --out, "
                             "--chain-out, --product-instance-uri or --serial-number");
  auto total = validate_manifest(req);
  if (!total) return fail(std::move(total.error()));
  ::mkdir(req.out_dir.c_str(), 0755);
  if (auto ok = check_writable(req.out_dir + "/.probe", true); !ok)
    return fail(Errc::file, "--out-dir " + req.out_dir + " is not a writable directory");
  clean_stale_temp_files(req.out_dir);  // complete files a killed earlier run left under a temporary name
  auto issuer = load_issuer_cert(req.dev.ca_cert, req.dev.ca_chain, "--ca-cert");
  if (!issuer) return fail(std::move(issuer.error()));
  std::ofstream results_file;
  if (!req.results.empty()) {
    results_file.open(req.results, std::ios::app);
    if (!results_file) return fail(Errc::file, req.results + ": cannot write results");
  }
  std::ostream& results = req.results.empty() ? *env.out : results_file;
  keys::KeyOptions key_options = req.common.keys;
  key_options.durable_files = false;  // one sync at the end (sync_all below)
  keys::KeyContext keys(key_options);
  if (auto ok = open_issuer_key(*issuer, req.dev.ca_key, keys, "--ca-key"); !ok) return ok;

  auto reader = batch::ManifestReader::open(req.manifest);
  if (!reader) return fail(std::move(reader.error()));
  BatchRun run{req, env, *issuer, keys};
  batch::Progress progress(env, *total);
  std::optional<Error> first_error;
  for (;;) {
    auto row = (*reader)->next();
    if (!row) return fail(std::move(row.error()));
    if (!*row) break;
    auto res = mint_row(run, **row);
    if (!res) {
      Error e = std::move(res.error()).context(req.manifest + ": row " + std::to_string((*row)->number));
      results << batch::to_json_line({(*row)->number, row_id(**row), "error", {}, e});
      progress.tick(true);
      if (!first_error) first_error = e;
      if (!req.continue_on_error) break;
      continue;
    }
    results << batch::to_json_line(*res);
    progress.tick(false);
  }
  progress.finish();
  results.flush();
  sync_all();
  if (first_error) return fail(*first_error);
  return {};
}

}  // namespace

Status mint_idevid(const MintIdevidRequest& req, Env& env) {
  return req.manifest.empty() ? mint_single(req, env) : mint_batch(req, env);
}

}  // namespace onboard::ops
