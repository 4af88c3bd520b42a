// TPM 2.0 keys (SPEC §4 `tpm2:handle=0x81...` or `tpm2:file=PATH`) through the tpm2-openssl
// provider, loaded into its OWN library context (tpm2 first, then default) only when a tpm2:
// URI is used. OpenSSL 3.0 takes algorithms from the first provider that offers them, so in the
// default context tpm2 would take over keygen, hashing and the RNG (notes/deps.md §3).
// Certificates are built in this context (X509_new_ex) and verified in the default one.
#include <cstdio>
#include <cstdlib>

#include "onboard/keys/tpm2_attest.h"
#include "tpm2_keygen.h"

namespace onboard::keys {
namespace {

using tpm2::hex_handle;

std::string describe(const KeyUri& uri) {
  return uri.handle ? "tpm2:handle=" + hex_handle(*uri.handle) : "tpm2:file=" + uri.path;
}

// The provider context every TPM key of this process belongs to (signers keep it alive).
struct TpmContext {
  ossl::Ptr<OSSL_LIB_CTX> libctx;  // freed last
  ossl::Ptr<OSSL_PROVIDER> tpm2, dflt;
  std::string tcti;
};

class Tpm2Backend : public KeyContext::Backend {
 public:
  explicit Tpm2Backend(const KeyOptions& options) : options_(options), tcti_(tpm2::tcti_config(options)) {}

  Expected<std::unique_ptr<Signer>> open(const KeyUri& uri) override {
    const std::string what = describe(uri);
    std::string store_uri;
    if (uri.handle) {
      store_uri = "handle:" + hex_handle(*uri.handle);
    } else {
      auto text = read_file(uri.path, 64 * 1024);
      if (!text) return fail(Errc::key, what + ": " + text.error().message);
      if (text->find("-----BEGIN TSS2 PRIVATE KEY-----") == std::string::npos)
        return fail(Errc::malformed, what + ": not a TSS2 PEM key file (-----BEGIN TSS2 PRIVATE KEY-----)");
      store_uri = uri.path;
    }
    auto ctx = context();
    if (!ctx) return fail(std::move(ctx.error()));
    auto key = load_key(**ctx, store_uri, what);
    if (!key) return fail(std::move(key.error()));
    if (auto t = key_type_of(key->get()); !t) return fail(std::move(t.error()).context(what));
    return std::unique_ptr<Signer>(new PkeySigner(std::move(*key), what, (*ctx)->libctx.get(), *ctx));
  }

  Expected<std::unique_ptr<Signer>> generate(const KeyUri& uri, KeyType type) override {
    if (uri.handle) {
      // ESYS opens its own connection; swtpm and /dev/tpmrm0 both serve several.
      if (auto ok = tpm2::create_persistent_key(tcti_, *uri.handle, type); !ok)
        return fail(std::move(ok.error()).context(describe(uri)));
      return open(uri);
    }
    return generate_file(uri, type);
  }

  Expected<bool> exists(const KeyUri& uri) override {
    if (!uri.handle) return file_exists(uri.path);
    auto used = tpm2::handle_in_use(tcti_, *uri.handle);
    if (!used) return fail(std::move(used.error()).context(describe(uri)));
    return *used;
  }

 private:
  Expected<std::shared_ptr<TpmContext>> context() {
    if (ctx_) return ctx_;
    // The provider reads its TCTI from the environment when it is loaded.
    if (!options_.tcti.empty()) ::setenv("TPM2OPENSSL_TCTI", options_.tcti.c_str(), 1);
    tpm2::quiet_tss_logging();
    auto ctx = std::make_shared<TpmContext>();
    ctx->tcti = tcti_;
    ctx->libctx.reset(OSSL_LIB_CTX_new());
    if (!ctx->libctx) return ossl::fail("OSSL_LIB_CTX_new");
    ctx->tpm2.reset(OSSL_PROVIDER_load(ctx->libctx.get(), "tpm2"));
    if (!ctx->tpm2) {
      auto e = ossl::error("loading the tpm2 provider", Errc::key);
      return fail(Errc::key, "TPM not reachable through " + tpm2::tcti_label(tcti_) + ": " + e.message);
    }
    ctx->dflt.reset(OSSL_PROVIDER_load(ctx->libctx.get(), "default"));
    if (!ctx->dflt) return ossl::fail("loading the default provider into the TPM context");
    ctx_ = ctx;
    return ctx_;
  }

  static Expected<ossl::Ptr<EVP_PKEY>> load_key(const TpmContext& ctx, const std::string& store_uri,
                                                const std::string& what) {
    ossl::Ptr<OSSL_STORE_CTX> store(
        OSSL_STORE_open_ex(store_uri.c_str(), ctx.libctx.get(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
    if (!store) return ossl::fail(what + ": opening the key", Errc::key);
    OSSL_STORE_expect(store.get(), OSSL_STORE_INFO_PKEY);
    while (!OSSL_STORE_eof(store.get())) {
      ossl::Ptr<OSSL_STORE_INFO> info(OSSL_STORE_load(store.get()));
      if (!info) {
        if (OSSL_STORE_error(store.get())) break;  // avoid an endless loop on errors
        continue;
      }
      if (OSSL_STORE_INFO_get_type(info.get()) == OSSL_STORE_INFO_PKEY) {
        ossl::clear_errors();
        return ossl::Ptr<EVP_PKEY>(OSSL_STORE_INFO_get1_PKEY(info.get()));
      }
    }
    auto e = ossl::error("loading", Errc::key);
    return fail(Errc::key, what + ": no usable key in the TPM (" + e.message + ")");
  }

  // tpm2:file=PATH: the provider creates the key in the TPM (under the owner hierarchy's primary)
  // and we store its wrapped blob as a TSS2 PEM file. EC only: the provider's RSA template
  // also allows decryption, which SPEC §4 does not.
  Expected<std::unique_ptr<Signer>> generate_file(const KeyUri& uri, KeyType type) {
    const std::string what = describe(uri);
    if (type != KeyType::p256 && type != KeyType::p384)
      return fail(Errc::usage, what + ": TPM key files are made for p256 or p384; use tpm2:handle= for RSA");
    if (file_exists(uri.path)) return fail(Errc::file, uri.path + ": key file already exists (refusing to overwrite a key)");
    if (auto ok = check_writable(uri.path, false); !ok) return fail(std::move(ok.error()));
    auto ctx = context();
    if (!ctx) return fail(std::move(ctx.error()));
    EVP_PKEY* raw = EVP_PKEY_Q_keygen((*ctx)->libctx.get(), "provider=tpm2", "EC", type == KeyType::p256 ? "P-256" : "P-384");
    if (!raw) return ossl::fail(what + ": generating the key in the TPM", Errc::key);
    ossl::Ptr<EVP_PKEY> key(raw);
    ossl::Ptr<OSSL_ENCODER_CTX> enc(
        OSSL_ENCODER_CTX_new_for_pkey(key.get(), EVP_PKEY_KEYPAIR, "PEM", nullptr, "provider=tpm2"));
    unsigned char* data = nullptr;
    size_t len = 0;
    if (!enc || OSSL_ENCODER_to_data(enc.get(), &data, &len) != 1) return ossl::fail(what + ": encoding the TSS2 key", Errc::key);
    ossl::Ptr<unsigned char> own(data);
    auto ok = write_file_atomic(uri.path, std::string_view(reinterpret_cast<char*>(data), len), WriteOptions{false, 0600});
    if (!ok) return fail(std::move(ok.error()));
    return std::unique_ptr<Signer>(new PkeySigner(std::move(key), what, (*ctx)->libctx.get(), *ctx));
  }

  KeyOptions options_;
  std::string tcti_;
  std::shared_ptr<TpmContext> ctx_;
};

}  // namespace

std::unique_ptr<KeyContext::Backend> make_tpm2_backend(const KeyOptions& options) {
  return std::make_unique<Tpm2Backend>(options);
}

}  // namespace onboard::keys
