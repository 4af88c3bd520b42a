// inspect-ticket: a signed ticket decoded with the verifier's strict decoders (jws::parse,
// ticket::decode_json_any), shown as it is — no chain, time, revocation or signature check.
#include <ostream>

#include <nlohmann/json.hpp>

#include "onboard/core/json.h"
#include "onboard/jws/jws.h"
#include "onboard/ops/inspect.h"
#include "onboard/ticket/ticket.h"
#include "onboard/x509/x509.h"

namespace onboard::ops {
namespace {

using ojson = nlohmann::ordered_json;
constexpr const char* kNotVerified =
    "NOT VERIFIED: decoded only; no signature, chain, validity or revocation was checked (use verify-ticket)";

/// Terminal output: a ticket is untrusted input, so control characters (escape sequences) are shown as '?'.
std::string safe(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = '?';
  return out;
}

struct Field {
  std::string name;
  std::string value;
};

std::vector<Field> payload_fields(const ticket::Ticket& t) {
  std::vector<Field> f{{"type", ticket::type_name(t.type)}};
  auto add = [&](const std::string& n, const std::string& v) {
    if (!v.empty()) f.push_back({n, v});
  };
  add("product_instance_uri", t.product_instance_uri);
  add("composite_instance_uri", t.composite_instance_uri);
  for (const auto& [name, value] : ticket::descriptive_fields(t))
    f.push_back({name, value.empty() && name == "manufacture_date" ? "unknown" : value});
  std::erase_if(f, [](const Field& x) { return x.value.empty(); });
  return f;
}

ojson cert_json(const x509::Certificate& c) {
  return {{"subject", c.subject()}, {"issuer", c.issuer()}, {"serial", c.serial_hex()},
          {"not_before", format_time(c.not_before())}, {"not_after", format_time(c.not_after())}};
}

ojson authority_json(const ticket::CertificateAuthority& a) {
  auto c = x509::Certificate::parse_der(a.authority_certificate, "AuthorityCertificate");
  ojson j = c ? cert_json(*c) : ojson{{"error", c.error().message}};
  j["issuer_certificates"] = a.issuer_certificates.size();
  return j;
}

/// The protected header's members as decoded JSON, x5c replaced by its count (the certificates
/// are listed on their own); the unprotected header as it is.
struct Headers {
  ojson protected_members = ojson::object();
  std::optional<ojson> unprotected;
};

Headers headers_of(const jws::Signature& sig) {
  Headers h;
  if (auto bytes = base64url_decode(sig.protected_b64)) {
    std::string text(bytes->begin(), bytes->end());
    if (auto v = json::parse(text); v && v->kind == json::Value::Kind::object) {
      for (const auto& [name, value] : v->members)
        h.protected_members[name] = name == "x5c" ? ojson(std::to_string(value.items.size()) + " certificate(s), below")
                                                  : ojson::parse(value.raw, nullptr, false);
    } else {
      h.protected_members["(unreadable)"] = text;
    }
  }
  if (auto v = json::parse(sig.raw); v)
    if (const auto* u = v->get("header")) h.unprotected = ojson::parse(u->raw, nullptr, false);
  return h;
}

ojson signature_json(const jws::Signature& sig, std::size_t index) {
  Headers h = headers_of(sig);
  ojson j{{"index", index}, {"protected", h.protected_members}};
  j["unprotected"] = h.unprotected ? *h.unprotected : ojson(nullptr);
  if (sig.fault) j["fault"] = sig.fault->message;
  if (sig.header) {
    const auto& x5c = sig.header->x5c;
    j["alg"] = jws::alg_name(sig.header->alg);
    j["signer"] = {{"subject", x5c[0].subject()}, {"issuer", x5c[0].issuer()}, {"serial", x5c[0].serial_hex()}};
    j["x5c"] = ojson::array();
    for (const auto& c : x5c) j["x5c"].push_back(cert_json(c));
  }
  return j;
}

ojson inspect_json(const std::string& name, const jws::Document& doc, const ticket::Ticket& t,
                   const std::vector<std::string>& warnings) {
  ojson j{{"verified", false}, {"note", kNotVerified}, {"ticket", name}};
  ojson payload = ojson::object();
  for (const auto& f : payload_fields(t)) payload[f.name] = f.value;
  if (!t.devices.empty()) payload["devices"] = t.devices;
  if (!t.composites.empty()) payload["composites"] = t.composites;
  payload["authorities"] = ojson::array();
  for (const auto& a : t.authorities) payload["authorities"].push_back(authority_json(a));
  j["payload"] = payload;
  j["signatures"] = ojson::array();
  for (std::size_t i = 0; i < doc.signatures.size(); ++i) j["signatures"].push_back(signature_json(doc.signatures[i], i));
  j["warnings"] = warnings;
  return j;
}

void cert_lines(std::ostream& o, const ojson& c, const std::string& label) {
  o << "    " << label << safe(c["subject"].get<std::string>()) << "\n"
    << "        issuer " << safe(c["issuer"].get<std::string>()) << ", serial " << c["serial"].get<std::string>()
    << "\n        valid " << c["not_before"].get<std::string>() << " to " << c["not_after"].get<std::string>() << "\n";
}

void inspect_text(std::ostream& o, const ojson& j) {
  o << kNotVerified << "\n" << safe(j["ticket"].get<std::string>()) << ": " << j["signatures"].size()
    << " signature(s)\npayload:\n";
  for (const auto& [k, v] : j["payload"].items()) {
    if (v.is_string()) o << "  " << k << std::string(24 - std::min<std::size_t>(k.size(), 23), ' ') << safe(v.get<std::string>()) << "\n";
    if (k == "devices" || k == "composites")
      for (const auto& u : v) o << "  " << k << std::string(24 - k.size(), ' ') << safe(u.get<std::string>()) << "\n";
  }
  if (!j["payload"]["authorities"].empty()) o << "  authorities:\n";
  for (const auto& a : j["payload"]["authorities"]) {
    if (a.contains("error")) { o << "    " << safe(a["error"].get<std::string>()) << "\n"; continue; }
    cert_lines(o, a, "");
  }
  for (const auto& s : j["signatures"]) {
    o << "signature #" << s["index"].get<std::size_t>() << ":\n";
    auto dump = [](const ojson& v) { return safe(v.dump(-1, ' ', false, ojson::error_handler_t::replace)); };
    o << "  protected header    " << dump(s["protected"]) << "\n";
    o << "  unprotected header  " << (s["unprotected"].is_null() ? std::string("(none)") : dump(s["unprotected"])) << "\n";
    if (s.contains("fault")) o << "  header fault        " << safe(s["fault"].get<std::string>()) << "\n";
    if (!s.contains("x5c")) continue;
    o << "  signer              " << safe(s["signer"]["subject"].get<std::string>()) << "\n"
      << "  issuer              " << safe(s["signer"]["issuer"].get<std::string>()) << "\n"
      << "  serial              " << s["signer"]["serial"].get<std::string>() << "\n  x5c:\n";
    for (std::size_t i = 0; i < s["x5c"].size(); ++i) cert_lines(o, s["x5c"][i], "[" + std::to_string(i) + "] ");
  }
  for (const auto& w : j["warnings"]) o << "warning: " << safe(w.get<std::string>()) << "\n";
}

}  // namespace

Status inspect_ticket(const InspectTicketRequest& req, Env& env) {
  if (req.ticket.empty()) return fail(Errc::usage, "give a TICKET file (- for stdin)");
  jws::Limits limits;
  limits.max_document = req.max_size;
  auto text = read_file(req.ticket, limits.max_document);
  if (!text) return fail(std::move(text.error()));
  auto doc = jws::parse(*text, limits);
  if (!doc) return fail(std::move(doc.error()).context(req.ticket));
  std::vector<std::string> warnings;
  auto t = ticket::decode_json_any(doc->payload, {}, &warnings);
  if (!t) return fail(std::move(t.error()).context(req.ticket + ": payload"));
  ojson j = inspect_json(req.ticket, *doc, *t, warnings);
  if (req.json)
    *env.out << j.dump(-1, ' ', false, ojson::error_handler_t::replace) << "\n";
  else
    inspect_text(*env.out, j);
  env.out->flush();
  return {};
}

}  // namespace onboard::ops
