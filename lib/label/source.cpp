// What a label carries: the URI from --uri, a signed ticket or a certificate, and its lint.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "onboard/jws/jws.h"
#include "onboard/label/source.h"
#include "onboard/ticket/ticket.h"
#include "onboard/x509/x509.h"

namespace onboard::label {
namespace {

// The payload's fields under the snake_case names templates use (SPEC §12); absent ones stay absent.
TemplateValues values_of(const ticket::Ticket& t) {
  TemplateValues v;
  auto put = [&](const char* name, const std::string& value) {
    if (!value.empty()) v[name] = value;
  };
  for (const auto& [name, value] : ticket::descriptive_fields(t)) put(name.c_str(), value);
  put("composite_instance_uri", t.composite_instance_uri);
  return v;
}

}  // namespace

Source source_from_uri(std::string uri) {
  TemplateValues values{{"product_instance_uri", uri}};
  return Source{std::move(uri), std::move(values)};
}

Expected<Source> source_from_ticket(std::string_view document, const std::string& where,
                                    std::vector<std::string>& warnings) {
  auto bad = [&](const Error& e) { return fail(Errc::malformed, where + ": " + e.message); };
  auto doc = jws::parse(document);
  if (!doc) return bad(doc.error());
  std::vector<std::string> found;
  auto t = ticket::decode_json_any(doc->payload, {}, &found);
  if (!t) return bad(t.error());
  for (const auto& w : found) warnings.push_back(where + ": " + w);
  bool device = t->type == ticket::TicketType::device;
  Source src = source_from_uri(device ? t->product_instance_uri : t->composite_instance_uri);
  src.values.merge(values_of(*t));  // templates name the label's URI {product_instance_uri} either way
  return src;
}

Expected<Source> source_from_certificate(const std::string& path, const std::string& pick,
                                         std::vector<std::string>& warnings) {
  auto cert = x509::Certificate::load(path);
  if (!cert) return fail(std::move(cert.error()).context("--device-cert"));
  auto uris = cert->san_uris();
  if (!pick.empty()) {
    if (std::find(uris.begin(), uris.end(), pick) == uris.end())
      return fail(Errc::mismatch, "--uri " + pick + " is not a URI subjectAltName of " + path);
    return source_from_uri(pick);
  }
  if (uris.empty()) return fail(Errc::malformed, "--device-cert " + path + ": the certificate has no URI subjectAltName");
  // SPEC §3: the ProductInstanceUri comes first; a composite LDevID adds the CompositeInstanceUri.
  if (uris.size() > 1)
    warnings.push_back("--device-cert " + path + ": " + std::to_string(uris.size()) + " URI subjectAltNames; labelling the first, " +
                       uris[0] + " (give --uri to label another; it must be one of them)");
  return source_from_uri(uris[0]);
}

std::vector<std::string> lint_uri(std::string_view uri) {
  auto warnings = lint_instance_uri(uri, true);
  // IEC 61406-1 Annex A Table A.1 (ILS-7): the characters an identification link may use.
  static const char* kAllowed = "!#$&'()*+,-./:;=?@[]_~";
  for (unsigned char c : uri)
    if (!std::isalnum(c) && !std::strchr(kAllowed, c)) {
      warnings.push_back("URI has '" + std::string(1, static_cast<char>(c)) +
                         "', outside the IEC 61406-1 identification-link character set (Annex A)");
      break;
    }
  return warnings;
}

}  // namespace onboard::label
