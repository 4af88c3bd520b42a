// Reading and writing the signed ticket document (RFC 7515 §7.2, SPEC §6).
// Structural faults fail parse(); a fault of one signature is recorded on that signature so
// the others can still be judged (and copied byte for byte by countersign-ticket).
#include "alg.h"

namespace onboard::jws {
namespace {

using Kind = json::Value::Kind;

tl::unexpected<Error> malformed(const std::string& why) { return fail(Errc::malformed, why); }

// x5c: the signer certificate first, then its issuers, each standard base64 DER (SPEC §6).
Status read_x5c(const json::Value& v, const Limits& limits, std::vector<x509::Certificate>& out) {
  if (v.kind != Kind::array) return malformed("x5c is not an array");
  if (v.items.empty()) return malformed("x5c is empty: the signer certificate is missing");
  if (v.items.size() > limits.max_x5c)
    return malformed("x5c has " + std::to_string(v.items.size()) + " certificates, more than the limit of " +
                     std::to_string(limits.max_x5c));
  for (std::size_t i = 0; i < v.items.size(); ++i) {
    std::string where = "x5c[" + std::to_string(i) + "]";
    if (v.items[i].kind != Kind::string) return malformed(where + " is not a string");
    auto der = base64_decode(v.items[i].text);
    if (!der) return malformed(where + " is not standard base64: " + der.error().message);
    auto cert = x509::Certificate::parse_der(*der, where);
    if (!cert) return malformed(where + " is not a DER certificate");
    out.push_back(std::move(*cert));
  }
  return {};
}

Status read_string_member(const json::Value& obj, const char* name, bool required, std::string& out) {
  const json::Value* v = obj.get(name);
  if (!v) return required ? malformed(std::string("\"") + name + "\" is missing") : Status{};
  if (v->kind != Kind::string) return malformed(std::string("\"") + name + "\" is not a string");
  out = v->text;
  return {};
}

// The unprotected header is never trusted (SPEC §6). Members that matter must not hide there,
// and RFC 7515 §7.2.1 requires it to be disjoint from the protected header.
Status check_unprotected(const json::Value& unprotected, const json::Value& protected_header) {
  for (const auto& [name, value] : unprotected.members) {
    if (protected_header.get(name))
      return malformed("member \"" + name + "\" appears in both the protected and the unprotected header");
    for (const char* guarded : {"alg", "x5c", "cty", "opc-uri", "crit", "jwk", "kid", "x5u", "jku"})
      if (name == guarded) return malformed("unprotected header member \"" + name + "\" is refused: it is not signed");
  }
  return {};
}

Expected<Header> parse_header(std::string_view protected_b64, const json::Value* unprotected, const Limits& limits) {
  auto bytes = base64url_decode(protected_b64);
  if (!bytes) return malformed("protected header: " + bytes.error().message);
  std::string text = to_string(*bytes);
  auto json = json::parse(text);
  if (!json) return malformed("protected header: " + json.error().message);
  if (json->kind != Kind::object) return malformed("protected header is not a JSON object");
  if (json->get("crit"))
    return malformed("protected header has \"crit\": no critical extensions are understood (SPEC §6)");
  Header h;
  std::string alg;
  if (auto ok = read_string_member(*json, "alg", true, alg); !ok) return malformed("protected header: " + ok.error().message);
  auto parsed_alg = parse_alg(alg);
  if (!parsed_alg) return fail(std::move(parsed_alg.error()));
  h.alg = *parsed_alg;
  const json::Value* x5c = json->get("x5c");
  if (!x5c) return malformed("protected header: \"x5c\" is missing (the signer certificate is required)");
  if (auto ok = read_x5c(*x5c, limits, h.x5c); !ok) return fail(std::move(ok.error()));
  if (auto ok = read_string_member(*json, "cty", true, h.cty); !ok) return malformed("protected header: " + ok.error().message);
  if (json->get("opc-uri")) {
    std::string uri;
    if (auto ok = read_string_member(*json, "opc-uri", true, uri); !ok) return malformed("protected header: " + ok.error().message);
    h.opc_uri = uri;
  }
  for (const auto& [name, value] : json->members)
    if (name != "alg" && name != "x5c" && name != "cty" && name != "opc-uri")
      h.warnings.push_back("protected header member \"" + name + "\" is not understood and was ignored");
  if (unprotected)
    if (auto ok = check_unprotected(*unprotected, *json); !ok) return fail(std::move(ok.error()));
  if (auto ok = check_alg_fits(h.alg, h.x5c.front()); !ok) return fail(std::move(ok.error()));
  return h;
}

// One signature object. Anything wrong is recorded in `fault`; only the raw bytes must exist.
Signature read_signature(const json::Value& obj, std::string raw, const Limits& limits, bool flattened) {
  Signature sig;
  sig.raw = std::move(raw);
  auto set_fault = [&](const std::string& why) {
    if (!sig.fault) sig.fault = Error{Errc::malformed, why};
  };
  for (const auto& [name, value] : obj.members)
    if (name != "protected" && name != "header" && name != "signature" && !(flattened && name == "payload"))
      set_fault("signature object has an unknown member \"" + name + "\"");
  const json::Value* prot = obj.get("protected");
  const json::Value* unprot = obj.get("header");
  const json::Value* value = obj.get("signature");
  if (!prot || prot->kind != Kind::string) set_fault("\"protected\" is missing or not a string");
  if (!value || value->kind != Kind::string) set_fault("\"signature\" is missing or not a string");
  if (unprot && unprot->kind != Kind::object) set_fault("\"header\" is not a JSON object");
  if (sig.fault) return sig;
  sig.protected_b64 = prot->text;
  sig.signature_b64 = value->text;
  auto bytes = base64url_decode(sig.signature_b64);
  if (!bytes) {
    set_fault("signature value: " + bytes.error().message);
    return sig;
  }
  sig.signature = std::move(*bytes);
  auto header = parse_header(sig.protected_b64, unprot, limits);
  if (!header) {
    sig.fault = std::move(header.error());
    return sig;
  }
  sig.header = std::move(*header);
  if (unprot) detail::read_etsiu(*unprot, sig);  // SPEC §13.6; judged by verify, never trusted as is
  return sig;
}

Status check_members(const json::Value& top, std::initializer_list<const char*> allowed, const char* form) {
  for (const auto& [name, value] : top.members) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || name == a;
    if (!ok) return malformed(std::string("unexpected member \"") + name + "\" in a " + form + " JWS JSON serialization");
  }
  return {};
}

// Flattened (RFC 7515 §7.2.2): the one signature object is rebuilt from the member values'
// own bytes, so its signature still covers exactly what was signed.
std::string flattened_raw(const json::Value& top) {
  std::string raw = "{";
  for (const char* name : {"protected", "header", "signature"}) {
    const json::Value* v = top.get(name);
    if (!v) continue;
    if (raw.size() > 1) raw += ',';
    raw += '"';
    raw += name;
    raw += "\":";
    raw += v->raw;
  }
  return raw + "}";
}

}  // namespace

Expected<Document> parse(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_document)
    return malformed("document is " + std::to_string(text.size()) + " bytes, over the limit of " +
                     std::to_string(limits.max_document) + " (--max-size)");
  auto top = json::parse(text);
  if (!top) return fail(std::move(top.error()));
  if (top->kind != Kind::object) return malformed("not a JWS: the document is not a JSON object");
  Document doc;
  const json::Value* sigs = top->get("signatures");
  if (!sigs && !top->get("signature"))
    return malformed("not a JWS JSON serialization: neither \"signatures\" nor \"signature\" is present");
  if (auto ok = sigs ? check_members(*top, {"payload", "signatures"}, "general")
                     : check_members(*top, {"payload", "protected", "header", "signature"}, "flattened");
      !ok)
    return fail(std::move(ok.error()));
  const json::Value* payload = top->get("payload");
  if (!payload || payload->kind != Kind::string) return malformed("\"payload\" is missing or not a string");
  auto bytes = base64url_decode(payload->text);
  if (!bytes) return malformed("payload: " + bytes.error().message);
  doc.payload_b64 = payload->text;
  doc.payload = std::move(*bytes);
  if (!sigs) {
    doc.was_flattened = true;
    doc.signatures.push_back(read_signature(*top, flattened_raw(*top), limits, true));
    return doc;
  }
  if (sigs->kind != Kind::array) return malformed("\"signatures\" is not an array");
  if (sigs->items.empty()) return malformed("\"signatures\" is empty: the ticket is not signed");
  if (sigs->items.size() > limits.max_signatures)
    return malformed("document has " + std::to_string(sigs->items.size()) + " signatures, more than the limit of " +
                     std::to_string(limits.max_signatures));
  for (std::size_t i = 0; i < sigs->items.size(); ++i) {
    const json::Value& s = sigs->items[i];
    if (s.kind != Kind::object) return malformed("signatures[" + std::to_string(i) + "] is not a JSON object");
    doc.signatures.push_back(read_signature(s, std::string(s.raw), limits, false));
  }
  return doc;
}

std::string serialize(const Document& doc) {
  std::size_t size = doc.payload_b64.size() + 40;
  for (const auto& s : doc.signatures) size += s.raw.size() + 1;
  std::string out;
  out.reserve(size);
  out += "{\"payload\":\"";
  out += doc.payload_b64;
  out += "\",\"signatures\":[";
  for (std::size_t i = 0; i < doc.signatures.size(); ++i) {
    if (i) out += ',';
    out += doc.signatures[i].raw;
  }
  out += "]}\n";
  return out;
}

}  // namespace onboard::jws
