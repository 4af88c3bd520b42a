// JAdES unsigned properties (ETSI TS 119 182-1 V1.1.1 §5.3): the `etsiU` member of a signature's
// unprotected header, of which this toolchain reads and writes the `sigTst` component only
// (SPEC §13.6). V1.1.1 writes each etsiU element as the base64url encoding of a JSON object with
// one member; later versions also allow the object in clear: both are read, base64url is written.
#include "alg.h"

namespace onboard::jws {
namespace detail {

using Kind = json::Value::Kind;

namespace {

std::string component_text(const json::Value& element, std::size_t i, std::string& fault) {
  std::string where = "etsiU[" + std::to_string(i) + "]";
  if (element.kind == Kind::object) return std::string(element.raw);
  if (element.kind != Kind::string) {
    fault = where + " is neither a base64url string nor a JSON object";
    return "";
  }
  auto bytes = base64url_decode(element.text);
  if (!bytes) {
    fault = where + ": " + bytes.error().message;
    return "";
  }
  return to_string(*bytes);
}

void read_sig_tst(const json::Value& sig_tst, std::vector<Bytes>& out, std::string& fault) {
  const json::Value* tokens = sig_tst.kind == Kind::object ? sig_tst.get("tstTokens") : nullptr;
  if (!tokens || tokens->kind != Kind::array || tokens->items.empty()) {
    fault = "sigTst has no tstTokens array";
    return;
  }
  for (const auto& t : tokens->items) {
    const json::Value* val = t.kind == Kind::object ? t.get("val") : nullptr;
    if (!val || val->kind != Kind::string) {
      fault = "a sigTst tstTokens entry has no \"val\" string";
      return;
    }
    auto der = base64_decode(val->text);
    if (!der) {
      fault = "sigTst token val is not standard base64: " + der.error().message;
      return;
    }
    out.push_back(std::move(*der));
  }
}

}  // namespace

void read_etsiu(const json::Value& unprotected, Signature& sig) {
  const json::Value* etsiu = unprotected.get("etsiU");
  if (!etsiu) return;
  std::string fault;
  if (etsiu->kind != Kind::array) {
    sig.timestamp_fault = "etsiU is not an array (ETSI TS 119 182-1 §5.3.1)";
    return;
  }
  for (std::size_t i = 0; i < etsiu->items.size() && fault.empty(); ++i) {
    std::string text = component_text(etsiu->items[i], i, fault);
    if (!fault.empty()) break;
    auto component = json::parse(text);
    if (!component || component->kind != Kind::object || component->members.size() != 1) {
      fault = "etsiU[" + std::to_string(i) + "] is not a JSON object with one member";
      break;
    }
    if (component->members.front().first == "sigTst") read_sig_tst(component->members.front().second,
                                                                    sig.timestamp_tokens, fault);
  }
  if (!fault.empty()) {
    sig.timestamp_fault = fault;
    sig.timestamp_tokens.clear();
  }
}

}  // namespace detail

Signature with_timestamp(const Signature& sig, ByteView token) {
  Signature out = sig;
  std::string component = "{\"sigTst\":{\"tstTokens\":[{\"val\":\"" + base64_encode(token) + "\"}]}}";
  out.raw = "{\"protected\":\"" + sig.protected_b64 + "\",\"header\":{\"etsiU\":[\"" +
            base64url_encode(as_bytes(component)) + "\"]},\"signature\":\"" + sig.signature_b64 + "\"}";
  out.timestamp_tokens = {Bytes(token.begin(), token.end())};
  out.timestamp_fault.reset();
  return out;
}

}  // namespace onboard::jws
