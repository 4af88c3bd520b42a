#include "tpm2_templates.h"

#include <cstring>
#include <string_view>

#include "ossl.h"

namespace onboard::keys::tpm2 {
namespace {

constexpr TPMA_OBJECT kEkAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                      TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
                                      TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
// EK Credential Profile B.3.2 policy A: TPM2_PolicySecret(TPM_RH_ENDORSEMENT), SHA-256.
constexpr std::uint8_t kPolicyA[32] = {0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc,
                                       0x8d, 0x46, 0xa5, 0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52,
                                       0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa};

// TCG Device Identity rev 12 §7.3.4.1 Table 3: IAK and IDevID both fixedTPM, fixedParent,
// sensitiveDataOrigin, userWithAuth, adminWithPolicy, sign; the IAK also restricted.
constexpr TPMA_OBJECT kDevIdAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                         TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                                         TPMA_OBJECT_ADMINWITHPOLICY | TPMA_OBJECT_SIGN_ENCRYPT;
// §7.3.1: the unique field of the templates holds the ASCII strings "IAK" and "IDEVID" (in
// unique.rsa, or in both unique.ecc.x and unique.ecc.y), so the primary keys derived from the
// endorsement primary seed are the same each time they are created.
constexpr std::string_view kUniqueIak = "IAK";
constexpr std::string_view kUniqueIdevid = "IDEVID";

template <class B>
void set_buffer(B& b, std::string_view s) {
  b.size = static_cast<UINT16>(s.size());
  std::memcpy(b.buffer, s.data(), s.size());
}

Expected<TPM2B_PUBLIC> devid_template(KeyType type, bool iak) {
  auto hash = name_alg(type);
  if (!hash) return fail(std::move(hash.error()));
  auto policy = admin_policy(*hash, admin_commands(iak));
  if (!policy) return fail(std::move(policy.error()));
  TPM2B_PUBLIC t{};
  TPMT_PUBLIC& p = t.publicArea;
  p.nameAlg = *hash;
  p.objectAttributes = kDevIdAttributes | (iak ? TPMA_OBJECT_RESTRICTED : 0);
  p.authPolicy.size = static_cast<UINT16>(policy->size());
  std::memcpy(p.authPolicy.buffer, policy->data(), policy->size());
  std::string_view unique = iak ? kUniqueIak : kUniqueIdevid;
  if (type == KeyType::rsa2048) {
    // Table 4, H-1: RSA-2048, exponent 2^16+1; the IAK signs RSASSA-PSS/SHA-256 (a restricted
    // signing key names its scheme), the IDevID has no fixed scheme (PKCS#1 v1.5 or PSS).
    p.type = TPM2_ALG_RSA;
    p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
    p.parameters.rsaDetail.scheme.scheme = iak ? TPM2_ALG_RSAPSS : TPM2_ALG_NULL;
    if (iak) p.parameters.rsaDetail.scheme.details.rsapss.hashAlg = TPM2_ALG_SHA256;
    p.parameters.rsaDetail.keyBits = 2048;
    p.parameters.rsaDetail.exponent = 0;
    set_buffer(p.unique.rsa, unique);
    return t;
  }
  // Table 4, H-2 (P-256/SHA-256) and H-3 (P-384/SHA-384): ECDSA with the name algorithm.
  p.type = TPM2_ALG_ECC;
  p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
  p.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
  p.parameters.eccDetail.scheme.details.ecdsa.hashAlg = *hash;
  p.parameters.eccDetail.curveID = type == KeyType::p256 ? TPM2_ECC_NIST_P256 : TPM2_ECC_NIST_P384;
  p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  set_buffer(p.unique.ecc.x, unique);
  set_buffer(p.unique.ecc.y, unique);
  return t;
}

const EVP_MD* md_of(TPMI_ALG_HASH hash) {
  switch (hash) {
    case TPM2_ALG_SHA256: return EVP_sha256();
    case TPM2_ALG_SHA384: return EVP_sha384();
    case TPM2_ALG_SHA512: return EVP_sha512();
    default: return nullptr;
  }
}

Expected<Bytes> digest(TPMI_ALG_HASH hash, ByteView data) {
  const EVP_MD* md = md_of(hash);
  if (!md) return fail(Errc::internal, "unsupported policy hash algorithm");
  Bytes out(EVP_MD_get_size(md));
  unsigned int n = 0;
  if (!EVP_Digest(data.data(), data.size(), out.data(), &n, md, nullptr)) return ossl::fail("EVP_Digest");
  out.resize(n);
  return out;
}

void put_u32(Bytes& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}

}  // namespace

Expected<ossl::Ptr<EVP_PKEY>> public_key_of(const TPMT_PUBLIC& p) {
  ossl::Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  ossl::Ptr<BIGNUM> n, e;
  Bytes point;
  const char* kind = nullptr;
  if (p.type == TPM2_ALG_RSA) {
    kind = "RSA";
    n.reset(BN_bin2bn(p.unique.rsa.buffer, p.unique.rsa.size, nullptr));
    e.reset(BN_new());
    if (!n || !e || !BN_set_word(e.get(), p.parameters.rsaDetail.exponent ? p.parameters.rsaDetail.exponent : 65537) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), "n", n.get()) || !OSSL_PARAM_BLD_push_BN(bld.get(), "e", e.get()))
      return ossl::fail("OSSL_PARAM_BLD_push_BN");
  } else if (p.type == TPM2_ALG_ECC) {
    kind = "EC";
    std::size_t field = p.parameters.eccDetail.curveID == TPM2_ECC_NIST_P384 ? 48 : 32;
    const char* group = field == 48 ? "secp384r1" : "prime256v1";
    const auto& x = p.unique.ecc.x;
    const auto& y = p.unique.ecc.y;
    if (x.size > field || y.size > field) return fail(Errc::malformed, "EC point larger than the curve");
    point.assign(1 + 2 * field, 0);
    point[0] = 0x04;
    std::memcpy(point.data() + 1 + field - x.size, x.buffer, x.size);
    std::memcpy(point.data() + 1 + 2 * field - y.size, y.buffer, y.size);
    if (!OSSL_PARAM_BLD_push_utf8_string(bld.get(), "group", group, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), "pub", point.data(), point.size()))
      return ossl::fail("OSSL_PARAM_BLD_push");
  } else {
    return fail(Errc::malformed, "not an RSA or ECC key");
  }
  ossl::Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, kind, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
    return ossl::fail("EVP_PKEY_fromdata");
  return ossl::Ptr<EVP_PKEY>(key);
}

TPM2B_PUBLIC ek_template(EkType type) {
  TPM2B_PUBLIC t{};
  TPMT_PUBLIC& p = t.publicArea;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = kEkAttributes;
  p.authPolicy.size = sizeof kPolicyA;
  std::memcpy(p.authPolicy.buffer, kPolicyA, sizeof kPolicyA);
  if (type == EkType::rsa2048) {  // L-1: AES-128-CFB, no scheme, 2048 bits, unique 256 zero bytes
    p.type = TPM2_ALG_RSA;
    p.parameters.rsaDetail.symmetric = {TPM2_ALG_AES, {.aes = 128}, {.aes = TPM2_ALG_CFB}};
    p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
    p.parameters.rsaDetail.keyBits = 2048;
    p.parameters.rsaDetail.exponent = 0;
    p.unique.rsa.size = 256;
  } else {  // L-2: AES-128-CFB, no scheme, NIST P-256, no KDF, unique x and y 32 zero bytes each
    p.type = TPM2_ALG_ECC;
    p.parameters.eccDetail.symmetric = {TPM2_ALG_AES, {.aes = 128}, {.aes = TPM2_ALG_CFB}};
    p.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
    p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    p.unique.ecc.x.size = 32;
    p.unique.ecc.y.size = 32;
  }
  return t;
}

Expected<TPMI_ALG_HASH> name_alg(KeyType type) {
  switch (type) {
    case KeyType::p256:
    case KeyType::rsa2048: return TPM2_ALG_SHA256;
    case KeyType::p384: return TPM2_ALG_SHA384;
    default: break;
  }
  return fail(Errc::usage, "TPM attestation keys (TCG IAK/IDevID templates) are p256, p384 or rsa2048, not " +
                               key_type_name(type));
}

Expected<TPM2B_PUBLIC> iak_template(KeyType type) { return devid_template(type, true); }
Expected<TPM2B_PUBLIC> idevid_template(KeyType type) { return devid_template(type, false); }

std::vector<TPM2_CC> admin_commands(bool for_iak) {
  if (for_iak) return {TPM2_CC_ActivateCredential, TPM2_CC_Certify};
  return {TPM2_CC_Certify};
}

Expected<Bytes> policy_command_code(TPMI_ALG_HASH hash, TPM2_CC cc) {
  const EVP_MD* md = md_of(hash);
  if (!md) return fail(Errc::internal, "unsupported policy hash algorithm");
  Bytes in(EVP_MD_get_size(md), 0);  // policyDigest starts as zeros
  put_u32(in, TPM2_CC_PolicyCommandCode);
  put_u32(in, cc);
  return digest(hash, in);
}

Expected<Bytes> policy_or(TPMI_ALG_HASH hash, const std::vector<Bytes>& branches) {
  if (branches.size() == 1) return branches.front();
  const EVP_MD* md = md_of(hash);
  if (!md) return fail(Errc::internal, "unsupported policy hash algorithm");
  Bytes in(EVP_MD_get_size(md), 0);  // PolicyOR resets the digest to zeros first
  put_u32(in, TPM2_CC_PolicyOR);
  for (const Bytes& b : branches) in.insert(in.end(), b.begin(), b.end());
  return digest(hash, in);
}

Expected<Bytes> admin_policy(TPMI_ALG_HASH hash, const std::vector<TPM2_CC>& commands) {
  std::vector<Bytes> branches;
  for (TPM2_CC cc : commands) {
    auto b = policy_command_code(hash, cc);
    if (!b) return fail(std::move(b.error()));
    branches.push_back(std::move(*b));
  }
  return policy_or(hash, branches);
}

Expected<Bytes> template_auth_policy(KeyType type, bool for_iak) {
  auto hash = name_alg(type);
  if (!hash) return fail(std::move(hash.error()));
  return admin_policy(*hash, admin_commands(for_iak));
}

std::string ek_type_name(EkType t) { return t == EkType::rsa2048 ? "RSA-2048 (L-1)" : "ECC P-256 (L-2)"; }
std::uint32_t ek_certificate_nv_index(EkType t) { return t == EkType::rsa2048 ? 0x01c00002 : 0x01c0000a; }

}  // namespace onboard::keys::tpm2
