// Private: one loaded PKCS#11 module, its tokens (found by label, logged in once per process)
// and short-lived raw Cryptoki sessions for searches and key generation.
//
// Two views of the same module share one load: libp11 (EVP_PKEY for signing, notes/deps.md
// §2 route a) and the raw function list (keygen with our own template, route c). dlopen of the
// same path returns the same handle, and PKCS#11 login state belongs to the application, so
// raw sessions opened after libp11's login are already in the user state.
#pragma once

#include <p11-kit/pkcs11.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend.h"

namespace onboard::keys::p11 {

/// "CKR_PIN_INCORRECT", or the hex value for codes without a name here.
std::string ckr_name(CK_RV rv);

struct Token {
  std::string label;
  PKCS11_SLOT* slot = nullptr;
  CK_SLOT_ID slot_id = 0;
};

/// Called only when a token needs a login.
using PinProvider = std::function<Expected<Secret>()>;

class Module {
 public:
  /// dlopen + C_GetFunctionList check (clear errors for a missing file or a non-module),
  /// then libp11 load (C_Initialize) and slot enumeration. Errc::key on failure.
  static Expected<std::shared_ptr<Module>> load(const std::string& path);
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  /// The token labelled `label` with a session open and logged in (first call only).
  Expected<Token*> token(const std::string& label, const PinProvider& pin);
  CK_FUNCTION_LIST* fn() const { return fn_; }
  const std::string& path() const { return path_; }

 private:
  Module() = default;
  Status start();
  /// `rv_out`: the last CKR_ value (CKR_OK on success), so token() can tell a stale module view.
  Status login(Token& t, const PinProvider& pin, unsigned long* rv_out = nullptr);
  /// Number of initialised tokens labelled `label` (the last in *found); all labels listed.
  int find_slot(const std::string& label, PKCS11_SLOT** found, std::string& labels) const;

  struct DlHandle {
    void* handle = nullptr;
    ~DlHandle();
  };
  std::string path_;
  DlHandle dl_;                       // destroyed last
  ossl::Ptr<PKCS11_CTX> ctx_;
  PKCS11_SLOT* slots_ = nullptr;
  unsigned nslots_ = 0;
  CK_FUNCTION_LIST* fn_ = nullptr;
  std::map<std::string, Token> tokens_;
};

/// A raw read-write session on a token; closed when destroyed.
class Session {
 public:
  static Expected<Session> open(const Module& m, const Token& t);
  Session(Session&& o) noexcept : fn_(o.fn_), handle_(o.handle_) { o.handle_ = CK_INVALID_HANDLE; }
  Session& operator=(Session&&) = delete;
  ~Session();

  /// Objects matching the template (at most `max`).
  Expected<std::vector<CK_OBJECT_HANDLE>> find(std::vector<CK_ATTRIBUTE> tmpl, std::size_t max = 64) const;
  /// One attribute's value; Errc::key if the token refuses it.
  Expected<Bytes> attribute(CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type) const;
  CK_SESSION_HANDLE handle() const { return handle_; }
  CK_FUNCTION_LIST* fn() const { return fn_; }

 private:
  Session(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE h) : fn_(fn), handle_(h) {}
  CK_FUNCTION_LIST* fn_;
  CK_SESSION_HANDLE handle_;
};

/// CK_ATTRIBUTE over a value that outlives the template.
template <class T>
CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, T& value) {
  return CK_ATTRIBUTE{type, &value, sizeof value};
}
inline CK_ATTRIBUTE attr_bytes(CK_ATTRIBUTE_TYPE type, const void* data, std::size_t len) {
  return CK_ATTRIBUTE{type, const_cast<void*>(data), static_cast<CK_ULONG>(len)};
}

/// Generate a key pair on the token with the SPEC §4 template; returns the new CKA_ID.
Expected<Bytes> generate_key_pair(const Session& s, const std::string& label, KeyType type,
                                  const std::optional<Bytes>& wanted_id);

}  // namespace onboard::keys::p11
