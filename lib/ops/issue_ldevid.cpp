// issue-ldevid: an LDevID (SPEC §3), same key pair as the IDevID allowed; a composite LDevID
// carries both the ProductInstanceUri and the outermost CompositeInstanceUri (Part 21 §5.3).
#include <algorithm>

#include "common.h"

namespace onboard::ops {

Status issue_ldevid(const IssueLdevidRequest& req, Env& env) {
  const auto& dev = req.dev;
  if (dev.product_instance_uri.empty() || dev.out.empty())
    return fail(Errc::usage, "give --product-instance-uri and --out");
  if (auto ok = validate_instance_uri(dev.product_instance_uri); !ok) return ok;
  if (!req.composite_instance_uri.empty()) {
    if (auto ok = validate_instance_uri(req.composite_instance_uri, "CompositeInstanceUri"); !ok) return ok;
    if (req.composite_instance_uri == dev.product_instance_uri)
      return fail(Errc::usage, "CompositeInstanceUri must differ from the ProductInstanceUri");
  }
  int sources = !req.from_idevid.empty() + !dev.csr.empty() + !dev.device_key.empty();
  if (sources != 1) return fail(Errc::usage, "give exactly one of --from-idevid, --csr or --device-key");
  auto not_after = time_or(dev.not_after, kNoExpiry, "--not-after");
  if (!not_after) return fail(std::move(not_after.error()));
  auto issuer = load_issuer_cert(dev.ca_cert, dev.ca_chain, "--ca-cert", "--ca-key", env.now());
  if (!issuer) return fail(std::move(issuer.error()));
  if (auto ok = not_after_within_issuer(*issuer, x509::Profile::ldevid, *not_after,
                                        dev.not_after.empty() ? "" : "--not-after", env);
      !ok)
    return fail(std::move(ok.error()));

  x509::CertSpec spec;
  spec.profile = x509::Profile::ldevid;
  spec.subject = req.subject;
  spec.manufacturer = dev.manufacturer;
  spec.model = dev.model;
  spec.serial_number = dev.serial_number;
  spec.san_uris = {dev.product_instance_uri};
  if (!req.composite_instance_uri.empty()) spec.san_uris.push_back(req.composite_instance_uri);
  spec.not_before = env.now();
  spec.not_after = *not_after;
  spec.add_ski = dev.add_ski;
  bool have_subject_parts = !req.subject.empty() || !dev.serial_number.empty() || !dev.model.empty() || !dev.manufacturer.empty();
  Bytes pub;
  if (!req.from_idevid.empty()) {
    auto idevid = x509::Certificate::load(req.from_idevid);
    if (!idevid) return fail(std::move(idevid.error()).context("--from-idevid"));
    auto uris = idevid->san_uris();
    if (!uris.empty() && std::find(uris.begin(), uris.end(), dev.product_instance_uri) == uris.end())
      return fail(Errc::mismatch, "--from-idevid " + req.from_idevid + " names ProductInstanceUri " + uris.front() +
                                      ", not " + dev.product_instance_uri);
    pub = idevid->public_key_der();
    if (!have_subject_parts) spec.subject_der = idevid->subject_der();  // 802.1AR: LDevID copies the IDevID subject
  } else if (!dev.csr.empty()) {
    auto csr = x509::load_csr(dev.csr);
    if (!csr) return fail(std::move(csr.error()).context("--csr"));
    pub = csr->public_key;
    if (!have_subject_parts) spec.subject_der = csr->subject_der;
  } else if (!have_subject_parts) {
    return fail(Errc::usage, "with --device-key give --subject or --serial-number/--model/--manufacturer");
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

}  // namespace onboard::ops
