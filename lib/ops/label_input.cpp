// print-label inputs: the URI from --uri, a signed ticket or a certificate; format; options.
#include <algorithm>
#include <cctype>
#include <cstring>

#include <nlohmann/json.hpp>

#include "label_common.h"
#include "onboard/batch/batch.h"
#include "onboard/x509/x509.h"

namespace onboard::ops::label_ops {
namespace {

// OPC 10000-6 PascalCase key → the snake_case name templates use (SPEC §12).
std::string snake_case(const std::string& key) {
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(key[i]);
    if (std::isupper(c) && i > 0) out += '_';
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

Expected<nlohmann::json> payload_of(std::string_view text, const std::string& where) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return fail(Errc::malformed, where + ": not a JSON object");
  auto p = doc.find("payload");
  if (p == doc.end() || !p->is_string())
    return fail(Errc::malformed, where + ": not a signed ticket (no \"payload\" string)");
  if (!doc.contains("signatures") && !doc.contains("signature"))
    return fail(Errc::malformed, where + ": not a signed ticket (no \"signatures\")");
  auto bytes = base64url_decode(p->get<std::string>());
  if (!bytes) return fail(Errc::malformed, where + ": payload: " + bytes.error().message);
  auto payload = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (payload.is_discarded() || !payload.is_object())
    return fail(Errc::malformed, where + ": payload is not a JSON object");
  return payload;
}

}  // namespace

Expected<Source> source_from_ticket_json(std::string_view text, const std::string& where,
                                         std::vector<std::string>& warnings) {
  auto payload = payload_of(text, where);
  if (!payload) return fail(std::move(payload.error()));
  Source src;
  for (const auto& [key, value] : payload->items()) {
    if (!value.is_string() || key.empty()) continue;
    std::string k = key;
    if (std::islower(static_cast<unsigned char>(k[0]))) {  // SPEC §5: camelCase accepted, with a warning
      warnings.push_back(where + ": camelCase key '" + key + "' in the ticket payload");
      k[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(k[0])));
    }
    src.values[snake_case(k)] = value.get<std::string>();
  }
  for (const char* field : {"product_instance_uri", "composite_instance_uri"}) {
    auto it = src.values.find(field);
    if (it == src.values.end()) continue;
    src.uri = it->second;
    src.values["product_instance_uri"] = src.uri;  // templates name the label's URI one way
    return src;
  }
  return fail(Errc::malformed, where + ": payload has no ProductInstanceUri (nor CompositeInstanceUri)");
}

namespace {

Expected<Source> source_from_cert(const std::string& path, Env& env) {
  auto cert = x509::Certificate::load(path);
  if (!cert) return fail(std::move(cert.error()).context("--cert"));
  auto uris = cert->san_uris();
  if (uris.empty()) return fail(Errc::malformed, "--cert " + path + ": the certificate has no URI subjectAltName");
  // SPEC §3: the ProductInstanceUri comes first; a composite LDevID adds the CompositeInstanceUri.
  if (uris.size() > 1)
    env.warn("--cert " + path + ": " + std::to_string(uris.size()) + " URI subjectAltNames; labelling the first, " +
             uris[0] + " (give --uri to label another; it must be one of them)");
  return Source{uris[0], {{"product_instance_uri", uris[0]}}};
}

}  // namespace

Expected<Source> resolve_source(const PrintLabelRequest& req, Env& env) {
  const int given = !req.uri.empty() + !req.ticket.empty() + !req.cert.empty();
  Source src;
  if (given == 2 && !req.uri.empty() && !req.cert.empty()) {  // --uri picks one SAN of the certificate
    auto cert = x509::Certificate::load(req.cert);
    if (!cert) return fail(std::move(cert.error()).context("--cert"));
    auto uris = cert->san_uris();
    if (std::find(uris.begin(), uris.end(), req.uri) == uris.end())
      return fail(Errc::mismatch, "--uri " + req.uri + " is not a URI subjectAltName of " + req.cert);
    src = {req.uri, {{"product_instance_uri", req.uri}}};
  } else if (given != 1) {
    return fail(Errc::usage, "give exactly one of --uri, --ticket or --cert");
  } else if (!req.uri.empty()) {
    src = {req.uri, {{"product_instance_uri", req.uri}}};
  } else if (!req.ticket.empty()) {
    auto text = read_file(req.ticket, 1u << 20);  // SPEC §6: 1 MiB per ticket document
    if (!text) return fail(std::move(text.error()).context("--ticket"));
    std::vector<std::string> warnings;
    auto t = source_from_ticket_json(*text, req.ticket, warnings);
    if (!t) return fail(std::move(t.error()).context("--ticket"));
    for (const auto& w : warnings) env.warn(w);
    env.warn("--ticket: the ticket's signatures are not checked by print-label; run verify-ticket first");
    src = std::move(*t);
  } else {
    auto c = source_from_cert(req.cert, env);
    if (!c) return fail(std::move(c.error()));
    src = std::move(*c);
  }
  if (auto ok = validate_instance_uri(src.uri); !ok) return fail(std::move(ok.error()));
  return src;
}

std::vector<std::string> lint_label_uri(const std::string& uri) {
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

Expected<Format> parse_format(const std::string& format, const std::string& out) {
  std::string f = format;
  if (f.empty()) {
    auto dot = out.rfind('.');
    if (dot == std::string::npos || out.find('/', dot) != std::string::npos)
      return fail(Errc::usage, "give --format png|svg|pdf|zpl (the --out name has no extension to go by)");
    f = out.substr(dot + 1);
    for (auto& c : f) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (f == "png") return Format::png;
  if (f == "svg") return Format::svg;
  if (f == "pdf") return Format::pdf;
  if (f == "zpl") return Format::zpl;
  return fail(Errc::usage, "--format '" + f + "': expected png, svg, pdf or zpl");
}

std::string extension(Format f) {
  switch (f) {
    case Format::png: return "png";
    case Format::svg: return "svg";
    case Format::pdf: return "pdf";
    case Format::zpl: return "zpl";
  }
  return "bin";
}

Expected<label::LabelOptions> label_options(const PrintLabelRequest& req, const Source& src) {
  auto ecc = label::parse_ecc(req.ecc);
  if (!ecc) return fail(std::move(ecc.error()));
  if (req.max_version < 1 || req.max_version > 40) return fail(Errc::usage, "--max-version: expected 1 to 40");
  label::LabelOptions opt;
  opt.ecc = *ecc;
  opt.dpi = req.dpi;
  opt.module_mm = req.module_mm;
  opt.max_version = req.max_version;
  batch::Row row;
  row.values = src.values;
  row.number = src.row;
  for (const auto& t : req.text) {
    auto line = batch::expand_template(t, row);
    if (!line) return fail(std::move(line.error()).context("--text '" + t + "'"));
    opt.text.push_back(std::move(*line));
  }
  return opt;
}

}  // namespace onboard::ops::label_ops
