// Keys in PEM files (SPEC §4 `file:PATH`): PKCS#8, optionally encrypted.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "backend.h"
#include "prompt.h"

namespace onboard::keys {
namespace {

constexpr std::size_t kMaxKeyFile = 1 << 20;  // a PEM private key is a few KiB

struct PassData {
  const KeyOptions* options;
  std::string path;
  bool asked = false;
  Error error;
  std::optional<Secret> answer;  // OpenSSL may ask again (one decoder after another): ask a person once
};

int pass_cb(char* buf, int size, int /*rwflag*/, void* u) {
  auto* d = static_cast<PassData*>(u);
  if (d->answer) {
    int n = std::min(static_cast<int>(d->answer->value().size()), size);
    std::memcpy(buf, d->answer->value().data(), static_cast<std::size_t>(n));
    return n;
  }
  if (d->asked) return -1;  // the source already failed
  d->asked = true;
  // SPEC §13.5: with no --pass-source a person at a terminal is asked; a script gets the error.
  bool ask = d->options->pass_source.empty() && can_prompt();
  if (d->options->pass_source.empty() && !ask) {
    d->error = Error{Errc::key, d->path + ": key is encrypted; give its passphrase with --pass-source"};
    return -1;
  }
  auto secret = ask ? prompt_secret("Passphrase for key file " + d->path)
                    : read_secret(d->options->pass_source, "Passphrase for key file " + d->path);
  if (!secret) {
    d->error = secret.error();
    return -1;
  }
  d->answer.emplace(std::move(*secret));
  int n = std::min(static_cast<int>(d->answer->value().size()), size);
  std::memcpy(buf, d->answer->value().data(), static_cast<std::size_t>(n));
  return n;
}

// PKCS#8 PEM of an unencrypted P-256 key, byte-identical to PEM_write_bio_PrivateKey's output
// (tested), built from the scalar and point: OpenSSL 3.0's encoder lookup costs more than keygen.
// Empty when the key is not P-256 or its parts cannot be read.
std::string fast_p256_pkcs8_pem(EVP_PKEY* key, const Bytes& spki) {
  static const unsigned char kHead[] = {0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86,
                                        0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
                                        0x03, 0x01, 0x07, 0x04, 0x6d, 0x30, 0x6b, 0x02, 0x01, 0x01, 0x04, 0x20};
  static const unsigned char kMid[] = {0xa1, 0x44, 0x03, 0x42, 0x00};
  if (spki.size() != 91) return {};
  BIGNUM* priv = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &priv) != 1) {
    ossl::clear_errors();
    return {};
  }
  ossl::Ptr<BIGNUM> own(priv);
  // Every buffer that holds the scalar is sized once up front: a vector or string that grows
  // frees its old block uncleansed.
  Bytes der;
  der.reserve(sizeof kHead + 32 + sizeof kMid + 65);
  der.assign(kHead, kHead + sizeof kHead);
  der.resize(der.size() + 32);
  bool ok = BN_bn2binpad(priv, der.data() + sizeof kHead, 32) == 32;
  der.insert(der.end(), kMid, kMid + sizeof kMid);
  der.insert(der.end(), spki.end() - 65, spki.end());
  std::string b64 = ok ? base64_encode(der) : std::string();
  OPENSSL_cleanse(der.data(), der.size());
  if (!ok) return {};
  static const std::string kBegin = "-----BEGIN PRIVATE KEY-----\n", kEnd = "-----END PRIVATE KEY-----\n";
  std::string pem;
  pem.reserve(kBegin.size() + b64.size() + b64.size() / 64 + 1 + kEnd.size());
  pem += kBegin;
  for (std::size_t i = 0; i < b64.size(); i += 64) pem.append(b64, i, 64).push_back('\n');
  pem += kEnd;
  OPENSSL_cleanse(b64.data(), b64.size());
  return pem;
}

std::string parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

class FileBackend : public KeyContext::Backend {
 public:
  explicit FileBackend(const KeyOptions& options) : options_(options) {}

  Expected<std::unique_ptr<Signer>> open(const KeyUri& uri) override {
    auto text = read_sensitive_file(uri.path, kMaxKeyFile);
    if (!text) {
      auto e = std::move(text.error());
      if (e.code == Errc::file) e.code = Errc::key;
      return fail(std::move(e).context("opening key"));
    }
    struct TextWiper {
      std::string& s;
      ~TextWiper() { OPENSSL_cleanse(s.data(), s.size()); }
    } wiper{*text};
    if (text->find("-----BEGIN TSS2 PRIVATE KEY-----") != std::string::npos)
      return fail(Errc::key, uri.path + ": a TPM key file; use tpm2:file=" + uri.path);
    if (text->find("-----BEGIN") == std::string::npos || text->find("PRIVATE KEY-----") == std::string::npos)
      return fail(Errc::malformed, uri.path + ": not a PEM private key");
    ossl::Ptr<BIO> bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
    PassData pd{&options_, uri.path, false, {}, std::nullopt};
    EVP_PKEY* k = PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, pass_cb, &pd, nullptr, nullptr);
    if (!k) {
      if (!pd.error.message.empty()) {
        ossl::clear_errors();
        return fail(pd.error);
      }
      if (pd.asked) {
        ossl::clear_errors();
        return fail(Errc::key, uri.path + ": cannot decrypt the key (wrong passphrase?)");
      }
      auto e = ossl::error("PEM_read_bio_PrivateKey", Errc::malformed);
      return fail(Errc::malformed, uri.path + ": malformed private key (" + e.message + ")");
    }
    ossl::Ptr<EVP_PKEY> key(k);
    if (auto t = key_type_of(key.get()); !t) return fail(std::move(t.error()).context(uri.path));
    return std::unique_ptr<Signer>(new PkeySigner(std::move(key), "file:" + uri.path));
  }

  Expected<std::unique_ptr<Signer>> generate(const KeyUri& uri, KeyType type) override {
    // Private keys never go into a directory anyone can write to (a swap-in attack).
    struct stat st;
    std::string dir = parent_dir(uri.path);
    if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
      return fail(Errc::file, uri.path + ": refusing to create a private key in world-writable directory " + dir);
    if (file_exists(uri.path))
      return fail(Errc::file, uri.path + ": key file already exists (refusing to overwrite a key)");
    if (auto ok = check_writable(uri.path, false); !ok) return fail(std::move(ok.error()));
    auto key = generate_software_key(type);
    if (!key) return fail(std::move(key.error()));
    auto signer = std::make_unique<PkeySigner>(std::move(*key), "file:" + uri.path);
    // New keys are encrypted only on explicit request: --pass-source opens existing keys (a CA's),
    // and must not silently become the passphrase of every device key a batch creates.
    if (type == KeyType::p256 && options_.new_key_pass_source.empty()) {
      std::string pem = fast_p256_pkcs8_pem(signer->pkey(), signer->public_key_der());
      if (!pem.empty()) {
        auto written = write_file_atomic(uri.path, pem, WriteOptions{false, 0600, options_.durable_files});
        OPENSSL_cleanse(pem.data(), pem.size());
        if (!written) return fail(std::move(written.error()));
        return std::unique_ptr<Signer>(std::move(signer));
      }
    }
    ossl::Ptr<BIO> bio(BIO_new(BIO_s_secmem()));
    int ok = 0;
    if (options_.new_key_pass_source.empty()) {
      ok = PEM_write_bio_PrivateKey(bio.get(), signer->pkey(), nullptr, nullptr, 0, nullptr, nullptr);
    } else {
      // A new key's passphrase asked on the terminal is typed twice: a typo would lock the key away.
      auto pass = options_.new_key_pass_source == "prompt"
                      ? prompt_secret("Passphrase for new key file " + uri.path, true)
                      : read_secret(options_.new_key_pass_source, uri.path);
      if (!pass) return fail(std::move(pass.error()));
      ok = PEM_write_bio_PKCS8PrivateKey(bio.get(), signer->pkey(), EVP_aes_256_cbc(), pass->value().data(),
                                         static_cast<int>(pass->value().size()), nullptr, nullptr);
    }
    if (!ok) return ossl::fail("PEM_write_bio_PrivateKey", Errc::key);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    auto written = write_file_atomic(uri.path, std::string_view(data, static_cast<std::size_t>(len)),
                                     WriteOptions{false, 0600, options_.durable_files});
    if (!written) return fail(std::move(written.error()));
    return std::unique_ptr<Signer>(std::move(signer));
  }

  Expected<bool> exists(const KeyUri& uri) override { return file_exists(uri.path); }

 private:
  KeyOptions options_;
};

}  // namespace

std::unique_ptr<KeyContext::Backend> make_file_backend(const KeyOptions& options) {
  return std::make_unique<FileBackend>(options);
}

}  // namespace onboard::keys
