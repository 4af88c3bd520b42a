// The proofs of SPEC §13.7 on one device's TPM, in the order that lets each rest on the one
// before: the EK (genuine TPM) → the IAK (in that TPM) → the IDevID key (certified by the IAK).
#include <sys/random.h>

#include <ostream>

#include <nlohmann/json.hpp>

#include "attest.h"

namespace onboard::ops {
namespace {

using keys::tpm2::AttestSession;

Expected<Bytes> fresh_nonce() {
  Bytes nonce(32);
  std::size_t got = 0;
  while (got < nonce.size()) {
    ssize_t n = ::getrandom(nonce.data() + got, nonce.size() - got, 0);
    if (n <= 0) return fail(Errc::internal, "getrandom failed for the TPM2_Certify nonce");
    got += static_cast<std::size_t>(n);
  }
  return nonce;
}

bool same_bytes(ByteView a, ByteView b) {  // constant time over equal lengths: a secret compare
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ b[i];
  return diff == 0;
}


// A failed check: recorded, then returned as the run's error (exit 10).
Error refuse(Attestation& proof, const std::string& name, const std::string& why) {
  proof.add(name, false, why);
  return Error{Errc::untrusted, name + ": " + why};
}

// Template checks of one key (TCG §7.3: fixedTPM, fixedParent, sensitiveDataOrigin, sign, no
// decrypt; the IAK restricted, the IDevID not).
Status check_template(Attestation& proof, const char* name, const attest::TpmPublic& key, bool iak) {
  Status ok = iak ? attest::check_iak(key) : attest::check_idevid(key);
  if (!ok) return fail(refuse(proof, name, ok.error().message));
  proof.add(name, true,
            std::string(iak ? "restricted signing key" : "signing key") +
                " with fixedTPM, fixedParent, sensitiveDataOrigin, no decrypt (TCG template, " + key.key_type + ")");
  return {};
}

}  // namespace

Status ek_reaches_root(const x509::Certificate& ek_cert, const std::vector<x509::Certificate>& ek_ca) {
  const x509::Certificate* cur = &ek_cert;
  for (int depth = 0; depth < 8; ++depth) {
    const x509::Certificate* next = nullptr;
    for (const auto& c : ek_ca)
      if (c.is_ca() && cur->issuer() == c.subject() && cur->signed_by(c)) {
        next = &c;
        break;
      }
    if (!next) break;
    if (next->self_signed()) return {};
    cur = next;
  }
  return fail(Errc::untrusted, "the EK certificate (issuer " + ek_cert.issuer() +
                                   ") does not chain to a self-signed root given with --ek-ca: an intermediate CA "
                                   "alone is no anchor; add its root");
}

void Attestation::add(std::string name, bool passed, std::string detail) {
  checks.push_back({std::move(name), passed, std::move(detail)});
}

std::string Attestation::json() const {
  nlohmann::ordered_json j;
  j["checks"] = nlohmann::ordered_json::array();
  for (const auto& c : checks) j["checks"].push_back({{"name", c.name}, {"passed", c.passed}, {"detail", c.detail}});
  if (ek_cert)
    j["ek_certificate"] = {{"subject", ek_cert->subject()}, {"issuer", ek_cert->issuer()}, {"serial", ek_cert->serial_hex()}};
  if (!hw_serial.empty()) j["hw_serial"] = hex_encode(hw_serial);
  if (!notes.empty()) j["notes"] = notes;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Attestation::print(std::ostream& out) const {
  for (const auto& c : checks)
    out << "attestation: " << c.name << ": " << (c.passed ? "ok" : "FAILED") << ": " << c.detail << "\n";
  for (const auto& n : notes) out << "attestation: " << n << "\n";
}


Expected<AttestedDevice> attest_device(const AttestSetup& setup, const std::string& tcti, std::uint32_t idevid_handle,
                                       bool new_key, UnixTime now, Attestation& proof) {
  keys::tpm2::AttestOptions o;
  o.tcti = tcti;
  o.key_type = setup.key_type;
  o.iak_handle = setup.iak_handle;
  o.idevid_handle = idevid_handle;
  o.use_existing = !new_key;
  auto session = AttestSession::open(o);
  if (!session) return fail(std::move(session.error()));
  AttestedDevice dev;
  dev.idevid_handle = idevid_handle;
  dev.session.emplace(std::move(*session));
  AttestSession& s = *dev.session;

  // 1. A genuine TPM: its EK certificate (NV), chained to --ek-ca, for the EK it holds.
  auto ek = s.endorsement_key();
  if (!ek) {
    if (ek.error().code == Errc::untrusted) return fail(refuse(proof, "ek-certificate", ek.error().message));
    return fail(std::move(ek.error()));
  }
  dev.ek = std::move(*ek);
  proof.add("ek-certificate", true,
            "EK " + keys::tpm2::ek_type_name(dev.ek.type) + " certificate read from NV " + keys::tpm2::hex_handle(dev.ek.nv_index));
  auto verified = attest::verify_ek(dev.ek.certificate_der, dev.ek.public_area, setup.ek_anchors, now);
  if (!verified)  // a malformed EK certificate proves nothing either: untrusted
    return fail(refuse(proof, "ek-chain", "the TPM's EK certificate is not trusted through --ek-ca: " + verified.error().message));
  if (auto ok = ek_reaches_root(verified->cert, setup.ek_anchors); !ok)
    return fail(refuse(proof, "ek-chain", ok.error().message));
  proof.ek_cert = verified->cert;
  proof.hw_serial = dev.hw_serial = verified->hw_serial;
  proof.add("ek-chain", true, verified->summary);

  // 2. The keys: from the TCG templates (new) or those at the handles, checked against the templates.
  if (auto ok = s.create_keys(); !ok) {
    if (ok.error().code == Errc::untrusted) return fail(refuse(proof, "keys", ok.error().message));
    return fail(std::move(ok.error()));
  }
  auto iak = attest::parse_public(s.iak_public());
  if (!iak) return fail(refuse(proof, "iak-template", iak.error().message));
  auto idevid = attest::parse_public(s.idevid_public());
  if (!idevid) return fail(refuse(proof, "idevid-template", idevid.error().message));
  dev.iak = std::move(*iak);
  dev.idevid = std::move(*idevid);
  if (auto ok = check_template(proof, "iak-template", dev.iak, true); !ok) return fail(std::move(ok.error()));
  if (auto ok = check_template(proof, "idevid-template", dev.idevid, false); !ok) return fail(std::move(ok.error()));

  // 3. The IAK is in the TPM that owns the EK: only that TPM can release a secret sealed to the
  //    EK for an object of the IAK's name (TCG §6.1.2, TPM2_MakeCredential/ActivateCredential).
  auto challenge = attest::make_credential(verified->ek, dev.iak.name);
  if (!challenge) return fail(std::move(challenge.error()).context("TPM2_MakeCredential"));
  auto released = s.activate_credential(challenge->credential_blob, challenge->encrypted_secret);
  if (!released) return fail(std::move(released.error()));
  if (!same_bytes(*released, challenge->secret))
    return fail(refuse(proof, "credential-activation",
                       "the TPM released another secret than the one sealed to its EK for the IAK's name"));
  proof.add("credential-activation", true, "the TPM owning the EK released the secret sealed for the IAK's name");

  // 4. The IDevID key is in the same TPM: TPM2_Certify by the IAK over a nonce chosen now.
  auto nonce = fresh_nonce();
  if (!nonce) return fail(std::move(nonce.error()));
  auto certified = s.certify(*nonce);
  if (!certified) return fail(std::move(certified.error()));
  bool all = true;
  std::string first_failure;
  for (auto& c : attest::certify_checks(dev.iak, dev.idevid, certified->attest, certified->signature, *nonce)) {
    if (!c.passed && all) {
      all = false;
      first_failure = c.name + ": " + c.detail;
    }
    proof.checks.push_back(std::move(c));
  }
  if (!all) return fail(Errc::untrusted, first_failure);
  dev.certified = std::move(*certified);
  // What TPM2_Certify vouches for is the name, a digest of the public area checked in step 2:
  // the certified key is the template-conformant one (fixedTPM, fixedParent, ...).
  bool fixed = (dev.idevid.attributes & attest::kFixedTpm) && (dev.idevid.attributes & attest::kFixedParent) &&
               (dev.idevid.attributes & attest::kSensitiveDataOrigin) && (dev.idevid.attributes & attest::kSign) &&
               !(dev.idevid.attributes & attest::kDecrypt);
  if (!fixed) return fail(refuse(proof, "certified-key-fixedtpm", "the certified key lacks fixedTPM/fixedParent/sign or can decrypt"));
  proof.add("certified-key-fixedtpm", true,
            "the key certified by the IAK (name " + hex_encode(dev.idevid.name) +
                ") is fixedTPM, fixedParent, sensitiveDataOrigin, sign, not decrypt");
  return dev;
}

void add_attested_extensions(x509::CertSpec& spec, const Bytes& hw_serial) {
  spec.hardware_module_name = x509::HardwareModuleName{x509::kOidTpm20HwType, hw_serial};
  spec.policy_oids = {x509::kOidVerifiedTpmResidency, x509::kOidVerifiedTpmFixed};
}

Expected<x509::Certificate> issue_iak_certificate(const x509::CertSpec& idevid_spec, ByteView iak_spki, Issuer& issuer) {
  x509::CertSpec spec = idevid_spec;
  spec.profile = x509::Profile::iak;
  spec.san_uris.clear();  // the IAK names the TPM (hardwareModuleName), not the ProductInstanceUri
  spec.policy_oids.clear();
  spec.encode_only = false;
  auto cert = x509::issue(spec, iak_spki, &issuer.cert, *issuer.key);
  if (!cert) return fail(std::move(cert.error()).context("IAK certificate"));
  return cert;
}

Expected<Bytes> make_tcg_csr(const AttestedDevice& dev, const std::string& tcti, const keys::KeyOptions& key_options,
                             const std::string& model, const std::string& serial) {
  keys::KeyOptions o = key_options;
  o.tcti = tcti;
  keys::KeyContext keys(o);
  auto uri = keys::parse_key_uri("tpm2:handle=" + keys::tpm2::hex_handle(dev.idevid_handle));
  if (!uri) return fail(std::move(uri.error()));
  auto signer = keys.open(*uri);
  if (!signer) return fail(std::move(signer.error()).context("--tcg-csr-out: the IDevID key"));
  attest::TcgCsr csr;
  csr.prod_model = model;
  csr.prod_serial = serial;
  csr.ek_cert = dev.ek.certificate_der;
  csr.attest_pub = dev.iak.area;
  csr.signing_pub = dev.idevid.area;
  csr.sgn_certify_info = dev.certified.attest;
  csr.sgn_certify_info_sig = dev.certified.signature;
  bool sha384 = (*signer)->key_type() == keys::KeyType::p384;
  csr.hash_algo_id = sha384 ? 0x000C : 0x000B;  // TPM_ALG_SHA384 / TPM_ALG_SHA256: the signature's digest
  csr.hash_size = sha384 ? 48 : 32;
  auto der = attest::encode_tcg_csr(csr, **signer);
  if (!der) return fail(std::move(der.error()).context("--tcg-csr-out"));
  return der;
}

}  // namespace onboard::ops
