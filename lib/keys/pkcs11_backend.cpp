// PKCS#11 keys (SPEC §4 `pkcs11:` RFC 7512 URIs). Signing through libp11's EVP_PKEY, key
// generation through Cryptoki (pkcs11_keygen.cpp). One module load, one session and one login
// per token for the whole process, so a batch logs in once (SPEC §10).
#include <cstdlib>

#include "pkcs11_module.h"
#include "prompt.h"

namespace onboard::keys {
namespace {

struct TokenRef {
  std::shared_ptr<p11::Module> module;
  p11::Token* token;
};

std::string describe(const KeyUri& uri) {
  std::string d = "pkcs11:token=" + uri.token;
  if (!uri.object.empty()) d += ";object=" + uri.object;
  if (uri.id) d += ";id=" + hex_encode(*uri.id);
  return d;
}

// The key's private object through libp11, which pairs it with its public half by CKA_ID.
Expected<ossl::Ptr<EVP_PKEY>> libp11_private_key(const p11::Token& t, const std::string& label, const Bytes& id,
                                                 const std::string& what) {
  PKCS11_KEY* keys = nullptr;
  unsigned n = 0;
  if (PKCS11_enumerate_keys(t.slot->token, &keys, &n) != 0) return ossl::fail(what + ": listing keys", Errc::key);
  for (unsigned i = 0; i < n; ++i) {
    const PKCS11_KEY& k = keys[i];
    if (!k.isPrivate || Bytes(k.id, k.id + k.id_len) != id) continue;
    if (!label.empty() && (!k.label || label != k.label)) continue;
    ossl::Ptr<EVP_PKEY> pkey(PKCS11_get_private_key(&keys[i]));
    if (!pkey) return ossl::fail(what + ": PKCS11_get_private_key", Errc::key);
    return pkey;
  }
  return fail(Errc::key, what + ": the key is on the token but libp11 does not list it");
}

class Pkcs11Backend : public KeyContext::Backend {
 public:
  explicit Pkcs11Backend(const KeyOptions& options) : options_(options) {}

  Expected<std::unique_ptr<Signer>> open(const KeyUri& uri) override {
    auto ref = token_for(uri);
    if (!ref) return fail(std::move(ref.error()));
    auto session = p11::Session::open(*ref->module, *ref->token);
    if (!session) return fail(std::move(session.error()));
    auto id = find_private_key(*session, uri);
    if (!id) return fail(std::move(id.error()));
    const std::string what = describe(uri);
    auto pkey = libp11_private_key(*ref->token, uri.object, *id, what);
    if (!pkey) return fail(std::move(pkey.error()));
    if (ossl::spki_der(pkey->get()).empty()) {
      ossl::clear_errors();
      return fail(Errc::key, what + ": no public key object with the private key's CKA_ID on the token");
    }
    if (auto t = key_type_of(pkey->get()); !t) return fail(std::move(t.error()).context(what));
    return std::unique_ptr<Signer>(new PkeySigner(std::move(*pkey), what, nullptr, ref->module));
  }

  Expected<std::unique_ptr<Signer>> generate(const KeyUri& uri, KeyType type) override {
    if (uri.object.empty())
      return fail(Errc::usage, "key URI " + uri.text + ": a new key needs object=LABEL");
    auto ref = token_for(uri);
    if (!ref) return fail(std::move(ref.error()));
    auto session = p11::Session::open(*ref->module, *ref->token);
    if (!session) return fail(std::move(session.error()));
    const std::string what = "PKCS#11 token '" + uri.token + "'";
    auto existing = session->find({p11::attr_bytes(CKA_LABEL, uri.object.data(), uri.object.size())}, 1);
    if (!existing) return fail(std::move(existing.error()).context(what));
    if (!existing->empty())
      return fail(Errc::key, what + ": an object labelled '" + uri.object +
                                 "' already exists (refusing to create a second key with that label)");
    auto id = p11::generate_key_pair(*session, uri.object, type, uri.id);
    if (!id) return fail(std::move(id.error()).context(what + ": generating " + key_type_name(type) + " key '" + uri.object + "'"));
    KeyUri created = uri;
    created.id = *id;
    return open(created);
  }

  Expected<bool> exists(const KeyUri& uri) override {
    auto ref = token_for(uri);
    if (!ref) return fail(std::move(ref.error()));
    auto session = p11::Session::open(*ref->module, *ref->token);
    if (!session) return fail(std::move(session.error()));
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    std::vector<CK_ATTRIBUTE> tmpl = {p11::attr(CKA_CLASS, cls)};
    if (!uri.object.empty()) tmpl.push_back(p11::attr_bytes(CKA_LABEL, uri.object.data(), uri.object.size()));
    if (uri.id) tmpl.push_back(p11::attr_bytes(CKA_ID, uri.id->data(), uri.id->size()));
    auto found = session->find(tmpl, 1);
    if (!found) return fail(std::move(found.error()).context(describe(uri)));
    return !found->empty();
  }

 private:
  Expected<TokenRef> token_for(const KeyUri& uri) {
    if (!uri.pin_value.empty() && !warned_pin_value_ && options_.env) {
      options_.env->warn("key URI " + uri.text + ": pin-value puts the PIN where other users can see it " +
                         "(process list, shell history); use pin-source=file:PATH or --pin-source");
      warned_pin_value_ = true;
    }
    auto module = module_for(uri);
    if (!module) return fail(std::move(module.error()));
    auto token = (*module)->token(uri.token, [&] { return pin_for(uri); });
    if (!token) return fail(std::move(token.error()));
    return TokenRef{*module, *token};
  }

  Expected<std::shared_ptr<p11::Module>> module_for(const KeyUri& uri) {
    std::string path = uri.module_path;
    if (path.empty()) {
      const char* env = std::getenv("PKCS11_MODULE_PATH");
      if (!env || !*env)
        return fail(Errc::key, "key URI " + uri.text +
                                   ": no PKCS#11 module; give module-path=/path/module.so in the URI or set PKCS11_MODULE_PATH");
      path = env;
    }
    if (auto it = modules_.find(path); it != modules_.end()) return it->second;
    auto m = p11::Module::load(path);
    if (!m) return fail(std::move(m.error()));
    modules_.emplace(path, *m);
    return *m;
  }

  // URI pin-source, then pin-value (warned about), then --pin-source, then env PKCS11_PIN_SOURCE
  // (a source, e.g. what scripts/dev-hsm exports), then env PKCS11_PIN, then on a terminal a
  // prompt (SPEC §13.5).
  Expected<Secret> pin_for(const KeyUri& uri) const {
    const std::string what = "PIN for PKCS#11 token '" + uri.token + "'";
    if (!uri.pin_source.empty()) return read_secret(uri.pin_source, what);
    if (!uri.pin_value.empty()) return Secret(uri.pin_value);
    if (!options_.pin_source.empty()) return read_secret(options_.pin_source, what);
    if (const char* src = std::getenv("PKCS11_PIN_SOURCE"); src && *src) return read_secret(src, what);
    if (const char* env = std::getenv("PKCS11_PIN")) return Secret(std::string(env));
    if (can_prompt()) return prompt_secret(what);
    return fail(Errc::key, "PKCS#11 token '" + uri.token +
                               "' needs a PIN: give pin-source=file:PATH in the URI, --pin-source, or set PKCS11_PIN "
                               "(or run it on a terminal to be asked)");
  }

  // Exactly one private key must match; its CKA_ID must be unique among private keys.
  Expected<Bytes> find_private_key(const p11::Session& s, const KeyUri& uri) const {
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    std::vector<CK_ATTRIBUTE> tmpl = {p11::attr(CKA_CLASS, cls)};
    if (!uri.object.empty()) tmpl.push_back(p11::attr_bytes(CKA_LABEL, uri.object.data(), uri.object.size()));
    if (uri.id) tmpl.push_back(p11::attr_bytes(CKA_ID, uri.id->data(), uri.id->size()));
    const std::string what = describe(uri);
    auto found = s.find(tmpl);
    if (!found) return fail(std::move(found.error()).context(what));
    if (found->empty())
      return fail(Errc::key, what + ": no such private key on token '" + uri.token + "' (wrong label or id?)");
    if (found->size() > 1)
      return fail(Errc::key, what + ": ambiguous: " + std::to_string(found->size()) +
                                 " private keys match on token '" + uri.token + "'; add id=%xx... to the URI");
    auto id = s.attribute(found->front(), CKA_ID);
    if (!id) return fail(std::move(id.error()).context(what + ": reading CKA_ID"));
    auto same_id = s.find({p11::attr(CKA_CLASS, cls), p11::attr_bytes(CKA_ID, id->data(), id->size())});
    if (!same_id) return fail(std::move(same_id.error()).context(what));
    if (same_id->size() > 1)
      return fail(Errc::key, what + ": its CKA_ID is shared by " + std::to_string(same_id->size()) +
                                 " private keys; the public half cannot be paired safely");
    return *id;
  }

  KeyOptions options_;
  std::map<std::string, std::shared_ptr<p11::Module>> modules_;
  bool warned_pin_value_ = false;
};

}  // namespace

std::unique_ptr<KeyContext::Backend> make_pkcs11_backend(const KeyOptions& options) {
  return std::make_unique<Pkcs11Backend>(options);
}

}  // namespace onboard::keys
