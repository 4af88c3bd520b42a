// Test PKI and ticket factory for the verify unit tests: roots, issuing CAs, signers with
// chosen validity periods, and signed tickets made with the library itself.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>

#include "onboard/jws/jws.h"
#include "onboard/keys/keys.h"
#include "onboard/ticket/ticket.h"
#include "onboard/verify/verify.h"
#include "onboard/x509/x509.h"

namespace onboard::testing {

constexpr UnixTime kT0 = 1700000000;  // 2023-11-14
constexpr UnixTime kYear = 365 * 86400;

struct Party {
  std::shared_ptr<keys::Signer> key;
  x509::Certificate cert;
  std::vector<x509::Certificate> chain;  ///< issuers, nearest first
};

class Factory {
 public:
  Factory() : ctx_(keys::KeyOptions{}) {
    char tmpl[] = "/tmp/onboard-verify.XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~Factory() { std::filesystem::remove_all(dir_); }

  std::shared_ptr<keys::Signer> new_key() {
    auto uri = keys::parse_key_uri("file:" + dir_ + "/k" + std::to_string(counter_++) + ".pem");
    auto key = ctx_.generate(*uri, keys::KeyType::p256);
    if (!key) throw std::runtime_error(key.error().message);
    return std::shared_ptr<keys::Signer>(std::move(*key));
  }
  /// issuer null = self-signed root.
  Party make(x509::Profile profile, const std::string& subject, const Party* issuer, UnixTime not_after = kT0 + 20 * kYear,
             std::vector<std::string> uris = {}) {
    auto key = new_key();
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

 private:
  keys::KeyContext ctx_;
  std::string dir_;
  int counter_ = 0;
};

inline ticket::Ticket device_ticket(const std::string& uri, std::vector<ticket::CertificateAuthority> auth = {}) {
  ticket::Ticket t;
  t.manufacturer_name = "Acme";
  t.model_name = "X1";
  t.serial_number = "1";
  t.product_instance_uri = uri;
  t.authorities = std::move(auth);
  return t;
}

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
  jws::Document doc;
  doc.payload_b64 = base64url_encode(as_bytes(*ticket::encode_json(t)));
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
