#include <cstdio>
#include <cctype>

#include "onboard/keys/keys.h"

namespace onboard::keys {
namespace {

Expected<std::string> pct_decode(std::string_view s, const std::string& where) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
      return fail(Errc::usage, where + ": bad percent-encoding");
    out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

// Every pin-value (there may be several in a bad URI) up to the next '&' is masked, so no
// message quoting the URI can carry a PIN (SPEC §11).
std::string redact(std::string_view text) {
  std::string s(text);
  std::size_t from = 0;
  for (;;) {
    auto pos = s.find("pin-value=", from);
    if (pos == std::string::npos) return s;
    auto end = s.find('&', pos);
    s = s.substr(0, pos) + "pin-value=***" + (end == std::string::npos ? "" : s.substr(end));
    from = pos + 13;
  }
}

Status set_pkcs11_attr(KeyUri& uri, std::string_view name, std::string value, bool query) {
  const std::string where = "key URI " + uri.text + ": attribute '" + std::string(name) + "'";
  std::string* field = nullptr;
  if (!query) {
    if (name == "token") field = &uri.token;
    else if (name == "object") field = &uri.object;
    else if (name == "type") {
      if (value != "private" && value != "public" && value != "cert" && value != "secret-key" && value != "data")
        return fail(Errc::usage, where + " has unknown value '" + redact(value) + "'");
      field = &uri.type;
    } else if (name == "id") {
      if (uri.id) return fail(Errc::usage, where + " given twice");
      uri.id = Bytes(value.begin(), value.end());
      return {};
    } else if (name == "manufacturer" || name == "model" || name == "serial" || name == "library-manufacturer" ||
               name == "library-description" || name == "library-version") {
      return {};  // informational; tokens are selected by label
    } else if (name.starts_with("slot-")) {
      return fail(Errc::usage, where + ": tokens are selected by label (token=...), never by slot");
    }
  } else {
    if (name == "module-path") field = &uri.module_path;
    else if (name == "pin-source") field = &uri.pin_source;
    else if (name == "pin-value") field = &uri.pin_value;
    else if (name == "module-name") return fail(Errc::usage, where + ": use module-path=/path/to/module.so");
  }
  if (!field) {
    if (name.starts_with("x-")) return {};  // vendor extension, RFC 7512 §2.3
    return fail(Errc::usage, where + " is not a known PKCS#11 URI attribute");
  }
  if (!field->empty()) return fail(Errc::usage, where + " given twice");
  if (value.empty()) return fail(Errc::usage, where + " is empty");
  *field = std::move(value);
  return {};
}

Expected<KeyUri> parse_pkcs11(std::string_view text) {
  KeyUri uri;
  uri.scheme = KeyUri::Scheme::pkcs11;
  uri.text = redact(text);
  std::string_view rest = text.substr(7);
  auto q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view{} : rest.substr(q + 1);
  for (int pass = 0; pass < 2; ++pass) {
    std::string_view part_list = pass == 0 ? path : query;
    if (part_list.empty()) continue;
    for (auto attr : split(part_list, pass == 0 ? ';' : '&')) {
      if (attr.empty()) continue;
      auto eq = attr.find('=');
      if (eq == std::string_view::npos || eq == 0)
        return fail(Errc::usage, "key URI " + uri.text + ": '" + redact(attr) + "' is not name=value");
      auto value = pct_decode(attr.substr(eq + 1), "key URI " + uri.text);
      if (!value) return fail(std::move(value.error()));
      if (auto ok = set_pkcs11_attr(uri, attr.substr(0, eq), std::move(*value), pass == 1); !ok)
        return fail(std::move(ok.error()));
    }
  }
  if (uri.token.empty()) return fail(Errc::usage, "key URI " + uri.text + ": token=LABEL is required");
  if (uri.object.empty() && !uri.id)
    return fail(Errc::usage, "key URI " + uri.text + ": object=LABEL or id=%xx is required");
  if (!uri.type.empty() && uri.type != "private")
    return fail(Errc::usage, "key URI " + uri.text + ": type must be private for a signing key");
  if (!uri.pin_source.empty() && !uri.pin_value.empty())
    return fail(Errc::usage, "key URI " + uri.text + ": both pin-source and pin-value given");
  return uri;
}

Expected<KeyUri> parse_tpm2(std::string_view text) {
  KeyUri uri;
  uri.scheme = KeyUri::Scheme::tpm2;
  uri.text = std::string(text);
  std::string_view rest = text.substr(5);
  if (rest.starts_with("handle=")) {
    if (rest.size() == 7) return fail(Errc::usage, "key URI " + uri.text + ": handle is empty");
    auto h = tpm2::parse_persistent_handle(rest.substr(7), "key URI " + uri.text + ": handle");
    if (!h) return fail(std::move(h.error()));
    uri.handle = *h;
  } else if (rest.starts_with("file=")) {
    uri.path = std::string(rest.substr(5));
    if (uri.path.empty()) return fail(Errc::usage, "key URI " + uri.text + ": file path is empty");
  } else {
    return fail(Errc::usage, "key URI " + uri.text + ": expected tpm2:handle=0x81...... or tpm2:file=PATH");
  }
  return uri;
}

}  // namespace

namespace tpm2 {

std::string hex_handle(std::uint32_t h) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", h);
  return buf;
}

Expected<std::uint32_t> parse_persistent_handle(std::string_view text, const std::string& what) {
  std::string_view hex = text;
  if (hex.starts_with("0x") || hex.starts_with("0X")) hex.remove_prefix(2);
  if (hex.empty() || hex.size() > 8 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos)
    return fail(Errc::usage, what + " '" + std::string(text) + "' is not a hex TPM handle (e.g. 0x81020000)");
  auto h = static_cast<std::uint32_t>(std::stoul(std::string(hex), nullptr, 16));
  if ((h >> 24) != 0x81)
    return fail(Errc::usage, what + " " + hex_handle(h) + " is not a persistent TPM handle (0x81000000-0x81ffffff)");
  return h;
}

}  // namespace tpm2

Expected<KeyUri> parse_key_uri(std::string_view text) {
  if (text.empty()) return fail(Errc::usage, "key URI is empty");
  if (text.starts_with("pkcs11:")) return parse_pkcs11(text);
  if (text.starts_with("tpm2:")) return parse_tpm2(text);
  KeyUri uri;
  uri.text = std::string(text);
  if (text.starts_with("file:")) {
    text.remove_prefix(5);
    if (text.starts_with("//")) {  // file:///abs/path (RFC 8089)
      text.remove_prefix(2);
      if (!text.starts_with("/")) return fail(Errc::usage, "key URI " + uri.text + ": file URIs with a host are not supported");
    }
  } else {
    auto colon = text.find(':');
    auto slash = text.find('/');
    if (colon != std::string_view::npos && colon > 1 && (slash == std::string_view::npos || colon < slash))
      return fail(Errc::usage, "key URI " + uri.text + ": unknown scheme (use file:, pkcs11: or tpm2:)");
  }
  if (text.empty()) return fail(Errc::usage, "key URI " + uri.text + ": path is empty");
  uri.path = std::string(text);
  return uri;
}

Expected<KeyType> parse_key_type(std::string_view name) {
  if (name == "p256") return KeyType::p256;
  if (name == "p384") return KeyType::p384;
  if (name == "rsa2048") return KeyType::rsa2048;
  if (name == "rsa3072") return KeyType::rsa3072;
  if (name == "rsa4096") return KeyType::rsa4096;
  if (name == "ed25519") return KeyType::ed25519;
  return fail(Errc::usage, "unknown key type '" + std::string(name) + "' (p256, p384, rsa2048, rsa3072, rsa4096, ed25519)");
}

std::string key_type_name(KeyType t) {
  switch (t) {
    case KeyType::p256: return "p256";
    case KeyType::p384: return "p384";
    case KeyType::rsa2048: return "rsa2048";
    case KeyType::rsa3072: return "rsa3072";
    case KeyType::rsa4096: return "rsa4096";
    case KeyType::ed25519: return "ed25519";
  }
  return "?";
}

}  // namespace onboard::keys
