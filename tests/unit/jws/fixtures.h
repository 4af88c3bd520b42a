// Test PKI for the jws and ticket unit tests: a root CA and signer certificates of every key
// type, made with the library itself (keys in a temporary directory).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>

#include "onboard/jws/jws.h"
#include "onboard/keys/keys.h"
#include "ossl.h"
#include "onboard/x509/x509.h"

namespace onboard::testing {

struct TestSigner {
  std::shared_ptr<keys::Signer> key;
  x509::Certificate cert;
};

class TestPki {
 public:
  static TestPki& get() {
    static TestPki pki;
    return pki;
  }
  const x509::Certificate& root() const { return root_->cert; }
  /// A ticket-signer certificate (issued by the root) for a fresh key of `type`; cached per type.
  const TestSigner& signer(keys::KeyType type, int n = 0) {
    auto k = std::make_pair(static_cast<int>(type), n);
    auto it = signers_.find(k);
    if (it != signers_.end()) return it->second;
    auto key = new_key(type);
    return signers_.emplace(k, TestSigner{key, issue(x509::Profile::ticket_signer, "/O=Test/CN=Signer", key->public_key_der())})
        .first->second;
  }
  /// A certificate for any public key (e.g. an RSA-1024 key made with OpenSSL directly).
  x509::Certificate issue(x509::Profile profile, const std::string& subject, const Bytes& spki) {
    x509::CertSpec spec;
    spec.profile = profile;
    spec.subject = subject;
    spec.not_before = 1700000000;
    spec.not_after = 1700000000 + 10LL * 365 * 86400;
    auto cert = x509::issue(spec, spki, &root_->cert, *root_->key);
    if (!cert) throw std::runtime_error(cert.error().message);
    return *cert;
  }
  std::shared_ptr<keys::Signer> new_key(keys::KeyType type) {
    std::string path = dir_ + "/k" + std::to_string(counter_++) + ".pem";
    auto uri = keys::parse_key_uri("file:" + path);
    auto key = ctx_.generate(*uri, type);
    if (!key) throw std::runtime_error(key.error().message);
    return std::shared_ptr<keys::Signer>(std::move(*key));
  }

 private:
  TestPki() : ctx_(keys::KeyOptions{}) {
    char tmpl[] = "/tmp/onboard-unit.XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto key = new_key(keys::KeyType::p256);
    x509::CertSpec spec;
    spec.profile = x509::Profile::root_ca;
    spec.subject = "/O=Test/CN=Test Root";
    spec.not_before = 1700000000;
    spec.not_after = 1700000000 + 20LL * 365 * 86400;
    auto cert = x509::issue(spec, key->public_key_der(), nullptr, *key);
    if (!cert) throw std::runtime_error(cert.error().message);
    root_ = std::make_unique<TestSigner>(TestSigner{key, *cert});
  }
  ~TestPki() { std::filesystem::remove_all(dir_); }

  keys::KeyContext ctx_;
  std::string dir_;
  int counter_ = 0;
  std::unique_ptr<TestSigner> root_;
  std::map<std::pair<int, int>, TestSigner> signers_;
};

}  // namespace onboard::testing
