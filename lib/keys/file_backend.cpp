// Keys in PEM files (SPEC §4 `file:PATH`): PKCS#8, optionally encrypted.
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <cstring>

#include "backend.h"

namespace onboard::keys {
namespace {

struct PassData {
  const KeyOptions* options;
  std::string path;
  bool asked = false;
  Error error;
};

int pass_cb(char* buf, int size, int /*rwflag*/, void* u) {
  auto* d = static_cast<PassData*>(u);
  d->asked = true;
  if (d->options->pass_source.empty()) {
    d->error = Error{Errc::key, d->path + ": key is encrypted; give its passphrase with --pass-source"};
    return -1;
  }
  auto secret = read_secret(d->options->pass_source, d->path);
  if (!secret) {
    d->error = secret.error();
    return -1;
  }
  int n = static_cast<int>(secret->value().size());
  if (n > size) n = size;
  std::memcpy(buf, secret->value().data(), static_cast<std::size_t>(n));
  return n;
}

std::string parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

class FileBackend : public KeyContext::Backend {
 public:
  explicit FileBackend(const KeyOptions& options) : options_(options) {}

  Expected<std::unique_ptr<Signer>> open(const KeyUri& uri) override {
    auto text = read_file(uri.path, 1 << 20);
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
    PassData pd{&options_, uri.path, false, {}};
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
    ossl::Ptr<BIO> bio(BIO_new(BIO_s_secmem()));
    int ok = 0;
    if (options_.pass_source.empty()) {
      ok = PEM_write_bio_PrivateKey(bio.get(), key->get(), nullptr, nullptr, 0, nullptr, nullptr);
    } else {
      auto pass = read_secret(options_.pass_source, uri.path);
      if (!pass) return fail(std::move(pass.error()));
      ok = PEM_write_bio_PKCS8PrivateKey(bio.get(), key->get(), EVP_aes_256_cbc(), pass->value().data(),
                                         static_cast<int>(pass->value().size()), nullptr, nullptr);
    }
    if (!ok) return ossl::fail("PEM_write_bio_PrivateKey", Errc::key);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    auto written = write_file_atomic(uri.path, std::string_view(data, static_cast<std::size_t>(len)),
                                     WriteOptions{false, 0600});
    if (!written) return fail(std::move(written.error()));
    return std::unique_ptr<Signer>(new PkeySigner(std::move(*key), "file:" + uri.path));
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
