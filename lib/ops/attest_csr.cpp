// mint-idevid --tcg-csr FILE: the CA side of a TCG-CSR-IDEVID (TCG Keys for Device Identity
// §13.1). Verify mode prints every check; with --out it mints the IDevID from the CSR's signing
// key, after the credential activation that only a round trip with the TPM can give (--tcti), or
// with --insecure-skip-activation, which says so everywhere.
#include <ostream>

#include <nlohmann/json.hpp>

#include "attest.h"

namespace onboard::ops {
namespace {


constexpr const char* kActivationNotDone =
    "credential-activation: not performed: a TCG-CSR alone cannot show that the IAK is in the TPM that owns the EK "
    "(that needs TPM2_ActivateCredential on the device's TPM: mint with --tcti and --iak-handle)";

Status check_csr_usage(const MintIdevidRequest& req, bool minting) {
  const auto& a = req.attest;
  if (!req.dev.device_key.empty() || !req.dev.csr.empty() || a.attest || !req.manifest.empty() ||
      !a.iak_out.empty() || !a.tcg_csr_out.empty() || req.dev.new_key)
    return fail(Errc::usage, "--tcg-csr takes the keys from the TCG-CSR-IDEVID: not with --device-key, --new-key, "
                             "--csr, --attest, --manifest, --iak-out or --tcg-csr-out");
  if (a.ek_ca.empty()) return fail(Errc::usage, "--tcg-csr needs --ek-ca FILE (the anchors of the TPM's EK certificate)");
  if (!minting) {
    if (a.insecure_skip_activation) return fail(Errc::usage, "--insecure-skip-activation is for minting from a TCG-CSR (--out)");
    return {};
  }
  if (req.dev.ca_cert.empty() || req.dev.ca_key.empty() || req.dev.product_instance_uri.empty() ||
      !req.dev.serial_number_given)
    return fail(Errc::usage, "minting from --tcg-csr needs --ca-cert, --ca-key, --product-instance-uri and --serial-number");
  if (a.tcti_given && a.insecure_skip_activation)
    return fail(Errc::usage, "--tcti does the credential activation; --insecure-skip-activation skips it: give one");
  if (!a.tcti_given && !a.insecure_skip_activation)
    return fail(Errc::usage, "minting from a TCG-CSR needs the credential activation: give --tcti reaching the device's "
                             "TPM (and --iak-handle), or --insecure-skip-activation");
  if (a.tcti_given && a.iak_handle.empty())
    return fail(Errc::usage, "the credential activation over --tcti needs --iak-handle (the IAK's handle in that TPM)");
  if (!req.hw_serial.empty()) return fail(Errc::usage, "--hw-serial does not go with --tcg-csr: the EK certificate gives it");
  return {};
}

// TPM2_MakeCredential for the CSR's IAK name, sealed to the EK of the TPM at --tcti (which must be
// the CSR's EK), released by TPM2_ActivateCredential there.
Status activate_over_tcti(const MintIdevidRequest& req, const attest::VerifiedTcgCsr& v, Attestation& proof) {
  const std::string name = "credential-activation";
  auto refuse = [&](const std::string& why) {
    proof.add(name, false, why);
    return fail(Errc::untrusted, name + ": " + why);
  };
  auto handle = keys::tpm2::parse_persistent_handle(req.attest.iak_handle, "--iak-handle");
  if (!handle) return fail(std::move(handle.error()));
  auto type = keys::parse_key_type(v.iak.key_type);
  keys::tpm2::AttestOptions o;
  o.tcti = req.common.keys.tcti;
  o.key_type = type ? *type : keys::KeyType::p256;
  o.iak_handle = *handle;
  o.use_existing = true;
  // AttestSession wants the IDevID key's handle too (two distinct, occupied handles), which a CSR
  // does not name: look for the CSR's signing key at the conventional IDevID handles
  // 0x81020000-0x8102000f. Finding it there also shows the IDevID key is in this TPM.
  std::vector<std::uint32_t> candidates;
  {
    keys::KeyContext probe(req.common.keys);  // closed before the session opens (one connection)
    for (std::uint32_t h = 0x81020000; h <= 0x8102000f; ++h) {
      if (h == *handle) continue;
      auto uri = keys::parse_key_uri("tpm2:handle=" + keys::tpm2::hex_handle(h));
      if (!uri) continue;
      auto used = probe.exists(*uri);
      if (!used) return fail(std::move(used.error()));
      if (*used) candidates.push_back(h);
    }
  }
  for (std::uint32_t h : candidates) {
    o.idevid_handle = h;
    auto s = keys::tpm2::AttestSession::open(o);
    if (!s) return fail(std::move(s.error()));
    auto ek = s->endorsement_key();
    if (!ek) return ek.error().code == Errc::untrusted ? refuse(ek.error().message) : fail(std::move(ek.error()));
    auto ek_pub = attest::parse_public(ek->public_area);
    if (!ek_pub) return fail(std::move(ek_pub.error()).context("the EK of the TPM at --tcti"));
    if (!v.ek_cert || !attest::ek_matches(*v.ek_cert, *ek_pub))
      return refuse("the TPM at --tcti holds another EK than the one the CSR's EK certificate names");
    if (auto ok = s->create_keys(); !ok) return ok;
    if (s->idevid_public() != v.idevid.area) continue;
    if (s->iak_public() != v.iak.area) return refuse("the key at --iak-handle is not the CSR's IAK (attestPub)");
    auto challenge = attest::make_credential(*ek_pub, v.iak.name);
    if (!challenge) return fail(std::move(challenge.error()).context("TPM2_MakeCredential"));
    auto released = s->activate_credential(challenge->credential_blob, challenge->encrypted_secret);
    if (!released) return fail(std::move(released.error()));
    if (*released != challenge->secret) return refuse("the TPM released another secret than the one sealed for the IAK");
    proof.add(name, true, "the TPM at " + s->tcti_label() + " owns the CSR's EK, holds its IDevID key (" + keys::tpm2::hex_handle(h) +
                              ") and released the secret sealed for its IAK");
    return {};
  }
  return refuse("the CSR's IDevID key (signingPub) is at none of 0x81020000-0x8102000f in the TPM at --tcti");
}

std::string failed_names(const Attestation& proof) {
  std::string out;
  for (const auto& c : proof.checks)
    if (!c.passed) out += (out.empty() ? "" : "; ") + c.name + " (" + c.detail + ")";
  return out;
}

}  // namespace

Status tcg_csr_mode(const MintIdevidRequest& req, Env& env) {
  const auto& a = req.attest;
  const bool minting = !req.dev.out.empty();
  if (auto ok = check_csr_usage(req, minting); !ok) return ok;
  MintDevice d{req.dev.product_instance_uri, req.dev.serial_number, req.dev.manufacturer, req.dev.model, "",
               req.dev.not_after};
  if (minting) {
    if (auto ok = check_device(d); !ok) return ok;
    for (const auto& w : lint_instance_uri(d.uri, false)) env.warn(w);
  }
  auto bytes = read_file(a.tcg_csr);
  if (!bytes) return fail(std::move(bytes.error()).context("--tcg-csr"));
  if (bytes->size() > attest::kMaxTcgCsr)
    return fail(Errc::malformed, "--tcg-csr " + a.tcg_csr + ": larger than 1 MiB");
  std::vector<x509::Certificate> anchors;
  for (const auto& path : a.ek_ca) {
    auto certs = x509::Certificate::load_all(path);
    if (!certs) return fail(std::move(certs.error()).context("--ek-ca " + path));
    if (certs->empty()) return fail(Errc::malformed, "--ek-ca " + path + ": no certificate in it");
    for (auto& c : *certs) anchors.push_back(std::move(c));
  }
  std::optional<Issuer> issuer;
  UnixTime not_after = kNoExpiry;
  if (minting) {
    auto requested = time_or(d.not_after, kNoExpiry, "--not-after");
    if (!requested) return fail(std::move(requested.error()));
    auto i = load_issuer_cert(req.dev.ca_cert, req.dev.ca_chain, "--ca-cert", "--ca-key", env.now());
    if (!i) return fail(std::move(i.error()));
    issuer = std::move(*i);
    auto fitted = not_after_within_issuer(*issuer, x509::Profile::idevid, *requested,
                                          d.not_after.empty() ? "" : "--not-after", env);
    if (!fitted) return fail(std::move(fitted.error()));
    not_after = *fitted;
    for (const std::string* out : {&req.dev.out, &req.dev.chain_out})
      if (!out->empty())
        if (auto ok = check_writable(*out, req.common.force); !ok) return ok;
  }

  ByteView view(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size());
  auto v = attest::inspect_tcg_csr(view, anchors, env.now());
  if (!v) return fail(std::move(v.error()).context("--tcg-csr " + a.tcg_csr));
  if (v->ek_cert)
    if (auto root = ek_reaches_root(*v->ek_cert, anchors); !root)
      for (auto& c : v->checks)
        if (c.name == "ek-chain" && c.passed) {
          c.passed = false;
          c.detail = root.error().message;
        }
  Attestation proof;
  proof.checks = v->checks;
  proof.ek_cert = v->ek_cert;
  proof.hw_serial = v->hw_serial;
  bool csr_ok = true;
  for (const auto& c : proof.checks) csr_ok = csr_ok && c.passed;

  Status activation;
  if (csr_ok && minting && a.tcti_given) {
    activation = activate_over_tcti(req, *v, proof);
  } else if (minting && a.insecure_skip_activation) {
    proof.notes.push_back("credential-activation: SKIPPED (--insecure-skip-activation): nothing shows that the IAK "
                          "is in the TPM that owns the EK");
    env.warn("--insecure-skip-activation: minting without credential activation; nothing shows that the IAK is in "
             "the TPM that owns the EK certificate");
  } else {
    proof.notes.push_back(kActivationNotDone);
  }
  auto report_proof = [&](bool valid) {
    if (req.common.json) {
      if (!minting || !valid)
        *env.out << "{\"tcg_csr\":" << nlohmann::json(a.tcg_csr).dump() << ",\"valid\":" << (valid ? "true" : "false")
                 << ",\"attestation\":" << proof.json() << "}\n";
    } else {
      proof.print(*env.out);
    }
  };
  if (!csr_ok) {
    report_proof(false);
    return fail(Errc::untrusted, "--tcg-csr " + a.tcg_csr + ": failed checks: " + failed_names(proof));
  }
  if (!activation) {
    report_proof(false);
    return activation;
  }
  if (!minting) {
    report_proof(true);
    if (!req.common.json) *env.out << a.tcg_csr << ": every check a TCG-CSR-IDEVID allows passed\n";
    return {};
  }

  keys::KeyContext keys(req.common.keys);
  if (auto ok = open_issuer_key(*issuer, req.dev.ca_key, keys, "--ca-key"); !ok) return ok;
  if (d.model.empty()) d.model = v->csr.prod_model;
  auto spec = idevid_spec(req, d, *issuer, env.now(), not_after);
  add_attested_extensions(spec, v->hw_serial);
  // Without the activation, residency in the EK's TPM is not verified: no TCG capability policies.
  if (a.insecure_skip_activation) spec.policy_oids.clear();
  auto cert = x509::issue(spec, v->idevid.spki_der, &issuer->cert, *issuer->key);
  if (!cert) return fail(std::move(cert.error()));
  WriteOptions pem{req.common.force, 0644};
  Status s = write_file_atomic(req.dev.out, cert->pem(), pem);
  if (s && !req.dev.chain_out.empty()) s = write_file_atomic(req.dev.chain_out, pem_chain(*cert, &*issuer), pem);
  if (!s) return s;
  if (req.common.json) {
    report_certificate(env, true, req.dev.out, *cert, {{"product_instance_uri", d.uri}}, {{"attestation", proof.json()}});
  } else {
    report_proof(true);
    report_certificate(env, false, req.dev.out, *cert);
  }
  return {};
}

}  // namespace onboard::ops
