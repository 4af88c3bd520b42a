#include "tpm2_keygen.h"

#include <cstdlib>

#include "tpm2_esys.h"

namespace onboard::keys::tpm2 {
namespace {

// The TCG storage root key template (ECC P-256, AES-128-CFB), as tpm2-tools' default primary.
TPM2B_PUBLIC storage_primary_template() {
  TPM2B_PUBLIC t{};
  TPMT_PUBLIC& p = t.publicArea;
  p.type = TPM2_ALG_ECC;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                       TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
  p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
  p.parameters.eccDetail.symmetric.keyBits.aes = 128;
  p.parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
  p.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
  p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
  p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  return t;
}

// SPEC §4: fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, sign (and nothing else:
// no decrypt, no restricted). ECDSA keys are bound to the hash SPEC §3 pairs with the curve.
Expected<TPM2B_PUBLIC> signing_key_template(KeyType type) {
  TPM2B_PUBLIC t{};
  TPMT_PUBLIC& p = t.publicArea;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                       TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_SIGN_ENCRYPT;
  switch (type) {
    case KeyType::p256:
    case KeyType::p384:
      p.type = TPM2_ALG_ECC;
      p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
      p.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
      p.parameters.eccDetail.scheme.details.ecdsa.hashAlg = type == KeyType::p256 ? TPM2_ALG_SHA256 : TPM2_ALG_SHA384;
      p.parameters.eccDetail.curveID = type == KeyType::p256 ? TPM2_ECC_NIST_P256 : TPM2_ECC_NIST_P384;
      p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
      return t;
    case KeyType::rsa2048:
    case KeyType::rsa3072:
    case KeyType::rsa4096:
      p.type = TPM2_ALG_RSA;
      p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
      p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;  // PKCS#1 v1.5 and PSS (RS256, PS256)
      p.parameters.rsaDetail.keyBits = type == KeyType::rsa2048 ? 2048 : type == KeyType::rsa3072 ? 3072 : 4096;
      p.parameters.rsaDetail.exponent = 0;  // 65537
      return t;
    case KeyType::ed25519: break;
  }
  return fail(Errc::usage, "TPM 2.0 has no Ed25519 keys; use p256, p384 or rsa2048");
}

}  // namespace

std::string tcti_config(const KeyOptions& options) {
  if (!options.tcti.empty()) return options.tcti;
  const char* env = std::getenv("TPM2OPENSSL_TCTI");
  return env ? env : "";
}

std::string tcti_label(const std::string& conf) { return conf.empty() ? "the default TCTI" : "TCTI '" + conf + "'"; }

void quiet_tss_logging() { ::setenv("TSS2_LOG", "all+none", 0); }

Expected<bool> handle_in_use(const std::string& tcti, std::uint32_t handle) {
  auto conn = connect(tcti);
  if (!conn) return fail(std::move(conn.error()));
  return in_use(conn->esys.get(), handle);
}

Status create_persistent_key(const std::string& tcti, std::uint32_t handle, KeyType type) {
  auto key_template = signing_key_template(type);
  if (!key_template) return fail(std::move(key_template.error()));
  auto conn = connect(tcti);
  if (!conn) return fail(std::move(conn.error()));
  ESYS_CONTEXT* esys = conn->esys.get();
  if (auto ok = check_handle_free(esys, handle); !ok) return ok;

  TPM2B_SENSITIVE_CREATE no_auth{};
  TPM2B_DATA outside{};
  TPML_PCR_SELECTION no_pcrs{};
  TPM2B_PUBLIC primary_template = storage_primary_template();
  Transient primary{esys};
  TSS2_RC rc = Esys_CreatePrimary(esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &no_auth,
                                  &primary_template, &outside, &no_pcrs, &primary.handle, nullptr, nullptr, nullptr,
                                  nullptr);
  if (auto ok = check(rc, "creating the TPM storage primary key (owner hierarchy)"); !ok) return ok;

  TPM2B_PRIVATE* priv_raw = nullptr;
  TPM2B_PUBLIC* pub_raw = nullptr;
  rc = Esys_Create(esys, primary.handle, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &no_auth, &*key_template,
                   &outside, &no_pcrs, &priv_raw, &pub_raw, nullptr, nullptr, nullptr);
  ossl::EsysPtr<TPM2B_PRIVATE> priv(priv_raw);
  ossl::EsysPtr<TPM2B_PUBLIC> pub(pub_raw);
  if (auto ok = check(rc, "creating the " + key_type_name(type) + " key in the TPM"); !ok) return ok;

  Transient key{esys};
  rc = Esys_Load(esys, primary.handle, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, priv.get(), pub.get(), &key.handle);
  if (auto ok = check(rc, "loading the new TPM key"); !ok) return ok;
  ESYS_TR persistent = ESYS_TR_NONE;
  rc = Esys_EvictControl(esys, ESYS_TR_RH_OWNER, key.handle, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, handle,
                         &persistent);
  if (auto ok = check(rc, "making the TPM key persistent at " + hex_handle(handle)); !ok) return ok;
  Esys_TR_Close(esys, &persistent);
  return {};
}

}  // namespace onboard::keys::tpm2
