// issue-ldevid: an LDevID (SPEC §3), same key pair as the IDevID allowed; a composite LDevID
// carries both the ProductInstanceUri and the outermost CompositeInstanceUri (Part 21 §5.3).
// With --manifest, one LDevID per row through the runner in lib/batch (SPEC §10, §13.3).
#include <algorithm>
#include <map>
#include <optional>

#include "common.h"
#include "onboard/batch/runner.h"

namespace onboard::ops {
namespace {

/// One LDevID's inputs: from the flags, or from a manifest row (flags as defaults).
struct Ldevid {
  std::string uri, composite, from_idevid, csr, device_key;
  std::string subject, serial_number, model, manufacturer, not_after;
};

// Everything that can be checked without touching a file or key.
Status check_ldevid(const Ldevid& l, bool usage_errors) {
  Errc usage = usage_errors ? Errc::usage : Errc::malformed;
  if (auto ok = validate_instance_uri(l.uri); !ok) return ok;
  if (!l.composite.empty()) {
    if (auto ok = validate_instance_uri(l.composite, "CompositeInstanceUri"); !ok) return ok;
    if (l.composite == l.uri) return fail(usage, "CompositeInstanceUri must differ from the ProductInstanceUri");
  }
  int sources = !l.from_idevid.empty() + !l.csr.empty() + !l.device_key.empty();
  if (sources != 1)
    return fail(usage, usage_errors ? "give exactly one of --from-idevid, --csr or --device-key"
                                    : "give exactly one of the columns from_idevid, csr or --device-key-template");
  bool have_subject_parts = !l.subject.empty() || !l.serial_number.empty() || !l.model.empty() || !l.manufacturer.empty();
  if (!l.device_key.empty() && !have_subject_parts)
    return fail(usage, "with a device key give a subject or serial number/model/manufacturer");
  return {};
}

x509::CertSpec ldevid_spec(const Ldevid& l, const DevIdCommon& dev, UnixTime now, UnixTime not_after) {
  x509::CertSpec spec;
  spec.profile = x509::Profile::ldevid;
  spec.subject = l.subject;
  spec.manufacturer = l.manufacturer;
  spec.model = l.model;
  spec.serial_number = l.serial_number;
  spec.san_uris = {l.uri};
  if (!l.composite.empty()) spec.san_uris.push_back(l.composite);
  spec.not_before = now;
  spec.not_after = not_after;
  spec.add_ski = dev.add_ski;
  return spec;
}

// The public key (and, with no subject given, the subject) from the IDevID or the CSR.
Expected<Bytes> public_key_of(const Ldevid& l, x509::CertSpec& spec) {
  bool have_subject_parts = !l.subject.empty() || !l.serial_number.empty() || !l.model.empty() || !l.manufacturer.empty();
  if (!l.from_idevid.empty()) {
    auto idevid = x509::Certificate::load(l.from_idevid);
    if (!idevid) return fail(std::move(idevid.error()).context("--from-idevid"));
    auto uris = idevid->san_uris();
    if (!uris.empty() && std::find(uris.begin(), uris.end(), l.uri) == uris.end())
      return fail(Errc::mismatch, "--from-idevid " + l.from_idevid + " names ProductInstanceUri " + uris.front() + ", not " + l.uri);
    if (!have_subject_parts) spec.subject_der = idevid->subject_der();  // 802.1AR: LDevID copies the IDevID subject
    return idevid->public_key_der();
  }
  auto csr = x509::load_csr(l.csr);
  if (!csr) return fail(std::move(csr.error()).context("--csr"));
  if (!have_subject_parts) spec.subject_der = csr->subject_der;
  return csr->public_key;
}

Status issue_single(const IssueLdevidRequest& req, Env& env) {
  const auto& dev = req.dev;
  if (dev.product_instance_uri.empty() || dev.out.empty())
    return fail(Errc::usage, "give --product-instance-uri and --out (or --manifest and --out-dir)");
  if (!req.out_dir.empty() || !req.results.empty() || req.check || req.inline_outputs || req.continue_on_error ||
      !req.device_key_template.empty())
    return fail(Errc::usage, "--out-dir, --results, --check, --inline, --continue-on-error and --device-key-template need --manifest");
  Ldevid l{dev.product_instance_uri, req.composite_instance_uri, req.from_idevid, dev.csr, dev.device_key,
           req.subject, dev.serial_number, dev.model, dev.manufacturer, dev.not_after};
  if (auto ok = check_ldevid(l, true); !ok) return ok;
  auto not_after = time_or(dev.not_after, kNoExpiry, "--not-after");
  if (!not_after) return fail(std::move(not_after.error()));
  auto issuer = load_issuer_cert(dev.ca_cert, dev.ca_chain, "--ca-cert", "--ca-key", env.now());
  if (!issuer) return fail(std::move(issuer.error()));
  if (auto ok = not_after_within_issuer(*issuer, x509::Profile::ldevid, *not_after,
                                        dev.not_after.empty() ? "" : "--not-after", env);
      !ok)
    return fail(std::move(ok.error()));
  x509::CertSpec spec = ldevid_spec(l, dev, env.now(), *not_after);
  Bytes pub;
  if (l.device_key.empty()) {
    auto p = public_key_of(l, spec);
    if (!p) return fail(std::move(p.error()));
    pub = std::move(*p);
  }
  if (auto ok = check_writable(dev.out, req.common.force); !ok) return ok;
  if (!dev.chain_out.empty())
    if (auto ok = check_writable(dev.chain_out, req.common.force); !ok) return ok;

  keys::KeyContext keys(req.common.keys);
  if (auto ok = open_issuer_key(*issuer, dev.ca_key, keys, "--ca-key"); !ok) return ok;
  DeviceKey dk;
  if (!dev.device_key.empty()) {
    auto k = device_key(keys, dev.device_key, dev.new_key, dev.key_type, false);
    if (!k) return fail(std::move(k.error()));
    dk = std::move(*k);
    pub = dk.signer->public_key_der();
  }
  auto cert = x509::issue(spec, pub, &issuer->cert, *issuer->key);
  Status s = cert ? write_file_atomic(dev.out, cert->pem(), {req.common.force, 0644}) : Status(fail(cert.error()));
  if (s && !dev.chain_out.empty()) s = write_file_atomic(dev.chain_out, pem_chain(*cert, &*issuer), {req.common.force, 0644});
  if (!s) {
    discard_created_key(dk);
    return s;
  }
  report_certificate(env, req.common.json, dev.out, *cert, {{"product_instance_uri", dev.product_instance_uri}});
  return {};
}

// ---- batch ----

struct LdevidJob : DevIdJob {
  Ldevid l;
  UnixTime not_after = kNoExpiry;
  Bytes subject_der;  ///< copied from the IDevID or CSR when the row gives no subject
};

class LdevidTool : public DevIdBatchTool {
 public:
  LdevidTool(const IssueLdevidRequest& req, Env& env, std::vector<std::string> tmpl_cols)
      : DevIdBatchTool(req.dev, req.common, env), req_(req), tmpl_cols_(std::move(tmpl_cols)) {}

  Expected<std::unique_ptr<batch::Job>> validate(const batch::Row& r) override {
    auto get = [&](const char* col, const std::string& dflt) {
      const std::string* v = r.get(col);
      return v && !v->empty() ? *v : dflt;
    };
    if (!r.get("product_instance_uri")) return fail(Errc::malformed, "missing column 'product_instance_uri'");
    auto job = std::make_unique<LdevidJob>();
    Ldevid& l = job->l;
    l = Ldevid{get("product_instance_uri", ""), get("composite_instance_uri", req_.composite_instance_uri),
               get("from_idevid", ""), get("csr", ""), "",
               get("subject", req_.subject), get("serial_number", req_.dev.serial_number), get("model", req_.dev.model),
               get("manufacturer", req_.dev.manufacturer), get("not_after", req_.dev.not_after)};
    if (!l.from_idevid.empty()) l.from_idevid = batch::manifest_relative(req_.manifest, l.from_idevid);
    if (!l.csr.empty()) l.csr = batch::manifest_relative(req_.manifest, l.csr);
    if (!req_.device_key_template.empty() && l.from_idevid.empty() && l.csr.empty()) {
      for (const auto& c : tmpl_cols_)
        if (!r.get(c)) return fail(Errc::malformed, "--device-key-template uses column '" + c + "', which is missing");
      auto uri = expand_template(req_.device_key_template, r.values);
      if (!uri) return fail(std::move(uri.error()));
      l.device_key = job->key_uri = std::move(*uri);
    }
    if (auto ok = check_ldevid(l, false); !ok) return fail(std::move(ok.error()));
    if (!l.not_after.empty())
      if (auto ok = check_row_not_after(l.not_after, x509::Profile::ldevid, job->not_after); !ok)
        return fail(std::move(ok.error()));
    job->unique = {"ProductInstanceUri " + l.uri};
    return job;
  }

 protected:
  Expected<Bytes> load_public_key(DevIdJob& j) override {
    auto& job = static_cast<LdevidJob&>(j);
    x509::CertSpec spec;
    auto pub = public_key_of(job.l, spec);
    job.subject_der = std::move(spec.subject_der);
    return pub;
  }
  std::vector<std::string> san_uris(const DevIdJob& j) override {
    const auto& l = static_cast<const LdevidJob&>(j).l;
    std::vector<std::string> uris{l.uri};
    if (!l.composite.empty()) uris.push_back(l.composite);
    return uris;
  }
  Expected<x509::Certificate> issue(DevIdJob& j, ByteView pub, Issuer& issuer) override {
    auto& job = static_cast<LdevidJob&>(j);
    x509::CertSpec spec = ldevid_spec(job.l, dev_, env_.now(), job.not_after);
    spec.subject_der = job.subject_der;
    spec.encode_only = true;  // written out, never inspected
    return x509::issue(spec, pub, &issuer.cert, *issuer.key);
  }

 private:
  const IssueLdevidRequest& req_;
  std::vector<std::string> tmpl_cols_;
};

Status issue_batch(const IssueLdevidRequest& req, Env& env) {
  const auto& dev = req.dev;
  if (!dev.device_key.empty() || !dev.csr.empty() || !dev.out.empty() || !dev.chain_out.empty() ||
      !dev.product_instance_uri.empty() || !req.from_idevid.empty())
    return fail(Errc::usage, "--manifest takes the devices from the manifest: not --device-key, --csr, --from-idevid, "
                             "--out, --chain-out or --product-instance-uri");
  auto tmpl_cols = template_columns(req.device_key_template);
  if (!tmpl_cols) return fail(std::move(tmpl_cols.error()).context("--device-key-template"));
  LdevidTool tool(req, env, std::move(*tmpl_cols));
  if (auto ok = tool.preflight(); !ok) return ok;
  return batch::run(batch::options_of(req, req.common.force), tool, env);
}

}  // namespace

Status issue_ldevid(const IssueLdevidRequest& req, Env& env) {
  return req.manifest.empty() ? issue_single(req, env) : issue_batch(req, env);
}

}  // namespace onboard::ops
