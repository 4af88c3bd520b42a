#include "pkcs11_module.h"

#include <dlfcn.h>
#include <openssl/err.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace onboard::keys::p11 {

namespace {
constexpr int kRetries = 5;
}  // namespace

std::string ckr_name(CK_RV rv) {
  switch (rv) {
    case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
    case CKR_PIN_INVALID: return "CKR_PIN_INVALID";
    case CKR_PIN_LEN_RANGE: return "CKR_PIN_LEN_RANGE";
    case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
    case CKR_PIN_EXPIRED: return "CKR_PIN_EXPIRED";
    case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
    case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
    case CKR_TOKEN_WRITE_PROTECTED: return "CKR_TOKEN_WRITE_PROTECTED";
    case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
    case CKR_DEVICE_REMOVED: return "CKR_DEVICE_REMOVED";
    case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID";
    case CKR_ATTRIBUTE_VALUE_INVALID: return "CKR_ATTRIBUTE_VALUE_INVALID";
    case CKR_ATTRIBUTE_SENSITIVE: return "CKR_ATTRIBUTE_SENSITIVE";
    case CKR_TEMPLATE_INCONSISTENT: return "CKR_TEMPLATE_INCONSISTENT";
    case CKR_CURVE_NOT_SUPPORTED: return "CKR_CURVE_NOT_SUPPORTED";
    case CKR_DOMAIN_PARAMS_INVALID: return "CKR_DOMAIN_PARAMS_INVALID";
    case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
    case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
    case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "CKR 0x%lx", static_cast<unsigned long>(rv));
      return buf;
    }
  }
}

Module::DlHandle::~DlHandle() {
  if (handle) ::dlclose(handle);
}

Module::~Module() {
  tokens_.clear();
  if (slots_) PKCS11_release_all_slots(ctx_.get(), slots_, nslots_);
  // ctx_ (C_Finalize) and then dl_ go with the members.
}

Expected<std::shared_ptr<Module>> Module::load(const std::string& path) {
  const std::string what = "PKCS#11 module " + path;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return fail(Errc::key, what + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return fail(Errc::key, what + ": not a file");
  std::shared_ptr<Module> m(new Module());
  m->path_ = path;
  ::dlerror();
  m->dl_.handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!m->dl_.handle) {
    const char* why = ::dlerror();
    return fail(Errc::key, what + ": cannot load it (" + std::string(why ? why : "dlopen failed") + ")");
  }
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(m->dl_.handle, "C_GetFunctionList"));
  if (!get_list) return fail(Errc::key, what + ": not a PKCS#11 module (no C_GetFunctionList)");
  if (CK_RV rv = get_list(&m->fn_); rv != CKR_OK || !m->fn_)
    return fail(Errc::key, what + ": C_GetFunctionList failed (" + ckr_name(rv) + ")");
  Status started = m->start();
  for (int attempt = 1; !started && attempt <= kRetries; ++attempt) {
    ::usleep(20000 * attempt);
    started = m->start();
  }
  if (!started) return fail(std::move(started.error()));
  return m;
}

// libp11 load (C_Initialize) and slot list; again from scratch when called again.
Status Module::start() {
  if (slots_) PKCS11_release_all_slots(ctx_.get(), slots_, nslots_);
  slots_ = nullptr;
  nslots_ = 0;
  ctx_.reset();  // C_Finalize; our own dlopen keeps the module mapped
  ctx_.reset(PKCS11_CTX_new());
  if (!ctx_) return ossl::fail("PKCS11_CTX_new");
  const std::string what = "PKCS#11 module " + path_;
  if (PKCS11_CTX_load(ctx_.get(), path_.c_str()) != 0) {
    auto e = ossl::error("C_Initialize", Errc::key);
    return fail(Errc::key, what + ": " + e.message);
  }
  if (PKCS11_enumerate_slots(ctx_.get(), &slots_, &nslots_) != 0)
    return fail(ossl::error(what + ": listing slots", Errc::key));
  return {};
}

int Module::find_slot(const std::string& label, PKCS11_SLOT** found, std::string& labels) const {
  int matches = 0;
  labels.clear();
  for (unsigned i = 0; i < nslots_; ++i) {
    const PKCS11_TOKEN* tok = slots_[i].token;
    if (!tok || !tok->initialized || !tok->label) continue;
    labels += (labels.empty() ? "'" : ", '") + std::string(tok->label) + "'";
    if (label == tok->label) {
      *found = &slots_[i];
      ++matches;
    }
  }
  return matches;
}

Expected<Token*> Module::token(const std::string& label, const PinProvider& pin) {
  if (auto it = tokens_.find(label); it != tokens_.end()) return &it->second;
  PKCS11_SLOT* found = nullptr;
  std::string labels;
  int matches = find_slot(label, &found, labels);
  // SoftHSM2's file store is read without a lock while another process rewrites a token file
  // (it does on login), so a token can look uninitialised to a process that starts just then,
  // and SoftHSM keeps that view until C_Finalize. Start the module again a few times before
  // saying "not found"; only while no token (hence no key) of this module is in use.
  for (int attempt = 1; matches == 0 && tokens_.empty() && attempt <= kRetries; ++attempt) {
    ::usleep(20000 * attempt);
    if (auto ok = start(); !ok) continue;
    matches = find_slot(label, &found, labels);
  }
  if (matches == 0)
    return fail(Errc::key, "PKCS#11 token '" + label + "' not found in " + path_ +
                               (labels.empty() ? " (no initialised tokens)" : " (tokens: " + labels + ")"));
  if (matches > 1)
    return fail(Errc::key, "PKCS#11 token label '" + label + "' is ambiguous: " + std::to_string(matches) +
                               " tokens in " + path_ + " carry it");
  for (int attempt = 1;; ++attempt) {
    // Read-write so that key generation can use it; a write-protected token still signs.
    if (PKCS11_open_session(found, 1) != 0 && PKCS11_open_session(found, 0) != 0)
      return fail(ossl::error("PKCS#11 token '" + label + "': opening a session", Errc::key));
    ossl::clear_errors();
    Token t{label, found, PKCS11_get_slotid_from_slot(found)};
    unsigned long rv = CKR_OK;
    Status ok;
    if (found->token->loginRequired) ok = login(t, pin, &rv);
    if (ok) return &tokens_.emplace(label, t).first->second;
    // hsm.parallel under load (issue 14): SoftHSM2 rewrites token.object on every successful
    // C_Login (Token::loginUser → setTokenFlags), and a process whose C_Initialize reads the
    // file at that moment loads the token with an empty user-PIN blob: C_Login then says
    // CKR_USER_PIN_NOT_INITIALIZED for the life of that module instance. Only a fresh
    // C_Initialize reads the file again, so start the module anew (while no token of it is in
    // use) and log in again. A token whose user PIN is really not set still fails, after the
    // retries, with the same message. This never retries a wrong PIN.
    if (rv != CKR_USER_PIN_NOT_INITIALIZED || !tokens_.empty() || attempt > kRetries) return fail(std::move(ok.error()));
    ::usleep(20000 * attempt);
    if (auto started = start(); !started) return fail(std::move(started.error()));
    if (find_slot(label, &found, labels) != 1) return fail(std::move(ok.error()));
  }
}

Status Module::login(Token& t, const PinProvider& pin, unsigned long* rv_out) {
  auto secret = pin();
  if (!secret) return fail(std::move(secret.error()));
  CK_RV rv = CKR_OK;
  for (int attempt = 0; attempt <= kRetries; ++attempt) {
    if (PKCS11_login(t.slot, 0, secret->value().c_str()) == 0) return {};
    // libp11 puts the CKR_ value in the error's reason; the PIN itself never enters a message.
    unsigned long e = ERR_peek_last_error();
    rv = e ? static_cast<CK_RV>(ERR_GET_REASON(e)) : CKR_GENERAL_ERROR;
    ossl::clear_errors();
    // A general error can be SoftHSM2 reading a token file another process is rewriting
    // (see token()); a PIN error is never retried (it would count against the PIN).
    if (rv != CKR_GENERAL_ERROR && rv != CKR_FUNCTION_FAILED) break;
    ::usleep(20000 * (attempt + 1));
  }
  if (rv_out) *rv_out = rv;
  std::string why;
  switch (rv) {
    case CKR_USER_PIN_NOT_INITIALIZED: why = "the user PIN of this token is not initialised"; break;
    case CKR_PIN_INCORRECT: why = "wrong PIN"; break;
    case CKR_PIN_LOCKED: why = "the PIN is locked"; break;
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE: why = "the PIN is not valid for this token"; break;
    default: why = "login refused"; break;
  }
  return fail(Errc::key, "PKCS#11 token '" + t.label + "': login failed: " + why + " (" + ckr_name(rv) + ")");
}

Expected<Session> Session::open(const Module& m, const Token& t) {
  CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
  CK_RV rv = m.fn()->C_OpenSession(t.slot_id, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &h);
  if (rv == CKR_TOKEN_WRITE_PROTECTED) rv = m.fn()->C_OpenSession(t.slot_id, CKF_SERIAL_SESSION, nullptr, nullptr, &h);
  if (rv != CKR_OK) return fail(Errc::key, "PKCS#11 token '" + t.label + "': C_OpenSession failed (" + ckr_name(rv) + ")");
  return Session(m.fn(), h);
}

Session::~Session() {
  if (handle_ != CK_INVALID_HANDLE) fn_->C_CloseSession(handle_);
}

Expected<std::vector<CK_OBJECT_HANDLE>> Session::find(std::vector<CK_ATTRIBUTE> tmpl, std::size_t max) const {
  CK_RV rv = fn_->C_FindObjectsInit(handle_, tmpl.data(), static_cast<CK_ULONG>(tmpl.size()));
  if (rv != CKR_OK) return fail(Errc::key, "C_FindObjectsInit failed (" + ckr_name(rv) + ")");
  std::vector<CK_OBJECT_HANDLE> out(max);
  CK_ULONG n = 0;
  rv = fn_->C_FindObjects(handle_, out.data(), static_cast<CK_ULONG>(max), &n);
  fn_->C_FindObjectsFinal(handle_);
  if (rv != CKR_OK) return fail(Errc::key, "C_FindObjects failed (" + ckr_name(rv) + ")");
  out.resize(n);
  return out;
}

Expected<Bytes> Session::attribute(CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type) const {
  CK_ATTRIBUTE a{type, nullptr, 0};
  CK_RV rv = fn_->C_GetAttributeValue(handle_, obj, &a, 1);
  if (rv != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
    return fail(Errc::key, "C_GetAttributeValue failed (" + ckr_name(rv) + ")");
  Bytes value(a.ulValueLen);
  a.pValue = value.data();
  rv = fn_->C_GetAttributeValue(handle_, obj, &a, 1);
  if (rv != CKR_OK) return fail(Errc::key, "C_GetAttributeValue failed (" + ckr_name(rv) + ")");
  value.resize(a.ulValueLen);
  return value;
}

}  // namespace onboard::keys::p11
