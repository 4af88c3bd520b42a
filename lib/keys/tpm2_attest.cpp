// The device side of SPEC §13.7 (TCG "TPM 2.0 Keys for Device Identity and Attestation" rev 12):
// EK certificate and EK, IAK and IDevID from the templates, TPM2_ActivateCredential,
// TPM2_Certify, and persistence only at the very end.
#include "onboard/keys/tpm2_attest.h"

#include <tss2/tss2_mu.h>

#include <cstring>

#include "ossl.h"
#include "tpm2_esys.h"
#include "tpm2_keygen.h"
#include "tpm2_templates.h"

namespace onboard::keys::tpm2 {
namespace {

constexpr std::uint32_t kOwnerPersistentFirst = 0x81000000, kOwnerPersistentLast = 0x817FFFFF;

Bytes marshal_public(const TPMT_PUBLIC& p) {
  Bytes out(sizeof(TPMT_PUBLIC));
  size_t off = 0;
  if (Tss2_MU_TPMT_PUBLIC_Marshal(&p, out.data(), out.size(), &off) != TSS2_RC_SUCCESS) return {};
  out.resize(off);
  return out;
}

Bytes name_bytes(const TPM2B_NAME& n) { return Bytes(n.name, n.name + n.size); }

// The length of the DER element at the start of `b` (EK certificates in NV may be padded).
std::optional<std::size_t> der_length(ByteView b) {
  if (b.size() < 2 || b[0] != 0x30) return std::nullopt;
  std::size_t len = b[1], hdr = 2;
  if (len & 0x80) {
    std::size_t n = len & 0x7f;
    if (n == 0 || n > 3 || b.size() < 2 + n) return std::nullopt;
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | b[2 + i];
    hdr += n;
  }
  if (hdr + len > b.size()) return std::nullopt;
  return hdr + len;
}

// A policy session that satisfies one branch of a key's authPolicy for its ADMIN role: the
// command's PolicyCommandCode, then PolicyOR over all the key's branches (tpm2_templates.h).
Expected<Transient> admin_policy_session(ESYS_CONTEXT* esys, TPMI_ALG_HASH hash, TPM2_CC cc,
                                         const std::vector<TPM2_CC>& commands, const std::string& what) {
  TPMT_SYM_DEF no_sym{};
  no_sym.algorithm = TPM2_ALG_NULL;
  Transient s{esys};
  TSS2_RC rc = Esys_StartAuthSession(esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                     nullptr, TPM2_SE_POLICY, &no_sym, hash, &s.handle);
  if (auto ok = check(rc, "starting the " + what + " policy session"); !ok) return fail(std::move(ok.error()));
  rc = Esys_PolicyCommandCode(esys, s.handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, cc);
  if (auto ok = check(rc, "TPM2_PolicyCommandCode (" + what + ")"); !ok) return fail(std::move(ok.error()));
  if (commands.size() > 1) {
    TPML_DIGEST list{};
    for (TPM2_CC c : commands) {
      auto d = policy_command_code(hash, c);
      if (!d) return fail(std::move(d.error()));
      TPM2B_DIGEST& slot = list.digests[list.count++];
      slot.size = static_cast<UINT16>(d->size());
      std::memcpy(slot.buffer, d->data(), d->size());
    }
    rc = Esys_PolicyOR(esys, s.handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &list);
    if (auto ok = check(rc, "TPM2_PolicyOR (" + what + ")"); !ok) return fail(std::move(ok.error()));
  }
  return s;
}

}  // namespace

// ---- the session --------------------------------------------------------------------------

class AttestSession::Impl {
 public:
  struct Key {
    Transient created;                 // new keys: the transient primary (flushed at the end)
    ESYS_TR persistent = ESYS_TR_NONE;  // existing keys: the persistent object's ESYS_TR
    TPMT_PUBLIC area{};
    Bytes public_area, name;
    ESYS_TR tr() const { return persistent != ESYS_TR_NONE ? persistent : created.handle; }
  };

  AttestOptions options;
  std::string conf, label;
  Connection conn;  // declared before every Transient: destroyed after them
  std::optional<EkInfo> ek;
  Transient ek_object;
  Key iak, idevid;
  bool keys_ready = false;

  ~Impl() {
    ESYS_CONTEXT* esys = conn.esys.get();
    for (Key* k : {&iak, &idevid})
      if (k->persistent != ESYS_TR_NONE && esys) Esys_TR_Close(esys, &k->persistent);
  }
  ESYS_CONTEXT* esys() const { return conn.esys.get(); }

  Expected<Bytes> read_nv(std::uint32_t index);
  Status create_key(Key& key, const TPM2B_PUBLIC& tmpl, const std::string& what);
  Status load_existing(Key& key, std::uint32_t handle, const std::string& what);
  // The ADMIN-role authorization for `cc` on `key`: its policy when adminWithPolicy is set,
  // else its (empty) authValue as a password.
  Expected<Transient> admin_auth(const Key& key, bool for_iak, TPM2_CC cc, const std::string& what);
};

Expected<Bytes> AttestSession::Impl::read_nv(std::uint32_t index) {
  ESYS_TR nv = ESYS_TR_NONE;
  TSS2_RC rc = Esys_TR_FromTPMPublic(esys(), index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &nv);
  if (auto ok = check(rc, "reading NV index " + hex_handle(index)); !ok) return fail(std::move(ok.error()));
  struct Close {
    ESYS_CONTEXT* e;
    ESYS_TR* t;
    ~Close() { Esys_TR_Close(e, t); }
  } close{esys(), &nv};
  TPM2B_NV_PUBLIC* pub_raw = nullptr;
  rc = Esys_NV_ReadPublic(esys(), nv, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub_raw, nullptr);
  ossl::EsysPtr<TPM2B_NV_PUBLIC> pub(pub_raw);
  if (auto ok = check(rc, "TPM2_NV_ReadPublic of " + hex_handle(index)); !ok) return fail(std::move(ok.error()));
  const std::size_t size = pub->nvPublic.dataSize;
  const bool owner_read = (pub->nvPublic.attributes & TPMA_NV_OWNERREAD) && !(pub->nvPublic.attributes & TPMA_NV_AUTHREAD);
  Bytes out;
  constexpr UINT16 kChunk = 512;  // below every TPM's TPM_PT_NV_BUFFER_MAX
  while (out.size() < size) {
    UINT16 n = static_cast<UINT16>(std::min<std::size_t>(kChunk, size - out.size()));
    TPM2B_MAX_NV_BUFFER* data_raw = nullptr;
    rc = Esys_NV_Read(esys(), owner_read ? ESYS_TR_RH_OWNER : nv, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, n,
                      static_cast<UINT16>(out.size()), &data_raw);
    ossl::EsysPtr<TPM2B_MAX_NV_BUFFER> data(data_raw);
    if (auto ok = check(rc, "TPM2_NV_Read of " + hex_handle(index)); !ok) return fail(std::move(ok.error()));
    if (data->size == 0) break;
    out.insert(out.end(), data->buffer, data->buffer + data->size);
  }
  return out;
}

Status AttestSession::Impl::create_key(Key& key, const TPM2B_PUBLIC& tmpl, const std::string& what) {
  TPM2B_SENSITIVE_CREATE no_auth{};
  TPM2B_DATA outside{};
  TPML_PCR_SELECTION no_pcrs{};
  TPM2B_PUBLIC* out_raw = nullptr;
  key.created = Transient{esys()};
  TSS2_RC rc = Esys_CreatePrimary(esys(), ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                                  &no_auth, &tmpl, &outside, &no_pcrs, &key.created.handle, &out_raw, nullptr,
                                  nullptr, nullptr);
  ossl::EsysPtr<TPM2B_PUBLIC> out(out_raw);
  if (auto ok = check(rc, "TPM2_CreatePrimary of the " + what + " (endorsement hierarchy)"); !ok) return ok;
  key.area = out->publicArea;
  key.public_area = marshal_public(out->publicArea);
  TPM2B_NAME* name_raw = nullptr;
  rc = Esys_TR_GetName(esys(), key.created.handle, &name_raw);
  ossl::EsysPtr<TPM2B_NAME> name(name_raw);
  if (auto ok = check(rc, "reading the " + what + "'s name"); !ok) return ok;
  key.name = name_bytes(*name);
  return {};
}

Status AttestSession::Impl::load_existing(Key& key, std::uint32_t handle, const std::string& what) {
  TSS2_RC rc = Esys_TR_FromTPMPublic(esys(), handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &key.persistent);
  if (auto ok = check(rc, "opening the " + what + " at " + hex_handle(handle)); !ok) return ok;
  TPM2B_PUBLIC* out_raw = nullptr;
  TPM2B_NAME* name_raw = nullptr;
  rc = Esys_ReadPublic(esys(), key.persistent, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &out_raw, &name_raw, nullptr);
  ossl::EsysPtr<TPM2B_PUBLIC> out(out_raw);
  ossl::EsysPtr<TPM2B_NAME> name(name_raw);
  if (auto ok = check(rc, "TPM2_ReadPublic of the " + what + " at " + hex_handle(handle)); !ok) return ok;
  key.area = out->publicArea;
  key.public_area = marshal_public(out->publicArea);
  key.name = name_bytes(*name);
  return {};
}

Expected<Transient> AttestSession::Impl::admin_auth(const Key& key, bool for_iak, TPM2_CC cc, const std::string& what) {
  if (!(key.area.objectAttributes & TPMA_OBJECT_ADMINWITHPOLICY)) return Transient{};  // ESYS_TR_PASSWORD
  return admin_policy_session(esys(), key.area.nameAlg, cc, admin_commands(for_iak), what);
}

AttestSession::AttestSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AttestSession::AttestSession(AttestSession&&) noexcept = default;
AttestSession& AttestSession::operator=(AttestSession&&) noexcept = default;
AttestSession::~AttestSession() = default;

Expected<AttestSession> AttestSession::open(const AttestOptions& options) {
  for (std::uint32_t h : {options.iak_handle, options.idevid_handle})
    if (h < kOwnerPersistentFirst || h > kOwnerPersistentLast)
      return fail(Errc::usage, "TPM handle " + hex_handle(h) + " is not a persistent handle (0x81000000-0x817fffff)");
  if (options.iak_handle == options.idevid_handle)
    return fail(Errc::usage, "the IAK and the IDevID key need two different TPM handles (both are " +
                                 hex_handle(options.iak_handle) + ")");
  if (auto t = name_alg(options.key_type); !t) return fail(std::move(t.error()));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  KeyOptions ko;
  ko.tcti = options.tcti;
  impl->conf = tcti_config(ko);
  impl->label = tpm2::tcti_label(impl->conf);
  auto conn = connect(impl->conf);
  if (!conn) return fail(std::move(conn.error()));
  impl->conn = std::move(*conn);
  for (std::uint32_t h : {options.iak_handle, options.idevid_handle}) {
    const std::string what = h == options.iak_handle ? "IAK" : "IDevID key";
    if (options.use_existing) {
      auto used = in_use(impl->esys(), h);
      if (!used) return fail(std::move(used.error()));
      if (!*used) return fail(Errc::key, "no " + what + " at TPM handle " + hex_handle(h));
    } else if (auto ok = check_handle_free(impl->esys(), h); !ok) {
      return fail(std::move(ok.error()));
    }
  }
  return AttestSession(std::move(impl));
}

Expected<EkInfo> AttestSession::endorsement_key() {
  Impl& s = *impl_;
  std::vector<EkType> order = s.options.ek_type ? std::vector<EkType>{*s.options.ek_type}
                                                : std::vector<EkType>{EkType::rsa2048, EkType::ecc_p256};
  std::optional<EkType> found;
  for (EkType t : order) {
    auto used = in_use(s.esys(), ek_certificate_nv_index(t));
    if (!used) return fail(std::move(used.error()));
    if (*used) {
      found = t;
      break;
    }
  }
  if (!found)
    return fail(Errc::untrusted, "no EK certificate in TPM NV (indices 0x01c00002, 0x01c0000a): "
                                 "this TPM cannot prove it is genuine");
  EkInfo info;
  info.type = *found;
  info.nv_index = ek_certificate_nv_index(*found);
  auto nv = s.read_nv(info.nv_index);
  if (!nv) return fail(std::move(nv.error()));
  auto len = der_length(*nv);
  if (!len)
    return fail(Errc::untrusted, "the EK certificate in NV " + hex_handle(info.nv_index) + " is not DER");
  info.certificate_der.assign(nv->begin(), nv->begin() + static_cast<std::ptrdiff_t>(*len));

  // Recreate the EK from the template that matches the certificate's NV index.
  s.ek_object.flush();
  TPM2B_PUBLIC tmpl = ek_template(*found);
  TPM2B_SENSITIVE_CREATE no_auth{};
  TPM2B_DATA outside{};
  TPML_PCR_SELECTION no_pcrs{};
  TPM2B_PUBLIC* out_raw = nullptr;
  s.ek_object = Transient{s.esys()};
  TSS2_RC rc = Esys_CreatePrimary(s.esys(), ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                                  &no_auth, &tmpl, &outside, &no_pcrs, &s.ek_object.handle, &out_raw, nullptr,
                                  nullptr, nullptr);
  ossl::EsysPtr<TPM2B_PUBLIC> out(out_raw);
  if (auto ok = check(rc, "TPM2_CreatePrimary of the EK (template " + ek_type_name(*found) + ")"); !ok)
    return fail(std::move(ok.error()));
  info.public_area = marshal_public(out->publicArea);
  TPM2B_NAME* name_raw = nullptr;
  rc = Esys_TR_GetName(s.esys(), s.ek_object.handle, &name_raw);
  ossl::EsysPtr<TPM2B_NAME> name(name_raw);
  if (auto ok = check(rc, "reading the EK's name"); !ok) return fail(std::move(ok.error()));
  info.name = name_bytes(*name);

  auto cert = ossl::parse_cert_der(info.certificate_der, "the EK certificate in NV " + hex_handle(info.nv_index));
  if (!cert) return fail(Errc::untrusted, cert.error().message);
  auto key = public_key_of(out->publicArea);
  if (!key) return fail(std::move(key.error()));
  if (EVP_PKEY_eq(X509_get0_pubkey(cert->get()), key->get()) != 1) {
    ossl::clear_errors();
    return fail(Errc::untrusted, "the EK recreated from template " + ek_type_name(*found) +
                                     " is not the key of the EK certificate in NV " + hex_handle(info.nv_index));
  }
  s.ek = info;
  return info;
}

Status AttestSession::create_keys() {
  Impl& s = *impl_;
  if (s.options.use_existing) {
    if (auto ok = s.load_existing(s.iak, s.options.iak_handle, "IAK"); !ok) return ok;
    if (auto ok = s.load_existing(s.idevid, s.options.idevid_handle, "IDevID key"); !ok) return ok;
  } else {
    auto iak = iak_template(s.options.key_type);
    if (!iak) return fail(std::move(iak.error()));
    auto idevid = idevid_template(s.options.key_type);
    if (!idevid) return fail(std::move(idevid.error()));
    if (auto ok = s.create_key(s.iak, *iak, "IAK"); !ok) return ok;
    if (auto ok = s.create_key(s.idevid, *idevid, "IDevID key"); !ok) return ok;
  }
  s.keys_ready = true;
  return {};
}

const Bytes& AttestSession::iak_public() const { return impl_->iak.public_area; }
const Bytes& AttestSession::idevid_public() const { return impl_->idevid.public_area; }
const Bytes& AttestSession::iak_name() const { return impl_->iak.name; }
const Bytes& AttestSession::idevid_name() const { return impl_->idevid.name; }
const std::string& AttestSession::tcti_label() const { return impl_->label; }

Expected<Bytes> AttestSession::activate_credential(ByteView credential_blob, ByteView encrypted_secret) {
  Impl& s = *impl_;
  if (!s.ek || s.ek_object.handle == ESYS_TR_NONE || !s.keys_ready)
    return fail(Errc::internal, "activate_credential before endorsement_key and create_keys");
  TPM2B_ID_OBJECT blob{};
  TPM2B_ENCRYPTED_SECRET secret{};
  size_t off = 0;
  if (Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(credential_blob.data(), credential_blob.size(), &off, &blob) !=
          TSS2_RC_SUCCESS ||
      off != credential_blob.size())
    return fail(Errc::malformed, "the credential blob is not a TPM2B_ID_OBJECT");
  off = 0;
  if (Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(encrypted_secret.data(), encrypted_secret.size(), &off, &secret) !=
          TSS2_RC_SUCCESS ||
      off != encrypted_secret.size())
    return fail(Errc::malformed, "the encrypted secret is not a TPM2B_ENCRYPTED_SECRET");

  // The EK's USER role: policy A of the EK Credential Profile, PolicySecret(TPM_RH_ENDORSEMENT).
  TPMT_SYM_DEF no_sym{};
  no_sym.algorithm = TPM2_ALG_NULL;
  Transient ek_session{s.esys()};
  TSS2_RC rc = Esys_StartAuthSession(s.esys(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                     nullptr, TPM2_SE_POLICY, &no_sym, TPM2_ALG_SHA256, &ek_session.handle);
  if (auto ok = check(rc, "starting the EK policy session"); !ok) return fail(std::move(ok.error()));
  rc = Esys_PolicySecret(s.esys(), ESYS_TR_RH_ENDORSEMENT, ek_session.handle, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                         ESYS_TR_NONE, nullptr, nullptr, nullptr, 0, nullptr, nullptr);
  if (auto ok = check(rc, "TPM2_PolicySecret(TPM_RH_ENDORSEMENT) for the EK"); !ok) return fail(std::move(ok.error()));
  // The IAK's ADMIN role: its PolicyCommandCode(ActivateCredential) branch.
  auto iak_session = s.admin_auth(s.iak, true, TPM2_CC_ActivateCredential, "IAK");
  if (!iak_session) return fail(std::move(iak_session.error()));
  ESYS_TR iak_auth = iak_session->handle != ESYS_TR_NONE ? iak_session->handle : ESYS_TR_PASSWORD;

  TPM2B_DIGEST* cert_raw = nullptr;
  rc = Esys_ActivateCredential(s.esys(), s.iak.tr(), s.ek_object.handle, iak_auth, ek_session.handle, ESYS_TR_NONE,
                               &blob, &secret, &cert_raw);
  ossl::EsysPtr<TPM2B_DIGEST> cert(cert_raw);
  if (auto ok = check(rc, "TPM2_ActivateCredential"); !ok) return fail(std::move(ok.error()));
  return Bytes(cert->buffer, cert->buffer + cert->size);
}

Expected<Certified> AttestSession::certify(ByteView nonce) {
  Impl& s = *impl_;
  if (!s.keys_ready) return fail(Errc::internal, "certify before create_keys");
  TPM2B_DATA qualifying{};
  if (nonce.size() > sizeof qualifying.buffer)
    return fail(Errc::usage, "the certify nonce is longer than " + std::to_string(sizeof qualifying.buffer) + " bytes");
  qualifying.size = static_cast<UINT16>(nonce.size());
  if (!nonce.empty()) std::memcpy(qualifying.buffer, nonce.data(), nonce.size());
  // The IDevID's ADMIN role: its PolicyCommandCode(Certify) branch; the IAK signs in its USER
  // role (userWithAuth, empty authValue).
  auto idevid_session = s.admin_auth(s.idevid, false, TPM2_CC_Certify, "IDevID key");
  if (!idevid_session) return fail(std::move(idevid_session.error()));
  ESYS_TR idevid_auth = idevid_session->handle != ESYS_TR_NONE ? idevid_session->handle : ESYS_TR_PASSWORD;
  TPMT_SIG_SCHEME key_scheme{};
  key_scheme.scheme = TPM2_ALG_NULL;  // the IAK's own scheme
  TPM2B_ATTEST* attest_raw = nullptr;
  TPMT_SIGNATURE* sig_raw = nullptr;
  TSS2_RC rc = Esys_Certify(s.esys(), s.idevid.tr(), s.iak.tr(), idevid_auth, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                            &qualifying, &key_scheme, &attest_raw, &sig_raw);
  ossl::EsysPtr<TPM2B_ATTEST> attest(attest_raw);
  ossl::EsysPtr<TPMT_SIGNATURE> sig(sig_raw);
  if (auto ok = check(rc, "TPM2_Certify of the IDevID key by the IAK"); !ok) return fail(std::move(ok.error()));
  Certified out;
  out.attest.assign(attest->attestationData, attest->attestationData + attest->size);
  out.signature.resize(sizeof(TPMT_SIGNATURE));
  size_t off = 0;
  if (Tss2_MU_TPMT_SIGNATURE_Marshal(sig.get(), out.signature.data(), out.signature.size(), &off) != TSS2_RC_SUCCESS)
    return fail(Errc::internal, "marshalling the TPM2_Certify signature");
  out.signature.resize(off);
  return out;
}

Status AttestSession::persist() {
  Impl& s = *impl_;
  if (s.options.use_existing) return {};
  if (!s.keys_ready) return fail(Errc::internal, "persist before create_keys");
  s.ek_object.flush();  // a free object slot: swtpm has three
  ESYS_TR iak_persistent = ESYS_TR_NONE;
  TSS2_RC rc = Esys_EvictControl(s.esys(), ESYS_TR_RH_OWNER, s.iak.created.handle, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                 ESYS_TR_NONE, s.options.iak_handle, &iak_persistent);
  if (auto ok = check(rc, "making the IAK persistent at " + hex_handle(s.options.iak_handle)); !ok) return ok;
  ESYS_TR idevid_persistent = ESYS_TR_NONE;
  rc = Esys_EvictControl(s.esys(), ESYS_TR_RH_OWNER, s.idevid.created.handle, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                         ESYS_TR_NONE, s.options.idevid_handle, &idevid_persistent);
  if (rc != TSS2_RC_SUCCESS) {
    // Leave nothing behind: evict the IAK this call made persistent.
    ESYS_TR gone = ESYS_TR_NONE;
    Esys_EvictControl(s.esys(), ESYS_TR_RH_OWNER, iak_persistent, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                      s.options.iak_handle, &gone);
    return check(rc, "making the IDevID key persistent at " + hex_handle(s.options.idevid_handle));
  }
  Esys_TR_Close(s.esys(), &iak_persistent);
  Esys_TR_Close(s.esys(), &idevid_persistent);
  return {};
}

Expected<std::vector<std::uint32_t>> ek_certificate_indices(const std::string& tcti) {
  KeyOptions ko;
  ko.tcti = tcti;
  auto conn = connect(tcti_config(ko));
  if (!conn) return fail(std::move(conn.error()));
  std::vector<std::uint32_t> out;
  for (EkType t : {EkType::rsa2048, EkType::ecc_p256}) {
    auto used = in_use(conn->esys.get(), ek_certificate_nv_index(t));
    if (!used) return fail(std::move(used.error()));
    if (*used) out.push_back(ek_certificate_nv_index(t));
  }
  return out;
}

}  // namespace onboard::keys::tpm2
