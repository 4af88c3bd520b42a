// What a CA checks in a TCG-CSR-IDEVID (TCG "TPM 2.0 Keys for Device Identity and Attestation"
// v1.00 r12 §6.2 (enrollment with a CA that cannot reach the TPM) and TCG-CSR-IDEVID). Credential
// activation is NOT among them: it needs a round trip with the TPM (attest.h).
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <tss2/tss2_tpm2_types.h>

#include "attest_internal.h"
#include "ossl.h"

namespace onboard::attest {
namespace {

// The IDevID's signature over the content bytes as received: DER ECDSA-Sig-Value or RSA PKCS#1 v1.5.
Status verify_content_signature(const TpmPublic& idevid, const TcgCsr& c) {
  auto key = detail::public_key(idevid);
  if (!key) return fail(std::move(key.error()));
  const EVP_MD* md = detail::digest_for(static_cast<std::uint16_t>(c.hash_algo_id));
  ossl::Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || !md || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key->get()) <= 0) return ossl::fail("EVP_DigestVerifyInit");
  if (EVP_PKEY_base_id(key->get()) == EVP_PKEY_RSA) EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
  int ok = EVP_DigestVerify(ctx.get(), c.signature.data(), c.signature.size(), c.content.data(), c.content.size());
  ossl::clear_errors();
  if (ok != 1) return fail(Errc::untrusted, "the signature over the content does not verify with signingPub's key");
  return {};
}

}  // namespace

bool VerifiedTcgCsr::all_passed() const {
  for (const auto& c : checks)
    if (!c.passed) return false;
  return !checks.empty();
}

Expected<VerifiedTcgCsr> inspect_tcg_csr(ByteView bytes, const std::vector<x509::Certificate>& anchors, UnixTime at) {
  auto csr = decode_tcg_csr(bytes);
  if (!csr) return fail(std::move(csr.error()));
  auto iak = parse_public(csr->attest_pub);
  if (!iak) return fail(std::move(iak.error()).context("TCG-CSR-IDEVID attestPub"));
  auto idevid = parse_public(csr->signing_pub);
  if (!idevid) return fail(std::move(idevid.error()).context("TCG-CSR-IDEVID signingPub"));
  auto ek = x509::Certificate::parse_der(csr->ek_cert, "TCG-CSR-IDEVID ekCert");
  if (!ek) return fail(std::move(ek.error()));

  VerifiedTcgCsr out{*csr, *ek, ek_hw_serial(*ek), *iak, *idevid, {}};
  auto add = [&](std::string name, const Status& s, std::string ok_detail) {
    out.checks.push_back({std::move(name), bool(s), s ? std::move(ok_detail) : s.error().message});
  };
  add("csr-signature", verify_content_signature(*idevid, *csr), "TCG-CSR-IDEVID signed by the IDevID key (signingPub)");
  add("idevid-template", check_idevid(*idevid), "IDevID key attributes fit the TCG template");
  add("iak-template", check_iak(*iak), "IAK attributes fit the TCG template");
  // The nonce in sgnCertifyInfo was chosen by the device, not by this CA: its freshness cannot be
  // judged from the CSR; the check reports it instead of comparing it.
  auto a = detail::parse_attest(csr->sgn_certify_info);
  Bytes nonce = a ? a->extra_data : Bytes{};
  for (auto& c : certify_checks(*iak, *idevid, csr->sgn_certify_info, csr->sgn_certify_info_sig, nonce)) {
    if (c.name == "certify-nonce") c.detail = "extraData " + hex_encode(nonce) + " (chosen by the device; freshness not checkable from a CSR)";
    out.checks.push_back(std::move(c));
  }
  // Optional: the IAK's TPM2_CertifyCreation by itself (atCertifyInfo/atCertifyInfoSig).
  if (!csr->at_certify_info.empty()) {
    auto ca = detail::parse_attest(csr->at_certify_info);
    Status s = !ca ? Status(fail(std::move(ca.error())))
               : ca->magic != TPM2_GENERATED_VALUE ? Status(fail(Errc::untrusted, "atCertifyInfo magic is not TPM_GENERATED_VALUE"))
               : ca->type != TPM2_ST_ATTEST_CREATION ? Status(fail(Errc::untrusted, "atCertifyInfo is not TPM_ST_ATTEST_CREATION"))
               : ca->certified_name != iak->name ? Status(fail(Errc::untrusted, "atCertifyInfo names another object than attestPub"))
               : detail::verify_tpm_signature(*iak, csr->at_certify_info, csr->at_certify_info_sig);
    add("iak-creation", s, "IAK creation certified by the IAK (TPM2_CertifyCreation)");
  }
  auto chain = verify_ek_chain(csr->ek_cert, anchors, at);
  add("ek-chain", chain ? Status{} : Status(fail(std::move(chain.error()))),
      "EK certificate serial " + ek->serial_hex() + " issued by " + ek->issuer() + " chains to --ek-ca");
  return out;
}

Expected<VerifiedTcgCsr> verify_tcg_csr(ByteView bytes, const std::vector<x509::Certificate>& anchors, UnixTime at) {
  auto r = inspect_tcg_csr(bytes, anchors, at);
  if (!r) return r;
  for (const auto& c : r->checks)
    if (!c.passed) return fail(Errc::untrusted, "TCG-CSR-IDEVID " + c.name + ": " + c.detail);
  return r;
}

}  // namespace onboard::attest
