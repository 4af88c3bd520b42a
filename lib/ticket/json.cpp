// OPC 10000-6 compact JSON for the Part 21 ticket types (SPEC §5): PascalCase, base fields
// first, defaults omitted, ByteString standard base64, DateTime YYYY-MM-DDThh:mm:ssZ.
#include "onboard/core/json.h"
#include "onboard/ticket/ticket.h"

namespace onboard::ticket {
namespace {

using Kind = json::Value::Kind;

constexpr UnixTime kOpcUaEpoch = -11644473600;  // 1601-01-01T00:00:00Z: DateTime.MinValue in binary

void add_string(std::string& out, const char* key, const std::string& value) {
  if (value.empty()) return;  // String default (null) is omitted in compact encoding
  out += out.size() > 1 ? ",\"" : "\"";
  out += key;
  out += "\":";
  out += json::quote(value);
}

void add_raw(std::string& out, const char* key, const std::string& json) {
  out += out.size() > 1 ? ",\"" : "\"";
  out += key;
  out += "\":";
  out += json;
}

std::string string_array(const std::vector<std::string>& items) {
  std::string a = "[";
  for (std::size_t i = 0; i < items.size(); ++i) a += (i ? "," : "") + json::quote(items[i]);
  return a + "]";
}

std::string authorities_json(const std::vector<CertificateAuthority>& cas) {
  std::string a = "[";
  for (std::size_t i = 0; i < cas.size(); ++i) {
    a += i ? ",{" : "{";
    a += "\"AuthorityCertificate\":\"" + base64_encode(cas[i].authority_certificate) + "\"";
    if (!cas[i].issuer_certificates.empty()) {
      a += ",\"IssuerCertificates\":[";
      for (std::size_t k = 0; k < cas[i].issuer_certificates.size(); ++k)
        a += (k ? ",\"" : "\"") + base64_encode(cas[i].issuer_certificates[k]) + "\"";
      a += "]";
    }
    a += "}";
  }
  return a + "]";
}

Status check_for_encoding(const Ticket& t) {
  if (t.manufacturer_name.empty()) return fail(Errc::malformed, "ManufacturerName is required");
  for (const std::string* s : {&t.manufacturer_name, &t.model_name, &t.model_version, &t.hardware_revision,
                               &t.software_revision, &t.serial_number})
    if (auto ok = check_utf8(*s, "ticket field"); !ok) return ok;
  if (t.type == TicketType::device) {
    if (!t.composite_instance_uri.empty() || !t.devices.empty() || !t.composites.empty())
      return fail(Errc::malformed, "a DeviceIdentityTicket has no CompositeInstanceUri, Devices or Composites");
    return validate_instance_uri(t.product_instance_uri, "ProductInstanceUri");
  }
  if (!t.product_instance_uri.empty()) return fail(Errc::malformed, "a CompositeIdentityTicket has no ProductInstanceUri");
  for (const auto& d : t.devices)
    if (auto ok = validate_instance_uri(d, "Devices entry"); !ok) return ok;
  for (const auto& c : t.composites)
    if (auto ok = validate_instance_uri(c, "Composites entry"); !ok) return ok;
  return validate_instance_uri(t.composite_instance_uri, "CompositeInstanceUri");
}

// ---- decoding ----

struct FieldSpec {
  const char* name;
  int owner;  // 0 base, 1 device, 2 composite
};
constexpr FieldSpec kFields[] = {
    {"ManufacturerName", 0}, {"ModelName", 0},          {"ModelVersion", 0}, {"HardwareRevision", 0},
    {"SoftwareRevision", 0}, {"SerialNumber", 0},       {"ManufactureDate", 0}, {"Authorities", 0},
    {"ProductInstanceUri", 1}, {"CompositeInstanceUri", 2}, {"Devices", 2},  {"Composites", 2},
};

// PascalCase name of a member written either way (SPEC §5: camelCase accepted with a warning).
const FieldSpec* field_for(const std::string& key, bool& camel) {
  for (const auto& f : kFields) {
    std::string pascal = f.name;
    if (key == pascal) return camel = false, &f;
    std::string lower = pascal;
    lower[0] = static_cast<char>(lower[0] - 'A' + 'a');
    if (key == lower) return camel = true, &f;
  }
  return nullptr;
}

class Decoder {
 public:
  Decoder(TicketType type, const DecodeOptions& o, std::vector<std::string>* warnings)
      : type_(type), options_(o), warnings_(warnings) {}

  Expected<Ticket> run(const json::Value& top) {
    if (top.kind != Kind::object) return fail(Errc::malformed, "the payload is not a JSON object");
    Ticket t;
    t.type = type_;
    std::vector<std::string> seen;
    for (const auto& [key, value] : top.members) {
      if (key == "UaTypeId") continue;  // SPEC §5: ignored
      bool camel = false;
      const FieldSpec* f = field_for(key, camel);
      if (!f) {
        if (auto ok = unknown(key, "member"); !ok) return fail(std::move(ok.error()));
        continue;
      }
      if (camel) warn("camelCase member \"" + key + "\" read as " + f->name);
      for (const auto& s : seen)
        if (s == f->name) return fail(Errc::malformed, std::string("member ") + f->name + " appears twice");
      seen.push_back(f->name);
      if (auto ok = member(t, *f, value); !ok) return fail(std::move(ok.error()));
    }
    if (auto ok = check_required(t); !ok) return fail(std::move(ok.error()));
    return t;
  }

 private:
  void warn(const std::string& w) {
    if (warnings_) warnings_->push_back(w);
  }
  Status unknown(const std::string& key, const char* what) {
    if (options_.strict) return fail(Errc::malformed, std::string("unknown ") + what + " \"" + key + "\" (--strict)");
    warn(std::string("unknown ") + what + " \"" + key + "\" ignored");
    return {};
  }

  static Expected<std::string> string_of(const json::Value& v, const char* name) {
    if (v.kind != Kind::string) return fail(Errc::malformed, std::string(name) + " is not a JSON string");
    return v.text;
  }

  static Expected<std::vector<std::string>> strings_of(const json::Value& v, const char* name) {
    if (v.kind != Kind::array) return fail(Errc::malformed, std::string(name) + " is not a JSON array");
    if (v.items.size() > kMaxMembers)
      return fail(Errc::malformed, std::string(name) + " has " + std::to_string(v.items.size()) + " entries, more than the limit of " +
                                       std::to_string(kMaxMembers));
    std::vector<std::string> out;
    for (const auto& item : v.items) {
      auto s = string_of(item, name);
      if (!s) return fail(std::move(s.error()));
      out.push_back(std::move(*s));
    }
    return out;
  }

  Expected<Bytes> certificate(const json::Value& v, const std::string& where) {
    if (v.kind != Kind::string) return fail(Errc::malformed, where + " is not a JSON string");
    auto der = base64_decode(v.text);
    if (!der) return fail(Errc::malformed, where + " is not standard base64: " + der.error().message);
    if (!x509::Certificate::parse_der(*der, where)) return fail(Errc::malformed, where + " is not a DER certificate");
    return der;
  }

  Status authority(const json::Value& v, const std::string& where, std::vector<CertificateAuthority>& out) {
    if (v.kind != Kind::object) return fail(Errc::malformed, where + " is not a JSON object");
    if (out.size() >= kMaxAuthorities)
      return fail(Errc::malformed, "more than " + std::to_string(kMaxAuthorities) + " Authorities (the limit)");
    CertificateAuthority ca;
    bool have = false;
    for (const auto& [key, value] : v.members) {
      if (key == "AuthorityCertificate" || key == "authorityCertificate") {
        auto der = certificate(value, where + ".AuthorityCertificate");
        if (!der) return fail(std::move(der.error()));
        ca.authority_certificate = std::move(*der);
        have = true;
      } else if (key == "IssuerCertificates" || key == "issuerCertificates") {
        if (value.kind == Kind::null) continue;
        if (value.kind != Kind::array) return fail(Errc::malformed, where + ".IssuerCertificates is not a JSON array");
        if (value.items.size() + ca.issuer_certificates.size() > kMaxIssuerCertificates)
          return fail(Errc::malformed, where + ".IssuerCertificates has more than " + std::to_string(kMaxIssuerCertificates) +
                                           " certificates (the limit)");
        for (std::size_t i = 0; i < value.items.size(); ++i) {
          auto der = certificate(value.items[i], where + ".IssuerCertificates[" + std::to_string(i) + "]");
          if (!der) return fail(std::move(der.error()));
          ca.issuer_certificates.push_back(std::move(*der));
        }
      } else if (key != "UaTypeId") {
        if (auto ok = unknown(key, "CertificateAuthorityType member"); !ok) return ok;
      }
    }
    if (!have) return fail(Errc::malformed, where + " has no AuthorityCertificate");
    out.push_back(std::move(ca));
    return {};
  }

  Status date(Ticket& t, const json::Value& v) {
    auto s = string_of(v, "ManufactureDate");
    if (!s) return fail(std::move(s.error()));
    auto when = parse_time(*s);
    if (!when || s->size() < 20) return fail(Errc::malformed, "ManufactureDate '" + *s + "' is not an ISO 8601 UTC time");
    if (*when > kOpcUaEpoch) t.manufacture_date = *when;  // 0001-01-01 and 1601-01-01 mean unknown
    return {};
  }

  Status member(Ticket& t, const FieldSpec& f, const json::Value& v) {
    if (f.owner != 0 && f.owner != (type_ == TicketType::device ? 1 : 2))
      return fail(Errc::malformed, std::string("member ") + f.name + " belongs to " +
                                       type_name(type_ == TicketType::device ? TicketType::composite : TicketType::device) +
                                       ", not " + type_name(type_));
    if (v.kind == Kind::null) return {};
    std::string name = f.name;
    if (name == "ManufactureDate") return date(t, v);
    if (name == "Authorities") {
      if (v.kind != Kind::array) return fail(Errc::malformed, "Authorities is not a JSON array");
      for (std::size_t i = 0; i < v.items.size(); ++i)
        if (auto ok = authority(v.items[i], "Authorities[" + std::to_string(i) + "]", t.authorities); !ok) return ok;
      return {};
    }
    if (name == "Devices" || name == "Composites") {
      auto list = strings_of(v, f.name);
      if (!list) return fail(std::move(list.error()));
      (name == "Devices" ? t.devices : t.composites) = std::move(*list);
      return {};
    }
    auto s = string_of(v, f.name);
    if (!s) return fail(std::move(s.error()));
    std::string* slot = name == "ManufacturerName"     ? &t.manufacturer_name
                        : name == "ModelName"          ? &t.model_name
                        : name == "ModelVersion"       ? &t.model_version
                        : name == "HardwareRevision"   ? &t.hardware_revision
                        : name == "SoftwareRevision"   ? &t.software_revision
                        : name == "SerialNumber"       ? &t.serial_number
                        : name == "ProductInstanceUri" ? &t.product_instance_uri
                                                       : &t.composite_instance_uri;
    *slot = std::move(*s);
    return {};
  }

  Status check_required(const Ticket& t) {
    if (t.manufacturer_name.empty()) warn("the payload has no ManufacturerName");
    if (type_ == TicketType::device) {
      if (t.product_instance_uri.empty())
        return fail(Errc::malformed, "the payload has no ProductInstanceUri (required in a DeviceIdentityTicketType)");
      return validate_instance_uri(t.product_instance_uri, "ProductInstanceUri");
    }
    if (t.composite_instance_uri.empty())
      return fail(Errc::malformed, "the payload has no CompositeInstanceUri (required in a CompositeIdentityTicketType)");
    return validate_instance_uri(t.composite_instance_uri, "CompositeInstanceUri");
  }

  TicketType type_;
  const DecodeOptions& options_;
  std::vector<std::string>* warnings_;
};

// OPC 10000-6 v1.04 reversible form of an ExtensionObject: {"TypeId":..., "Encoding":0,
// "Body":{...}} (Encoding absent or 0 = JSON body). The ticket is the Body; TypeId is ignored
// like UaTypeId (SPEC §13.8: verbose and reversible forms accepted on input).
bool is_v104_wrapper(const json::Value& v) {
  if (v.kind != Kind::object) return false;
  const json::Value* body = v.get("Body");
  if (!body || body->kind != Kind::object || !v.get("TypeId")) return false;
  for (const auto& [key, value] : v.members) {
    if (key == "Encoding") {
      if (value.kind != Kind::number || value.text != "0") return false;
    } else if (key != "TypeId" && key != "Body") {
      return false;
    }
  }
  return true;
}

Expected<json::Value> payload_json(ByteView json) {
  auto v = json::parse(std::string_view(reinterpret_cast<const char*>(json.data()), json.size()));
  if (!v) return fail(Errc::malformed, "the payload is not JSON: " + v.error().message);
  if (is_v104_wrapper(*v)) {
    json::Value body = *v->get("Body");
    return body;
  }
  return v;
}

}  // namespace

Expected<std::string> encode_json(const Ticket& t) {
  if (auto ok = check_for_encoding(t); !ok) return fail(std::move(ok.error()));
  std::string out = "{";
  add_string(out, "ManufacturerName", t.manufacturer_name);
  add_string(out, "ModelName", t.model_name);
  add_string(out, "ModelVersion", t.model_version);
  add_string(out, "HardwareRevision", t.hardware_revision);
  add_string(out, "SoftwareRevision", t.software_revision);
  add_string(out, "SerialNumber", t.serial_number);
  if (t.manufacture_date && *t.manufacture_date > kOpcUaEpoch)
    add_raw(out, "ManufactureDate", "\"" + format_time(*t.manufacture_date) + "\"");
  if (!t.authorities.empty()) add_raw(out, "Authorities", authorities_json(t.authorities));
  if (t.type == TicketType::device) {
    add_string(out, "ProductInstanceUri", t.product_instance_uri);
  } else {
    add_string(out, "CompositeInstanceUri", t.composite_instance_uri);
    if (!t.devices.empty()) add_raw(out, "Devices", string_array(t.devices));
    if (!t.composites.empty()) add_raw(out, "Composites", string_array(t.composites));
  }
  return out + "}";
}

Expected<Ticket> decode_json(ByteView json, TicketType type, const DecodeOptions& options,
                             std::vector<std::string>* warnings) {
  auto v = payload_json(json);
  if (!v) return fail(std::move(v.error()));
  return Decoder(type, options, warnings).run(*v);
}

Expected<Ticket> decode_json_any(ByteView json, const DecodeOptions& options, std::vector<std::string>* warnings) {
  auto v = payload_json(json);
  if (!v) return fail(std::move(v.error()));
  if (v->kind != Kind::object) return fail(Errc::malformed, "the payload is not a JSON object");
  bool device = v->get("ProductInstanceUri") || v->get("productInstanceUri");
  bool composite = v->get("CompositeInstanceUri") || v->get("compositeInstanceUri");
  if (device == composite)
    return fail(Errc::malformed, device ? "the payload has both ProductInstanceUri and CompositeInstanceUri"
                                        : "the payload has neither ProductInstanceUri nor CompositeInstanceUri");
  return Decoder(device ? TicketType::device : TicketType::composite, options, warnings).run(*v);
}

}  // namespace onboard::ticket
