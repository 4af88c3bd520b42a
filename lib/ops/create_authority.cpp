#include "common.h"

namespace onboard::ops {

// SPEC §3 root-ca / issuing-ca / ticket-signer; §12 command line.
Status create_authority(const CreateAuthorityRequest& req, Env& env) {
  // Parse, then act (DESIGN rule 7): every input is checked before a key is touched.
  auto profile = x509::parse_profile(req.profile);
  if (!profile || *profile == x509::Profile::idevid || *profile == x509::Profile::ldevid)
    return fail(Errc::usage, "--profile must be root-ca, issuing-ca, ticket-signer or tsa");
  bool root = *profile == x509::Profile::root_ca;
  if (root && (!req.issuer_cert.empty() || !req.issuer_key.empty()))
    return fail(Errc::usage, "a root-ca is self-signed: do not give --ca-cert/--ca-key");
  if (!root && (req.issuer_cert.empty() || req.issuer_key.empty()))
    return fail(Errc::usage, "--profile " + req.profile + " needs --ca-cert and --ca-key");
  if (req.days > 0 && !req.not_after.empty()) return fail(Errc::usage, "give --days or --not-after, not both");
  if (req.days < 0) return fail(Errc::usage, "--days must be positive");
  // Part 21 §6.1: issuer certificates of a ticket-signing chain carry cRLDistributionPoints or
  // authorityInfoAccess (SPEC §13.2).
  bool revocation_info = !req.crl_urls.empty() || !req.ocsp_urls.empty();
  bool needs_revocation_info = *profile == x509::Profile::issuing_ca || *profile == x509::Profile::ticket_signer;
  if (req.no_revocation_info && revocation_info)
    return fail(Errc::usage, "--no-revocation-info contradicts --crl-url/--ocsp-url: give one or the other");
  if (needs_revocation_info && !revocation_info && !req.no_revocation_info)
    return fail(Errc::usage, "--profile " + req.profile + " needs --crl-url URL or --ocsp-url URL (Part 21 §6.1: "
                             "certificates of a ticket-signing chain say where their revocation is published), or "
                             "--no-revocation-info to issue without");
  auto key_uri = keys::parse_key_uri(req.key);
  if (!key_uri) return fail(std::move(key_uri.error()).context("--key"));
  auto key_type = keys::parse_key_type(req.key_type);
  if (!key_type) return fail(std::move(key_type.error()));
  const UnixTime now = env.now();
  x509::CertSpec spec;
  spec.profile = *profile;
  spec.subject = req.subject;
  spec.not_before = now;
  auto not_after = time_or(req.not_after, req.days > 0 ? now + req.days * 86400LL : x509::default_not_after(*profile, now),
                           "--not-after");
  if (!not_after) return fail(std::move(not_after.error()));
  spec.not_after = *not_after;
  spec.crl_urls = req.crl_urls;
  spec.ocsp_urls = req.ocsp_urls;
  std::optional<Issuer> issuer;
  if (!root) {  // SPEC §13.2 preflight, before any key is generated or file written
    auto loaded = load_issuer_cert(req.issuer_cert, "", "--ca-cert", "--ca-key", now,
                                   *profile == x509::Profile::issuing_ca);
    if (!loaded) return fail(std::move(loaded.error()));
    issuer = std::move(*loaded);
    std::string requested = req.days > 0 ? "--days" : !req.not_after.empty() ? "--not-after" : "";
    auto fitted = not_after_within_issuer(*issuer, *profile, spec.not_after, requested, env);
    if (!fitted) return fail(std::move(fitted.error()));
    spec.not_after = *fitted;
  }
  if (needs_revocation_info && req.no_revocation_info)
    env.warn("--no-revocation-info: " + req.subject + " names no CRL or OCSP URL; Part 21 §6.1 asks for one on the "
             "certificates of a ticket-signing chain, and verifiers cannot check its revocation");
  if (auto ok = check_writable(req.out, req.common.force); !ok) return ok;

  // An authority's new key file is protected by --pass-source (device keys made by the device
  // tools are not: a CA passphrase must not become every device key's passphrase).
  keys::KeyOptions key_options = req.common.keys;
  key_options.new_key_pass_source = key_options.pass_source;
  keys::KeyContext keys(key_options);
  if (issuer) {
    if (auto ok = open_issuer_key(*issuer, req.issuer_key, keys, "--ca-key"); !ok) return ok;
  }
  auto subject_key = device_key(keys, req.key, req.new_key, req.key_type, false, "--key");
  if (!subject_key) return fail(std::move(subject_key.error()));
  auto cert = x509::issue(spec, subject_key->signer->public_key_der(), issuer ? &issuer->cert : nullptr,
                          root ? *subject_key->signer : *issuer->key);
  Status written = cert ? write_file_atomic(req.out, cert->pem(), {req.common.force, 0644}) : Status(fail(cert.error()));
  if (!written) {
    discard_created_key(*subject_key);
    return written;
  }
  report_certificate(env, req.common.json, req.out, *cert, {{"profile", req.profile}, {"key", subject_key->uri}});
  return {};
}

}  // namespace onboard::ops
