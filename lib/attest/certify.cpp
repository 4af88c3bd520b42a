// TPM2_Certify results (TPM 2.0 Part 3 §18.2; TPMS_ATTEST Part 2 §10.12.12, TPMT_SIGNATURE
// §11.3.4): the IAK's signature over the attest structure and what the structure says.
// TCG "TPM 2.0 Keys for Device Identity and Attestation" v1.00 r12 §6.2 (IDevID certified by the IAK).
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include "attest_internal.h"
#include "ossl.h"

namespace onboard::attest {
namespace detail {

Expected<Attest> parse_attest(ByteView in) {
  TPMS_ATTEST a{};
  if (auto ok = detail::unmarshal_whole(Tss2_MU_TPMS_ATTEST_Unmarshal, in, "TPMS_ATTEST", a); !ok)
    return fail(std::move(ok.error()));
  Attest out;
  out.magic = a.magic;
  out.type = a.type;
  out.qualified_signer.assign(a.qualifiedSigner.name, a.qualifiedSigner.name + a.qualifiedSigner.size);
  out.extra_data.assign(a.extraData.buffer, a.extraData.buffer + a.extraData.size);
  if (a.type == TPM2_ST_ATTEST_CERTIFY)
    out.certified_name.assign(a.attested.certify.name.name, a.attested.certify.name.name + a.attested.certify.name.size);
  else if (a.type == TPM2_ST_ATTEST_CREATION)
    out.certified_name.assign(a.attested.creation.objectName.name,
                              a.attested.creation.objectName.name + a.attested.creation.objectName.size);
  return out;
}

namespace {

Status verify_with(const TpmPublic& signer, ByteView message, ByteView sig_der, std::uint16_t hash_alg, bool pss) {
  auto key = public_key(signer);
  if (!key) return fail(std::move(key.error()));
  const EVP_MD* md = digest_for(hash_alg);
  if (!md) return fail(Errc::untrusted, "signature hash " + alg_name(hash_alg) + " not accepted");
  ossl::Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key->get()) <= 0)
    return ossl::fail("EVP_DigestVerifyInit");
  if (EVP_PKEY_base_id(key->get()) == EVP_PKEY_RSA) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING);
    if (pss) EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO);
  }
  int ok = EVP_DigestVerify(ctx.get(), sig_der.data(), sig_der.size(), message.data(), message.size());
  ossl::clear_errors();
  if (ok != 1) return fail(Errc::untrusted, "signature does not verify with the " + signer.key_type + " key");
  return {};
}

}  // namespace

Status verify_tpm_signature(const TpmPublic& signer, ByteView message, ByteView in) {
  TPMT_SIGNATURE s{};
  if (auto ok = detail::unmarshal_whole(Tss2_MU_TPMT_SIGNATURE_Unmarshal, in, "TPMT_SIGNATURE", s); !ok) return ok;
  switch (s.sigAlg) {
    case TPM2_ALG_ECDSA: {
      if (signer.type != TPM2_ALG_ECC) return fail(Errc::untrusted, "ECDSA signature from a non-ECC key");
      ossl::Ptr<ECDSA_SIG> sig(ECDSA_SIG_new());
      BIGNUM* r = BN_bin2bn(s.signature.ecdsa.signatureR.buffer, s.signature.ecdsa.signatureR.size, nullptr);
      BIGNUM* sv = BN_bin2bn(s.signature.ecdsa.signatureS.buffer, s.signature.ecdsa.signatureS.size, nullptr);
      if (!sig || !r || !sv || ECDSA_SIG_set0(sig.get(), r, sv) != 1) {
        BN_free(r);
        BN_free(sv);
        return ossl::fail("ECDSA_SIG_set0");
      }
      Bytes der = ossl::to_der(i2d_ECDSA_SIG, sig.get());
      return verify_with(signer, message, der, s.signature.ecdsa.hash, false);
    }
    case TPM2_ALG_RSASSA:
    case TPM2_ALG_RSAPSS: {
      if (signer.type != TPM2_ALG_RSA) return fail(Errc::untrusted, "RSA signature from a non-RSA key");
      const auto& r = s.signature.rsassa;  // rsapss has the same layout
      return verify_with(signer, message, ByteView(r.sig.buffer, r.sig.size), r.hash, s.sigAlg == TPM2_ALG_RSAPSS);
    }
    default:
      return fail(Errc::untrusted, "signature scheme " + alg_name(s.sigAlg) + " not accepted");
  }
}

}  // namespace detail

std::vector<Check> certify_checks(const TpmPublic& iak, const TpmPublic& idevid, ByteView attest,
                                  ByteView signature, ByteView nonce) {
  std::vector<Check> checks;
  auto add = [&](std::string name, bool ok, std::string detail) {
    checks.push_back({std::move(name), ok, std::move(detail)});
  };
  auto a = detail::parse_attest(attest);
  if (!a) {
    add("certify-structure", false, a.error().message);
    return checks;
  }
  add("certify-magic", a->magic == TPM2_GENERATED_VALUE,
      a->magic == TPM2_GENERATED_VALUE ? "TPM_GENERATED_VALUE: made by a TPM"
                                       : "magic is not TPM_GENERATED_VALUE: not made by a TPM");
  char type[8];
  std::snprintf(type, sizeof type, "0x%04x", a->type);
  add("certify-type", a->type == TPM2_ST_ATTEST_CERTIFY,
      a->type == TPM2_ST_ATTEST_CERTIFY ? "TPM_ST_ATTEST_CERTIFY"
                                        : std::string("type ") + type + " is not TPM_ST_ATTEST_CERTIFY");
  bool nonce_ok = a->extra_data.size() == nonce.size() && std::equal(nonce.begin(), nonce.end(), a->extra_data.begin());
  add("certify-nonce", nonce_ok,
      nonce_ok ? "extraData is the nonce " + hex_encode(nonce)
               : "extraData " + hex_encode(a->extra_data) + " is not the nonce " + hex_encode(nonce) + " (replayed?)");
  bool name_ok = a->certified_name == idevid.name;
  add("certify-name", name_ok,
      name_ok ? "certified Name is the IDevID key's " + hex_encode(idevid.name)
              : "certified Name " + hex_encode(a->certified_name) + " is not the IDevID key's " + hex_encode(idevid.name));
  // Last: a structure the checks above refuse fails them by name, not only as a bad signature.
  auto sig = detail::verify_tpm_signature(iak, attest, signature);
  add("certify-signature", bool(sig), sig ? "TPM2_Certify signed by the IAK" : "IAK: " + sig.error().message);
  return checks;
}

Status check_certify(const TpmPublic& iak, const TpmPublic& idevid, ByteView attest, ByteView signature,
                     ByteView nonce) {
  if (auto a = detail::parse_attest(attest); !a) return fail(std::move(a.error()));
  for (const auto& c : certify_checks(iak, idevid, attest, signature, nonce))
    if (!c.passed) return fail(Errc::untrusted, c.name + ": " + c.detail);
  return {};
}

}  // namespace onboard::attest
