// The test PKI of the component tests (jws, ticket, verify, x509): keys in a temporary
// directory, certificates made with the library itself (x509::issue), signed tickets made with
// jws::sign. One helper instead of one per component.
//   TestPki::get()        one shared PKI per test binary: a root and cached signers per key type
//   TestPki pki; pki.make(profile, subject, &issuer, not_after, uris)   a PKI of the test's own
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "onboard/jws/jws.h"
#include "onboard/keys/keys.h"
#include "onboard/ticket/ticket.h"
#include "onboard/x509/x509.h"

namespace onboard::testing {

constexpr UnixTime kT0 = 1700000000;  // 2023-11-14: not_before of every certificate made here
constexpr UnixTime kYear = 365 * 86400;

/// A key and its certificate, with the certificate's issuers (nearest first).
struct Party {
  std::shared_ptr<keys::Signer> key;
  x509::Certificate cert;
  std::vector<x509::Certificate> chain;
};
using TestSigner = Party;

class TestPki {
 public:
  TestPki() : ctx_(keys::KeyOptions{}) {
    char tmpl[] = "/tmp/onboard-pki.XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
  }
  ~TestPki() { std::filesystem::remove_all(dir_); }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  /// The PKI shared by all tests of a binary (made on first use).
  static TestPki& get() {
    static TestPki pki;
    return pki;
  }

  /// A fresh file key.
  std::shared_ptr<keys::Signer> new_key(keys::KeyType type = keys::KeyType::p256) {
    auto uri = keys::parse_key_uri("file:" + dir_ + "/k" + std::to_string(counter_++) + ".pem");
    auto key = ctx_.generate(*uri, type);
    if (!key) throw std::runtime_error(key.error().message);
    return std::shared_ptr<keys::Signer>(std::move(*key));
  }

  /// A certificate of `profile` for a fresh key; issuer null = self-signed (a root).
  Party make(x509::Profile profile, const std::string& subject, const Party* issuer, UnixTime not_after = kT0 + 20 * kYear,
             std::vector<std::string> uris = {}, keys::KeyType type = keys::KeyType::p256) {
    auto key = new_key(type);
    x509::CertSpec spec;
    spec.profile = profile;
    spec.subject = subject;
    spec.san_uris = std::move(uris);
    if (profile == x509::Profile::idevid || profile == x509::Profile::ldevid) spec.serial_number = "1";
    spec.not_before = kT0;
    spec.not_after = not_after;
    auto cert = x509::issue(spec, key->public_key_der(), issuer ? &issuer->cert : nullptr, issuer ? *issuer->key : *key);
    if (!cert) throw std::runtime_error(cert.error().message);
    Party p{key, *cert, {}};
    if (issuer) {
      p.chain.push_back(issuer->cert);
      p.chain.insert(p.chain.end(), issuer->chain.begin(), issuer->chain.end());
    }
    return p;
  }

  // ---- the shared root and its ticket signers ----
  const Party& root_party() {
    if (!root_) root_ = std::make_unique<Party>(make(x509::Profile::root_ca, "/O=Test/CN=Test Root", nullptr));
    return *root_;
  }
  const x509::Certificate& root() { return root_party().cert; }
  /// A ticket-signer certificate (issued by the root) for a fresh key of `type`; cached per (type, n).
  const Party& signer(keys::KeyType type, int n = 0) {
    auto k = std::make_pair(static_cast<int>(type), n);
    auto it = signers_.find(k);
    if (it != signers_.end()) return it->second;
    auto key = new_key(type);
    Party p{key, issue(x509::Profile::ticket_signer, "/O=Test/CN=Signer", key->public_key_der()), {root()}};
    return signers_.emplace(k, std::move(p)).first->second;
  }
  /// A certificate issued by the root for any public key (e.g. an RSA-1024 key made with OpenSSL).
  x509::Certificate issue(x509::Profile profile, const std::string& subject, const Bytes& spki) {
    const Party& r = root_party();
    x509::CertSpec spec;
    spec.profile = profile;
    spec.subject = subject;
    spec.not_before = kT0;
    spec.not_after = kT0 + 10 * kYear;
    auto cert = x509::issue(spec, spki, &r.cert, *r.key);
    if (!cert) throw std::runtime_error(cert.error().message);
    return *cert;
  }

 private:
  keys::KeyContext ctx_;
  std::string dir_;
  int counter_ = 0;
  std::unique_ptr<Party> root_;
  std::map<std::pair<int, int>, Party> signers_;
};

// ---- tickets ----

inline ticket::Ticket device_ticket(const std::string& uri, std::vector<ticket::CertificateAuthority> auth = {}) {
  ticket::Ticket t;
  t.manufacturer_name = "Acme";
  t.model_name = "X1";
  t.serial_number = "1";
  t.product_instance_uri = uri;
  t.authorities = std::move(auth);
  return t;
}

/// One JWS signature by `p` (x5c = its certificate and chain) over a base64url payload.
inline jws::Signature sign(const std::string& payload_b64, const Party& p, const std::string& cty,
                           std::optional<std::string> opc_uri = std::nullopt) {
  jws::SignOptions o;
  o.x5c.push_back(p.cert);
  o.x5c.insert(o.x5c.end(), p.chain.begin(), p.chain.end());
  o.cty = cty;
  o.opc_uri = std::move(opc_uri);
  auto s = jws::sign(payload_b64, o, *p.key);
  if (!s) throw std::runtime_error(s.error().message);
  return *s;
}

/// A signed document of `t`, one signature per party.
inline std::string signed_doc(const ticket::Ticket& t, const std::vector<const Party*>& signers,
                              std::optional<std::string> opc_uri = std::nullopt) {
  auto json = ticket::encode_json(t);
  if (!json) throw std::runtime_error(json.error().message);  // never sign garbage: tl::expected's * is unchecked
  jws::Document doc;
  doc.payload_b64 = base64url_encode(as_bytes(*json));
  for (const Party* p : signers) doc.signatures.push_back(sign(doc.payload_b64, *p, ticket::cty_for(t.type), opc_uri));
  return jws::serialize(doc);
}

/// Append one signature to a document (as countersign-ticket does).
inline std::string countersign(const std::string& text, const Party& p, std::optional<std::string> opc_uri = std::nullopt) {
  auto doc = jws::parse(text);
  if (!doc) throw std::runtime_error(doc.error().message);
  doc->signatures.push_back(sign(doc->payload_b64, p, doc->signatures.front().header->cty, std::move(opc_uri)));
  return jws::serialize(*doc);
}

}  // namespace onboard::testing
