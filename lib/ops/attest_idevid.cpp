// mint-idevid --attest for one device (SPEC §13.7): flags checked, CA loaded, every proof on the
// device's TPM, then the certificates in memory, the keys made persistent, the outputs written.
#include <ostream>

#include "attest.h"

namespace onboard::ops {
namespace {

bool key_type_allowed(const std::string& t) { return t == "p256" || t == "p384" || t == "rsa2048"; }

// Print the proofs: text lines, or (with --json) the attestation object, when the run stops.
void report_failed_proof(Env& env, bool json, const Attestation& proof) {
  if (proof.checks.empty()) return;
  if (json) {
    *env.out << "{\"attestation\":" << proof.json() << "}\n";
  } else {
    proof.print(*env.out);
  }
}

}  // namespace

Expected<std::uint32_t> attest_handle(const std::string& key_uri, const std::string& flag) {
  auto uri = keys::parse_key_uri(key_uri);
  if (!uri) return fail(std::move(uri.error()).context(flag));
  if (uri->scheme != keys::KeyUri::Scheme::tpm2 || !uri->handle)
    return fail(Errc::usage, "--attest proves a key in a TPM: " + flag + " must be tpm2:handle=HEX, not " + uri->text);
  if ((*uri->handle >> 24) != 0x81)
    return fail(Errc::usage, flag + " " + uri->text + " is not a persistent handle (0x81000000 to 0x81ffffff)");
  return *uri->handle;
}

Status check_attest_usage(const MintIdevidRequest& req) {
  const AttestRequest& a = req.attest;
  if (!a.attest) {
    const char* flag = !a.ek_ca.empty()          ? "--ek-ca"
                       : !a.iak_handle.empty()   ? "--iak-handle"
                       : !a.iak_out.empty()      ? "--iak-out"
                       : !a.tcg_csr_out.empty()  ? "--tcg-csr-out"
                       : a.insecure_skip_activation ? "--insecure-skip-activation"
                                                 : nullptr;
    if (flag && std::string(flag) == "--insecure-skip-activation")
      return fail(Errc::usage, "--insecure-skip-activation belongs to --tcg-csr (minting from a TCG-CSR-IDEVID)");
    if (flag) return fail(Errc::usage, std::string(flag) + " needs --attest");
    return {};
  }
  if (a.insecure_skip_activation)
    return fail(Errc::usage, "--insecure-skip-activation belongs to --tcg-csr; --attest always activates the credential");
  if (!req.dev.csr.empty())
    return fail(Errc::usage, "--attest proves a key in the device's TPM; a --csr brings no TPM to ask (use --tcg-csr)");
  if (a.ek_ca.empty()) return fail(Errc::usage, "--attest needs --ek-ca FILE (the anchors of the TPM's EK certificate)");
  if (a.iak_handle.empty()) return fail(Errc::usage, "--attest needs --iak-handle HANDLE (where the IAK is kept)");
  auto iak = keys::tpm2::parse_persistent_handle(a.iak_handle, "--iak-handle");
  if (!iak) return fail(std::move(iak.error()));
  if (!req.hw_serial.empty())
    return fail(Errc::usage, "--hw-serial does not go with --attest: the hwSerialNum comes from the EK certificate");
  if (!key_type_allowed(req.dev.key_type))
    return fail(Errc::usage, "--key-type " + req.dev.key_type + ": the TCG IAK/IDevID templates are p256, p384, rsa2048");
  if (!req.manifest.empty()) {
    if (!a.iak_out.empty() || !a.tcg_csr_out.empty())
      return fail(Errc::usage, "--iak-out and --tcg-csr-out are for one device, not for --manifest");
    if (req.device_key_template.rfind("tpm2:", 0) != 0)
      return fail(Errc::usage, "--attest in a batch needs --device-key-template tpm2:handle=HEX");
    return {};
  }
  if (req.dev.device_key.empty())
    return fail(Errc::usage, "--attest needs --device-key tpm2:handle=HEX (the IDevID key's handle)");
  auto dev = attest_handle(req.dev.device_key, "--device-key");
  if (!dev) return fail(std::move(dev.error()));
  if (*dev == *iak)
    return fail(Errc::usage, "--iak-handle and the --device-key handle are the same; the IAK and the IDevID key need one each");
  return {};
}

Expected<AttestSetup> load_attest_setup(const MintIdevidRequest& req) {
  AttestSetup s;
  for (const auto& path : req.attest.ek_ca) {
    auto certs = x509::Certificate::load_all(path);
    if (!certs) return fail(std::move(certs.error()).context("--ek-ca " + path));
    if (certs->empty()) return fail(Errc::malformed, "--ek-ca " + path + ": no certificate in it");
    for (auto& c : *certs) s.ek_anchors.push_back(std::move(c));
  }
  auto iak = keys::tpm2::parse_persistent_handle(req.attest.iak_handle, "--iak-handle");
  if (!iak) return fail(std::move(iak.error()));
  s.iak_handle = *iak;
  auto type = keys::parse_key_type(req.dev.key_type);
  if (!type) return fail(std::move(type.error()).context("--key-type"));
  s.key_type = *type;
  return s;
}

Status mint_attested(const MintIdevidRequest& req, Env& env) {
  MintDevice d{req.dev.product_instance_uri, req.dev.serial_number, req.dev.manufacturer, req.dev.model, "",
               req.dev.not_after};
  if (req.dev.product_instance_uri.empty() || req.dev.out.empty() || !req.dev.serial_number_given)
    return fail(Errc::usage, "give --product-instance-uri, --serial-number and --out (or --manifest and --out-dir)");
  if (req.dev.out == "-" && (req.common.json))
    return fail(Errc::usage, "--json and --out - both want stdout");
  if (auto ok = check_device(d); !ok) return ok;
  for (const auto& w : lint_instance_uri(d.uri, false)) env.warn(w);
  auto handle = attest_handle(req.dev.device_key, "--device-key");
  if (!handle) return fail(std::move(handle.error()));
  auto setup = load_attest_setup(req);
  if (!setup) return fail(std::move(setup.error()));
  auto requested = time_or(d.not_after, kNoExpiry, "--not-after");
  if (!requested) return fail(std::move(requested.error()));
  auto issuer = load_issuer_cert(req.dev.ca_cert, req.dev.ca_chain, "--ca-cert", "--ca-key", env.now());
  if (!issuer) return fail(std::move(issuer.error()));
  auto not_after = not_after_within_issuer(*issuer, x509::Profile::idevid, *requested,
                                           d.not_after.empty() ? "" : "--not-after", env);
  if (!not_after) return fail(std::move(not_after.error()));
  for (const std::string* out : {&req.dev.out, &req.dev.chain_out, &req.attest.iak_out, &req.attest.tcg_csr_out})
    if (!out->empty())
      if (auto ok = check_writable(*out, req.common.force); !ok) return ok;

  keys::KeyContext keys(req.common.keys);
  if (auto ok = open_issuer_key(*issuer, req.dev.ca_key, keys, "--ca-key"); !ok) return ok;

  Attestation proof;
  auto dev = attest_device(*setup, req.common.keys.tcti, *handle, req.dev.new_key, env.now(), proof);
  if (!dev) {
    report_failed_proof(env, req.common.json, proof);
    return fail(std::move(dev.error()));
  }
  // Everything is minted in memory before the keys become persistent: a CA that refuses leaves
  // the TPM as it was.
  auto spec = idevid_spec(req, d, *issuer, env.now(), *not_after);
  add_attested_extensions(spec, dev->hw_serial);
  auto cert = x509::issue(spec, dev->idevid.spki_der, &issuer->cert, *issuer->key);
  if (!cert) return fail(std::move(cert.error()));
  std::optional<x509::Certificate> iak_cert;
  if (!req.attest.iak_out.empty()) {
    auto c = issue_iak_certificate(spec, dev->iak.spki_der, *issuer);
    if (!c) return fail(std::move(c.error()));
    iak_cert = std::move(*c);
  }
  if (auto ok = dev->session->persist(); !ok) return ok;
  dev->session.reset();  // one connection to the TPM at a time: the TCG-CSR signs through the provider
  Bytes tcg_csr;
  if (!req.attest.tcg_csr_out.empty()) {
    auto csr = make_tcg_csr(*dev, req.common.keys.tcti, req.common.keys, d.model, d.serial);
    if (!csr) return fail(std::move(csr.error()));
    tcg_csr = std::move(*csr);
  }

  WriteOptions pem{req.common.force, 0644};
  Status s = write_file_atomic(req.dev.out, cert->pem(), pem);
  if (s && !req.dev.chain_out.empty()) s = write_file_atomic(req.dev.chain_out, pem_chain(*cert, &*issuer), pem);
  if (s && iak_cert) s = write_file_atomic(req.attest.iak_out, iak_cert->pem(), pem);
  if (s && !tcg_csr.empty())
    s = write_file_atomic(req.attest.tcg_csr_out, std::string(tcg_csr.begin(), tcg_csr.end()), pem);
  if (!s) return s;

  if (req.common.json) {
    std::vector<std::pair<std::string, std::string>> raw{{"attestation", proof.json()}};
    report_certificate(env, true, req.dev.out, *cert, {{"product_instance_uri", d.uri}}, raw);
    return {};
  }
  std::ostream& out = req.dev.out == "-" ? *env.err : *env.out;
  proof.print(out);
  report_certificate(env, false, req.dev.out, *cert);
  if (iak_cert) report_certificate(env, false, req.attest.iak_out, *iak_cert);
  if (!tcg_csr.empty() && req.attest.tcg_csr_out != "-")
    out << req.attest.tcg_csr_out << ": TCG-CSR-IDEVID (" << tcg_csr.size() << " bytes)\n";
  return {};
}

}  // namespace onboard::ops
