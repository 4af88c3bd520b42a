// The verification report as one JSON object per ticket (--json). Written directly rather
// than through a DOM: a batch prints thousands of these, and building a JSON tree per ticket
// cost as much CPU as verifying its signatures.
#include <cstdio>

#include "verify_internal.h"

namespace onboard::verify {
namespace {

/// Appends JSON tokens; commas between members/elements are handled by the writer.
class JsonOut {
 public:
  std::string text;
  void open(char c) { sep(); text += c; first_ = true; }
  void close(char c) { text += c; first_ = false; }
  void key(std::string_view k) { sep(); str_raw(k); text += ':'; first_ = true; }
  void str(std::string_view v) { sep(); str_raw(v); }
  void num(long long v) { sep(); text += std::to_string(v); }
  void boolean(bool v) { sep(); text += v ? "true" : "false"; }
  void null() { sep(); text += "null"; }
  void kv(std::string_view k, std::string_view v) { key(k); str(v); }
  void time_or_null(std::string_view k, const std::optional<UnixTime>& t) {
    key(k);
    if (t) str(format_time(*t)); else null();
  }

 private:
  void sep() {
    if (!first_) text += ',';
    first_ = false;
  }
  void str_raw(std::string_view v) {  // RFC 8259 escaping; UTF-8 passes through
    text += '"';
    for (char ch : v) {
      auto c = static_cast<unsigned char>(ch);
      if (c == '"' || c == '\\') {
        text += '\\';
        text += ch;
      } else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        text += buf;
      } else {
        text += ch;
      }
    }
    text += '"';
  }
  bool first_ = true;
};

void check_json(JsonOut& j, std::string_view name, const Check& c, const std::string* status = nullptr) {
  j.key(name);
  j.open('{');
  j.kv("result", c.outcome == Outcome::pass ? "pass" : c.outcome == Outcome::fail ? "fail" : "skipped");
  j.kv("detail", c.detail);
  if (status) j.kv("status", *status);
  j.close('}');
}

void signature_json(JsonOut& j, const SignatureReport& s) {
  j.open('{');
  j.key("index"), j.num(static_cast<long long>(s.index));
  j.kv("alg", s.alg);
  j.kv("signer", s.signer);
  j.kv("issuer", s.issuer);
  j.key("opc_uri");
  if (s.opc_uri) j.str(*s.opc_uri); else j.null();
  j.key("accepted"), j.boolean(s.accepted);
  j.key("code"), j.num(static_cast<int>(s.code));
  j.kv("reason", s.reason);
  j.kv("trusted_by", s.trusted_by);
  check_json(j, "header", s.header);
  check_json(j, "chain", s.chain);
  check_json(j, "time", s.time);
  check_json(j, "revocation", s.revocation, &s.revocation_status);
  check_json(j, "signature", s.signature);
  j.key("timestamp");  // SPEC §13.6
  j.open('{');
  j.kv("state", timestamp_state_name(s.timestamp.state));
  if (s.timestamp.state != TimestampResult::State::none) {
    j.kv("detail", s.timestamp.detail);
    j.key("time");
    if (s.timestamp.time) j.str(format_time(s.timestamp.time)); else j.null();
    j.kv("tsa", s.timestamp.tsa);
    j.kv("policy", s.timestamp.policy);
  }
  j.close('}');
  j.key("certificates");
  j.open('[');
  for (const auto& c : s.certificates) {
    j.open('{');
    j.kv("subject", c.subject);
    j.kv("not_before", format_time(c.not_before));
    j.kv("not_after", format_time(c.not_after));
    j.kv("revocation", c.revocation);
    if (c.revoked_at) j.kv("revoked_at", format_time(*c.revoked_at));
    if (c.revocation_reason) j.kv("revocation_reason", x509::crl_reason_name(*c.revocation_reason));
    j.close('}');
  }
  j.close(']');
  if (!s.certificates.empty()) j.kv("valid_until", format_time(s.window_end));
  j.close('}');
}

void strings_json(JsonOut& j, std::string_view name, const std::vector<std::string>& v) {
  j.key(name);
  j.open('[');
  for (const auto& s : v) j.str(s);
  j.close(']');
}

/// The decoded payload (SPEC §13.4), every field; Authorities by subject, validity, fingerprint.
void payload_json(JsonOut& j, const ticket::Ticket& t) {
  j.key("payload");
  j.open('{');
  if (t.type == ticket::TicketType::device) j.kv("product_instance_uri", t.product_instance_uri);
  else j.kv("composite_instance_uri", t.composite_instance_uri);
  for (const auto& [name, value] : ticket::descriptive_fields(t)) {
    if (name == "manufacture_date") j.time_or_null(name, t.manufacture_date);  // null when unknown
    else j.kv(name, value);
  }
  if (t.type == ticket::TicketType::composite) {
    strings_json(j, "devices", t.devices);
    strings_json(j, "composites", t.composites);
  }
  j.key("authorities");
  j.open('[');
  for (const auto& a : t.authorities) {
    j.open('{');
    if (auto c = x509::Certificate::parse_der(a.authority_certificate)) {
      j.kv("subject", c->subject());
      j.kv("not_before", format_time(c->not_before()));
      j.kv("not_after", format_time(c->not_after()));
      j.kv("fingerprint", c->fingerprint());
    }
    std::vector<std::string> issuers;
    for (const auto& der : a.issuer_certificates)
      if (auto c = x509::Certificate::parse_der(der)) issuers.push_back(c->subject());
    strings_json(j, "issuers", issuers);
    j.close('}');
  }
  j.close(']');
  j.close('}');
}

}  // namespace

std::string render_json(const TicketReport& r) {
  JsonOut j;
  j.text.reserve(2048);
  j.open('{');
  j.kv("ticket", r.name);
  j.key("valid"), j.boolean(r.valid);
  j.key("code"), j.num(static_cast<int>(r.code));
  j.kv("reason", r.reason);
  j.kv("at", format_time(r.at));
  j.kv("policy", r.policy == Policy::any ? "any" : "all");
  if (r.ticket) {
    j.kv("type", ticket::type_name(r.ticket->type));
    if (r.ticket->type == ticket::TicketType::device)
      j.kv("product_instance_uri", r.ticket->product_instance_uri);
    else
      j.kv("composite_instance_uri", r.ticket->composite_instance_uri);
    j.kv("manufacturer_name", r.ticket->manufacturer_name);
    payload_json(j, *r.ticket);
  }
  j.time_or_null("valid_until", r.valid_until);
  j.key("carried_by");
  if (r.carried_by) j.num(static_cast<long long>(*r.carried_by)); else j.null();
  j.key("signatures");
  j.open('[');
  for (const auto& s : r.signatures) signature_json(j, s);
  j.close(']');
  if (r.device.requested) {
    j.key("device");
    j.open('{');
    j.key("matched"), j.boolean(r.device.matched);
    j.kv("certificate", r.device.certificate);
    j.kv("detail", r.device.detail);
    if (r.device.composite_instance_uri) j.kv("composite_instance_uri", *r.device.composite_instance_uri);
    j.close('}');
  }
  j.key("warnings");
  j.open('[');
  for (const auto& w : r.warnings) j.str(w);
  j.close(']');
  j.close('}');
  return std::move(j.text);
}

}  // namespace onboard::verify
