// TPMT_PUBLIC parsing (TPM 2.0 Part 2 §12.2.4) and the TCG IAK / IDevID template checks
// (TCG "TPM 2.0 Keys for Device Identity and Attestation" v1.00 r12 §7.3).
#include <cstring>

#include <openssl/core_names.h>
#include <openssl/obj_mac.h>
#include <tss2/tss2_mu.h>

#include "attest_internal.h"
#include "ossl.h"

namespace onboard::attest {
namespace detail {

const EVP_MD* digest_for(std::uint16_t alg) {
  switch (alg) {
    case TPM2_ALG_SHA256: return EVP_sha256();
    case TPM2_ALG_SHA384: return EVP_sha384();
    case TPM2_ALG_SHA512: return EVP_sha512();
    default: return nullptr;
  }
}

std::string alg_name(std::uint16_t alg) {
  switch (alg) {
    case TPM2_ALG_SHA1: return "sha1";
    case TPM2_ALG_SHA256: return "sha256";
    case TPM2_ALG_SHA384: return "sha384";
    case TPM2_ALG_SHA512: return "sha512";
    case TPM2_ALG_RSA: return "rsa";
    case TPM2_ALG_ECC: return "ecc";
    case TPM2_ALG_ECDSA: return "ecdsa";
    case TPM2_ALG_RSASSA: return "rsassa";
    case TPM2_ALG_RSAPSS: return "rsapss";
    case TPM2_ALG_NULL: return "null";
    default: {
      char buf[16];
      std::snprintf(buf, sizeof buf, "0x%04x", alg);
      return buf;
    }
  }
}

Bytes hash(std::uint16_t alg, ByteView data) {
  const EVP_MD* md = digest_for(alg);
  if (!md) return {};
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &n, md, nullptr);
  out.resize(n);
  return out;
}

Expected<Pkey> public_key(const TpmPublic& pub) {
  const unsigned char* p = pub.spki_der.data();
  Pkey key(d2i_PUBKEY(nullptr, &p, static_cast<long>(pub.spki_der.size())));
  if (!key) return ossl::fail("d2i_PUBKEY", Errc::malformed);
  return key;
}

}  // namespace detail

namespace {

Expected<ossl::Ptr<EVP_PKEY>> from_params(const char* type, OSSL_PARAM_BLD* bld) {
  ossl::Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld));
  ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
    return ossl::fail("EVP_PKEY_fromdata", Errc::malformed);
  return ossl::Ptr<EVP_PKEY>(key);
}

// The public key of a TPMT_PUBLIC as SubjectPublicKeyInfo, and its key type name.
Status set_key(const TPMT_PUBLIC& t, TpmPublic& out) {
  ossl::Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (t.type == TPM2_ALG_RSA) {
    const auto& rsa = t.unique.rsa;
    if (rsa.size == 0 || rsa.size * 8u != t.parameters.rsaDetail.keyBits)
      return fail(Errc::malformed, "TPMT_PUBLIC: RSA modulus size does not match keyBits");
    ossl::Ptr<BIGNUM> n(BN_bin2bn(rsa.buffer, rsa.size, nullptr));
    std::uint32_t e = t.parameters.rsaDetail.exponent ? t.parameters.rsaDetail.exponent : 65537;
    ossl::Ptr<BIGNUM> bn_e(BN_new());
    BN_set_word(bn_e.get(), e);
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get());
    auto key = from_params("RSA", bld.get());
    if (!key) return fail(std::move(key.error()));
    out.spki_der = ossl::spki_der(key->get());
    out.key_type = "rsa" + std::to_string(t.parameters.rsaDetail.keyBits);
    return {};
  }
  if (t.type == TPM2_ALG_ECC) {
    const char* group = nullptr;
    std::size_t size = 0;
    switch (t.parameters.eccDetail.curveID) {
      case TPM2_ECC_NIST_P256: group = "P-256", size = 32, out.key_type = "p256"; break;
      case TPM2_ECC_NIST_P384: group = "P-384", size = 48, out.key_type = "p384"; break;
      case TPM2_ECC_NIST_P521: group = "P-521", size = 66, out.key_type = "p521"; break;
      default: return fail(Errc::malformed, "TPMT_PUBLIC: unsupported ECC curve " +
                                                std::to_string(t.parameters.eccDetail.curveID));
    }
    const auto& pt = t.unique.ecc;
    if (pt.x.size == 0 || pt.x.size > size || pt.y.size == 0 || pt.y.size > size)
      return fail(Errc::malformed, "TPMT_PUBLIC: ECC point coordinates of the wrong size");
    Bytes point(1 + 2 * size, 0);
    point[0] = 0x04;  // uncompressed; coordinates left-padded
    std::memcpy(point.data() + 1 + size - pt.x.size, pt.x.buffer, pt.x.size);
    std::memcpy(point.data() + 1 + 2 * size - pt.y.size, pt.y.buffer, pt.y.size);
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    auto key = from_params("EC", bld.get());
    if (!key) return fail(Errc::malformed, "TPMT_PUBLIC: ECC point not on the curve");
    out.spki_der = ossl::spki_der(key->get());
    return {};
  }
  return fail(Errc::malformed, "TPMT_PUBLIC: key type " + detail::alg_name(t.type) + " is not RSA or ECC");
}

}  // namespace

Expected<TpmPublic> parse_public(ByteView in) {
  // A TPM2B_PUBLIC (size prefix covering exactly the rest) is accepted too: tpm2-tools write those.
  if (in.size() >= 2 && static_cast<std::size_t>(in[0] << 8 | in[1]) == in.size() - 2 && in.size() > 2)
    in = in.subspan(2);
  TPMT_PUBLIC t{};
  if (auto ok = detail::unmarshal_whole(Tss2_MU_TPMT_PUBLIC_Unmarshal, in, "TPMT_PUBLIC", t); !ok)
    return fail(std::move(ok.error()));
  TpmPublic out;
  out.area.assign(in.begin(), in.end());
  out.type = t.type;
  out.name_alg = t.nameAlg;
  out.attributes = t.objectAttributes;
  out.auth_policy.assign(t.authPolicy.buffer, t.authPolicy.buffer + t.authPolicy.size);
  if (!detail::digest_for(t.nameAlg))
    return fail(Errc::malformed, "TPMT_PUBLIC: nameAlg " + detail::alg_name(t.nameAlg) + " not supported");
  // Name = nameAlg || H_nameAlg(TPMT_PUBLIC) (Part 1 §16).
  out.name = {static_cast<std::uint8_t>(t.nameAlg >> 8), static_cast<std::uint8_t>(t.nameAlg)};
  Bytes h = detail::hash(t.nameAlg, out.area);
  out.name.insert(out.name.end(), h.begin(), h.end());
  if (auto s = set_key(t, out); !s) return fail(std::move(s.error()));
  return out;
}

namespace {

// TCG v1.00 r12 §7.3.1: both keys fixedTPM, fixedParent, sensitiveDataOrigin, sign, not decrypt,
// nameAlg SHA-256 or stronger; the IAK restricted (it signs only TPM-generated data: §7.3.4),
// the IDevID not restricted (it signs protocol messages).
Status check_template(const TpmPublic& k, const char* what, bool restricted) {
  struct Bit { std::uint32_t bit; bool want; const char* name; };
  const Bit bits[] = {{kFixedTpm, true, "fixedTPM"},
                      {kFixedParent, true, "fixedParent"},
                      {kSensitiveDataOrigin, true, "sensitiveDataOrigin"},
                      {kSign, true, "sign"},
                      {kDecrypt, false, "decrypt"},
                      {kRestricted, restricted, "restricted"}};
  for (const auto& b : bits) {
    bool has = (k.attributes & b.bit) != 0;
    if (has != b.want)
      return fail(Errc::untrusted, std::string(what) + " key " + (b.want ? "lacks " : "has ") + b.name +
                                       " (TCG IAK/IDevID template, TPMA_OBJECT 0x" +
                                       [&] { char buf[16]; std::snprintf(buf, sizeof buf, "%08x", k.attributes); return std::string(buf); }() + ")");
  }
  if (k.name_alg != TPM2_ALG_SHA256 && k.name_alg != TPM2_ALG_SHA384 && k.name_alg != TPM2_ALG_SHA512)
    return fail(Errc::untrusted, std::string(what) + " key nameAlg " + detail::alg_name(k.name_alg) +
                                     " is weaker than the TCG templates' SHA-256");
  return {};
}

}  // namespace

Status check_iak(const TpmPublic& iak) { return check_template(iak, "IAK", true); }
Status check_idevid(const TpmPublic& idevid) { return check_template(idevid, "IDevID", false); }

}  // namespace onboard::attest
