// Ticket types and their names, cty values (Part 21 §8.1 Table 5), authority bundles and the
// TicketListType shipment bundle (Part 21 §8.2.5).
#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "onboard/core/json.h"
#include "onboard/ticket/ticket.h"

namespace onboard::ticket {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string type_name(TicketType type) {
  return type == TicketType::device ? "DeviceIdentityTicketType" : "CompositeIdentityTicketType";
}

std::vector<std::pair<std::string, std::string>> descriptive_fields(const Ticket& t) {
  return {{"manufacturer_name", t.manufacturer_name},
          {"model_name", t.model_name},
          {"model_version", t.model_version},
          {"hardware_revision", t.hardware_revision},
          {"software_revision", t.software_revision},
          {"serial_number", t.serial_number},
          {"manufacture_date", t.manufacture_date ? format_time(*t.manufacture_date) : ""}};
}

std::string cty_for(TicketType type) { return "opc-ticket+json;type=" + type_name(type); }

// Parsed as a media type (RFC 2045 / RFC 7231 §3.1.1.1), never compared byte for byte: type
// and parameter names case-insensitive, optional blanks around ';' and '=', optionally quoted
// value, other parameters ignored, and (RFC 7515 §4.1.10) "application/" may be written or
// left out. The type value (a BrowseName) is compared exactly.
Expected<TicketType> type_from_cty(std::string_view cty) {
  auto bad = [&] {
    return fail(Errc::malformed, "cty \"" + std::string(cty) + "\" is not opc-ticket+json;type=DeviceIdentityTicketType "
                                                               "or ...;type=CompositeIdentityTicketType");
  };
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    auto semi = cty.find(';', start);
    parts.push_back(cty.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start));
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  std::string media = lower(trim(parts.front()));
  if (media != "opc-ticket+json" && media != "application/opc-ticket+json") return bad();
  std::optional<std::string> value;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    auto eq = parts[i].find('=');
    if (eq == std::string_view::npos) return bad();
    std::string name = lower(trim(parts[i].substr(0, eq)));
    if (name.empty() || name.find_first_of(" \t\"") != std::string::npos) return bad();
    if (name != "type") continue;
    if (value) return bad();  // two type parameters
    std::string v = trim(parts[i].substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    value = std::move(v);
  }
  if (!value) return bad();
  if (*value == type_name(TicketType::device)) return TicketType::device;
  if (*value == type_name(TicketType::composite)) return TicketType::composite;
  return bad();
}

Expected<CertificateAuthority> load_authority_bundle(const std::string& path) {
  auto certs = x509::Certificate::load_all(path);
  if (!certs) return fail(std::move(certs.error()));
  const x509::Certificate& ca = certs->front();
  if (!ca.is_ca())
    return fail(Errc::malformed, path + ": the first certificate (" + ca.subject() +
                                     ") is not a CA; an authority bundle starts with the CA that issues device certificates");
  if (certs->size() - 1 > kMaxIssuerCertificates)
    return fail(Errc::malformed, path + ": " + std::to_string(certs->size() - 1) + " issuer certificates, more than the limit of " +
                                     std::to_string(kMaxIssuerCertificates));
  CertificateAuthority out{ca.der(), {}};
  for (std::size_t i = 1; i < certs->size(); ++i) {
    if (!(*certs)[i - 1].signed_by((*certs)[i]))
      return fail(Errc::malformed, path + ": certificate " + std::to_string(i + 1) + " (" + (*certs)[i].subject() +
                                       ") did not issue the one before it (issuers go nearest first)");
    out.issuer_certificates.push_back((*certs)[i].der());
  }
  return out;
}

std::string encode_ticket_list(const std::vector<std::string>& device_docs,
                               const std::vector<std::string>& composite_docs) {
  auto list = [](const std::vector<std::string>& docs) {
    std::string a = "[";
    for (std::size_t i = 0; i < docs.size(); ++i) {
      std::string_view d = docs[i];
      while (!d.empty() && (d.back() == '\n' || d.back() == '\r')) d.remove_suffix(1);
      a += (i ? "," : "") + json::quote(d);
    }
    return a + "]";
  };
  std::string out = "{";
  if (!device_docs.empty()) out += "\"Devices\":" + list(device_docs);
  if (!composite_docs.empty()) out += std::string(out.size() > 1 ? "," : "") + "\"Composites\":" + list(composite_docs);
  return out + "}\n";
}

Expected<TicketList> decode_ticket_list(std::string_view json) {
  auto v = json::parse(json);
  if (!v) return fail(Errc::malformed, "ticket list: " + v.error().message);
  if (v->kind != json::Value::Kind::object) return fail(Errc::malformed, "ticket list: not a JSON object");
  TicketList out;
  for (const auto& [key, value] : v->members) {
    if (key == "UaTypeId") continue;
    std::vector<std::string>* slot = key == "Devices" || key == "devices"         ? &out.devices
                                     : key == "Composites" || key == "composites" ? &out.composites
                                                                                  : nullptr;
    if (!slot) return fail(Errc::malformed, "ticket list: unknown member \"" + key + "\"");
    if (value.kind == json::Value::Kind::null) continue;
    if (value.kind != json::Value::Kind::array) return fail(Errc::malformed, "ticket list: " + key + " is not an array");
    if (value.items.size() + slot->size() > kMaxTicketListEntries)
      return fail(Errc::malformed, "ticket list: " + key + " has more than " + std::to_string(kMaxTicketListEntries) +
                                       " tickets (the limit)");
    for (std::size_t i = 0; i < value.items.size(); ++i) {
      if (value.items[i].kind != json::Value::Kind::string)
        return fail(Errc::malformed, "ticket list: " + key + "[" + std::to_string(i) +
                                         "] is not a string (EncodedTicket is a JSON string)");
      slot->push_back(value.items[i].text);
    }
  }
  return out;
}

}  // namespace onboard::ticket
