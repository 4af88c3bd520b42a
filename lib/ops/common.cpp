#include "common.h"

#include <unistd.h>

#include <ostream>

#include <nlohmann/json.hpp>

#include "onboard/x509/preflight.h"

namespace onboard::ops {

Expected<x509::Certificate> load_certificate(const std::string& path, const std::string& flag,
                                             const std::string& key_flag) {
  auto cert = x509::Certificate::load(path);
  if (cert) return cert;
  if (cert.error().code == Errc::malformed) {
    auto text = read_file(path);
    if (text && text->find("PRIVATE KEY-----") != std::string::npos && text->find("CERTIFICATE-----") == std::string::npos)
      return fail(Errc::malformed, flag + " " + path + " holds a private key, not a certificate: " + flag +
                                       " wants the certificate (PEM) and " + key_flag + " the key");
  }
  return fail(std::move(cert.error()).context(flag));
}

Expected<Issuer> load_issuer_cert(const std::string& cert_path, const std::string& chain_path, const std::string& flag,
                                  const std::string& key_flag, UnixTime now, bool new_is_ca) {
  auto cert = load_certificate(cert_path, flag, key_flag);
  if (!cert) return fail(std::move(cert.error()));
  Issuer issuer{std::move(*cert), {}, nullptr, flag, cert_path};
  if (!chain_path.empty()) {
    auto chain = x509::Certificate::load_all(chain_path);
    if (!chain) return fail(std::move(chain.error()).context("--ca-chain"));
    issuer.chain = std::move(*chain);
  }
  if (auto ok = x509::check_certificate_issuer(issuer.cert, {flag, cert_path, "CA"}, issuer.chain,
                                               {"--ca-chain", chain_path, "CA"}, now, new_is_ca);
      !ok)
    return fail(std::move(ok.error()));
  return issuer;
}

Expected<UnixTime> not_after_within_issuer(const Issuer& issuer, x509::Profile profile,
                                           UnixTime not_after, const std::string& requested_flag, const Env& env) {
  auto fit = x509::fit_not_after(issuer.cert, {issuer.flag, issuer.path, "CA"}, profile, not_after, requested_flag);
  if (!fit) return fail(std::move(fit.error()));
  if (!fit->warning.empty()) env.warn(fit->warning);
  return fit->value;
}

Status open_issuer_key(Issuer& issuer, const std::string& key_uri, keys::KeyContext& keys, const std::string& flag) {
  auto uri = keys::parse_key_uri(key_uri);
  if (!uri) return fail(std::move(uri.error()).context(flag));
  auto key = keys.open(*uri);
  if (!key) return fail(std::move(key.error()).context(flag));
  if ((*key)->public_key_der() != issuer.cert.public_key_der())
    return fail(Errc::key, flag + " " + uri->text + " does not match the public key of CA certificate " +
                               issuer.cert.subject());
  issuer.key = std::move(*key);
  return {};
}

Expected<UnixTime> time_or(const std::string& text, UnixTime fallback, const std::string& flag) {
  if (text.empty()) return fallback;
  auto t = parse_time(text);
  if (!t) return fail(std::move(t.error()).context(flag));
  return *t;
}

Expected<DeviceKey> device_key(keys::KeyContext& keys, const std::string& uri_text, bool new_key,
                               const std::string& key_type, bool reuse_existing, const std::string& flag) {
  auto uri = keys::parse_key_uri(uri_text);
  if (!uri) return fail(std::move(uri.error()).context(flag));
  DeviceKey out;
  out.uri = uri->text;
  bool exists = false;
  if (new_key && reuse_existing) {  // a re-run keeps the keys a killed run made, in any backend
    auto e = keys.exists(*uri);
    if (!e) return fail(std::move(e.error()).context(flag));
    exists = *e;
  }
  if (new_key && !exists) {
    auto type = keys::parse_key_type(key_type);
    if (!type) return fail(std::move(type.error()).context("--key-type"));
    // A new key file's directory is created 0700, like --out-dir (issue 10: `--device-key-template
    // 'file:keys/{serial_number}.key'` on a fresh tree).
    if (uri->scheme == keys::KeyUri::Scheme::file) {
      auto slash = uri->path.find_last_of('/');
      if (slash != std::string::npos && slash > 0) {
        if (auto ok = make_directories(uri->path.substr(0, slash), 0700); !ok)
          return fail(std::move(ok.error()).context(flag + ": creating key"));
      }
    }
    auto key = keys.generate(*uri, *type);
    if (!key) return fail(std::move(key.error()).context(flag + ": creating key"));
    out.signer = std::move(*key);
    out.created = uri->scheme == keys::KeyUri::Scheme::file;
    return out;
  }
  auto key = keys.open(*uri);
  if (!key) {
    if (!new_key && uri->scheme == keys::KeyUri::Scheme::file && !file_exists(uri->path))
      return fail(Errc::key, flag + " " + uri->text + " does not exist; add --new-key to create it");
    return fail(std::move(key.error()).context(flag));
  }
  out.signer = std::move(*key);
  return out;
}

void discard_created_key(const DeviceKey& key) {
  if (!key.created) return;
  auto uri = keys::parse_key_uri(key.uri);
  if (uri && uri->scheme == keys::KeyUri::Scheme::file) ::unlink(uri->path.c_str());
}

std::string pem_chain(const x509::Certificate& leaf, const Issuer* issuer) {
  std::string pem = leaf.pem();
  if (issuer) {
    pem += issuer->cert.pem();
    for (const auto& c : issuer->chain) pem += c.pem();
  }
  return pem;
}

void report_certificate(Env& env, bool json, const std::string& out, const x509::Certificate& cert,
                        const std::vector<std::pair<std::string, std::string>>& extra,
                        const std::vector<std::pair<std::string, std::string>>& raw) {
  if (out == "-") return;  // stdout holds the certificate itself
  if (json) {
    nlohmann::ordered_json j;
    j["out"] = out;
    j["subject"] = cert.subject();
    j["issuer"] = cert.issuer();
    j["serial"] = cert.serial_hex();
    j["not_before"] = format_time(cert.not_before());
    j["not_after"] = format_time(cert.not_after());
    j["san_uris"] = cert.san_uris();
    for (const auto& [k, v] : extra) j[k] = v;
    for (const auto& [k, v] : raw) j[k] = nlohmann::ordered_json::parse(v, nullptr, false);
    *env.out << j.dump() << "\n";
    return;
  }
  *env.out << out << ": " << cert.subject() << " (serial " << cert.serial_hex() << ", until "
           << format_time(cert.not_after()) << ")\n";
}

}  // namespace onboard::ops
