// Ticket descriptions in YAML (templates/device-ticket.yaml, templates/composite.yaml):
// snake_case keys (SPEC §12), every error names FILE:LINE:COLUMN (SPEC §5).
#include <yaml-cpp/yaml.h>

#include <set>

#include "onboard/core/json.h"
#include "onboard/ticket/ticket.h"

namespace onboard::ticket {
namespace {

constexpr const char* kStringKeys[] = {"manufacturer_name", "model_name", "model_version", "hardware_revision",
                                       "software_revision", "serial_number", "manufacture_date",
                                       "product_instance_uri", "composite_instance_uri"};

std::string at(const std::string& where, int line, int column) {
  return where + ":" + std::to_string(line) + ":" + std::to_string(column);
}
std::string at(const std::string& where, const YAML::Mark& m) {
  return m.is_null() ? where : at(where, m.line + 1, m.column + 1);
}
tl::unexpected<Error> bad(const std::string& where, const YAML::Mark& m, const std::string& why) {
  return fail(Errc::malformed, at(where, m) + ": " + why);
}

std::string known_keys() {
  std::string k;
  for (const char* key : kStringKeys) k += std::string(k.empty() ? "" : ", ") + key;
  return k + ", authorities";
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

// Certificate files named in the YAML are relative to the YAML file.
std::string relative_to(const std::string& yaml_path, const std::string& file) {
  return file.empty() || file[0] == '/' ? file : dir_of(yaml_path) + file;
}

Expected<CertificateAuthority> authority_entry(const YAML::Node& item, const std::string& where) {
  if (item.IsScalar()) {
    auto ca = load_authority_bundle(relative_to(where, item.Scalar()));
    if (!ca) return bad(where, item.Mark(), "authorities: " + ca.error().message);
    return ca;
  }
  if (!item.IsMap()) return bad(where, item.Mark(), "authorities: each entry is a bundle file or a mapping");
  CertificateAuthority ca;
  bool have_cert = false;
  for (const auto& kv : item) {
    std::string key = kv.first.Scalar();
    if (key == "authority_certificate" && kv.second.IsScalar()) {
      auto cert = x509::Certificate::load(relative_to(where, kv.second.Scalar()));
      if (!cert) return bad(where, kv.second.Mark(), "authority_certificate: " + cert.error().message);
      ca.authority_certificate = cert->der();
      have_cert = true;
    } else if (key == "issuer_certificates" && kv.second.IsSequence()) {
      for (const auto& f : kv.second) {
        auto certs = x509::Certificate::load_all(relative_to(where, f.Scalar()));
        if (!certs) return bad(where, f.Mark(), "issuer_certificates: " + certs.error().message);
        for (const auto& c : *certs) ca.issuer_certificates.push_back(c.der());
        if (ca.issuer_certificates.size() > kMaxIssuerCertificates)
          return bad(where, f.Mark(), "issuer_certificates: more than " + std::to_string(kMaxIssuerCertificates) +
                                          " certificates (the limit)");
      }
    } else {
      return bad(where, kv.first.Mark(),
                 "unknown or malformed key '" + key + "' in an authority (authority_certificate: FILE, "
                 "issuer_certificates: [FILE...])");
    }
  }
  if (!have_cert) return bad(where, item.Mark(), "authority without authority_certificate");
  return ca;
}

// `{serial}` unquoted is a YAML flow mapping with one null-valued key: in a template, the placeholder.
bool is_bare_placeholder(const YAML::Node& v) {
  return v.IsMap() && v.size() == 1 && v.begin()->first.IsScalar() && v.begin()->second.IsNull();
}

Status read_member(const YAML::Node& key, const YAML::Node& value, TicketTemplate& t, bool templated) {
  std::string name = key.Scalar();
  if (name == "authorities") {
    if (value.IsNull()) return {};
    if (!value.IsSequence()) return bad(t.where, value.Mark(), "authorities must be a list");
    if (value.size() > kMaxAuthorities)
      return bad(t.where, value.Mark(), "authorities: more than " + std::to_string(kMaxAuthorities) + " entries (the limit)");
    for (const auto& item : value) {
      auto ca = authority_entry(item, t.where);
      if (!ca) return fail(std::move(ca.error()));
      t.authorities.push_back(std::move(*ca));
    }
    t.has_authorities = true;
    return {};
  }
  bool known = false;
  for (const char* k : kStringKeys) known = known || name == k;
  if (!known) {
    std::string hint = name == "devices" || name == "composites"
                           ? " (Devices and Composites come from the member tickets: build-composite-ticket --member)"
                           : " (known keys: " + known_keys() + ")";
    return bad(t.where, key.Mark(), "unknown key '" + name + "'" + hint);
  }
  if (value.IsNull()) return {};
  std::string text;
  if (value.IsScalar()) {
    text = value.Scalar();
  } else if (templated && is_bare_placeholder(value)) {
    text = "{" + value.begin()->first.Scalar() + "}";
  } else {
    return bad(t.where, value.Mark(), name + " must be a single value (quote it if it starts with '{' or '[')");
  }
  if (auto ok = check_utf8(text, name); !ok) return bad(t.where, value.Mark(), ok.error().message);
  t.fields.push_back({name, text, value.Mark().line + 1, value.Mark().column + 1});
  return {};
}

Expected<TicketTemplate> read(const std::string& text, const std::string& where, TicketType type, bool templated) {
  TicketTemplate t;
  t.type = type;
  t.where = where;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return bad(where, e.mark, "YAML syntax: " + e.msg);
  }
  if (!root || root.IsNull()) return fail(Errc::malformed, at(where, 1, 1) + ": empty ticket description");
  if (!root.IsMap()) return bad(where, root.Mark(), "a ticket description is a mapping of key: value");
  t.line = root.Mark().line + 1;
  t.column = root.Mark().column + 1;
  std::set<std::string> seen;
  try {
    for (const auto& kv : root) {
      if (!kv.first.IsScalar()) return bad(where, kv.first.Mark(), "keys must be plain names");
      if (!seen.insert(kv.first.Scalar()).second)
        return bad(where, kv.first.Mark(), "duplicate key '" + kv.first.Scalar() + "'");
      if (auto ok = read_member(kv.first, kv.second, t, templated); !ok) return fail(std::move(ok.error()));
    }
  } catch (const YAML::Exception& e) {
    return bad(where, e.mark, e.msg);
  }
  return t;
}

const TicketTemplate::Field* find(const TicketTemplate& t, std::string_view key) {
  for (const auto& f : t.fields)
    if (f.key == key) return &f;
  return nullptr;
}

// One value, validated for its key; `row` substitutes placeholders.
Expected<std::string> value_of(const TicketTemplate& t, const TicketTemplate::Field& f, const TemplateValues* values) {
  std::string v = f.text;
  if (values) {
    auto expanded = expand_template(f.text, *values);
    if (!expanded) return fail(Errc::malformed, at(t.where, f.line, f.column) + ": " + f.key + ": " + expanded.error().message);
    v = std::move(*expanded);
  }
  auto problem = [&](const std::string& why) {
    return fail(Errc::malformed, at(t.where, f.line, f.column) + ": " + f.key + ": " + why);
  };
  if (auto ok = check_utf8(v, f.key); !ok) return problem(ok.error().message);
  if (f.key == "product_instance_uri" || f.key == "composite_instance_uri") {
    auto ok = validate_instance_uri(v, f.key == "product_instance_uri" ? "ProductInstanceUri" : "CompositeInstanceUri");
    if (!ok) return problem(ok.error().message);
  }
  return v;
}

Status require_key(const TicketTemplate& t, const char* key, const char* why) {
  if (find(t, key)) return {};
  return fail(Errc::malformed, at(t.where, t.line, t.column) + ": missing required key '" + key + "' (" + why + ")");
}

Status check_shape(const TicketTemplate& t) {
  if (auto ok = require_key(t, "manufacturer_name", "ManufacturerName of every ticket"); !ok) return ok;
  const char* wanted = t.type == TicketType::device ? "product_instance_uri" : "composite_instance_uri";
  const char* other = t.type == TicketType::device ? "composite_instance_uri" : "product_instance_uri";
  if (const auto* f = find(t, other)) {
    std::string hint = t.type == TicketType::device
                           ? "composite_instance_uri belongs to a composite description (build-composite-ticket); "
                             "sign-ticket signs DeviceIdentityTickets"
                           : "product_instance_uri belongs to a device ticket (sign-ticket)";
    return fail(Errc::malformed, at(t.where, f->line, f->column) + ": " + hint);
  }
  return require_key(t, wanted, t.type == TicketType::device ? "the device's ProductInstanceUri"
                                                             : "the composite's CompositeInstanceUri");
}

}  // namespace

Expected<TicketTemplate> parse_template(const std::string& text, const std::string& where, TicketType type) {
  auto t = read(text, where, type, true);
  if (!t) return t;
  if (auto ok = check_shape(*t); !ok) return fail(std::move(ok.error()));
  return t;
}

Expected<TicketTemplate> load_template(const std::string& path, TicketType type) {
  auto text = read_file(path, 1u << 20);
  if (!text) return fail(std::move(text.error()));
  return parse_template(*text, path, type);
}

Expected<std::vector<std::string>> template_columns(const TicketTemplate& t) {
  std::vector<std::string> cols;
  for (const auto& f : t.fields) {
    auto c = onboard::template_columns(f.text);
    if (!c) return fail(Errc::malformed, at(t.where, f.line, f.column) + ": " + f.key + ": " + c.error().message);
    cols.insert(cols.end(), c->begin(), c->end());
  }
  return cols;
}

Expected<Ticket> instantiate(const TicketTemplate& t, const TemplateValues* values) {
  Ticket out;
  out.type = t.type;
  out.authorities = t.authorities;
  for (const auto& f : t.fields) {
    auto v = value_of(t, f, values);
    if (!v) return fail(std::move(v.error()));
    if (f.key == "manufacture_date") {
      auto when = parse_time(*v);
      if (!when || *when < -11644473600)  // before 1601-01-01, OPC UA DateTime's epoch
        return fail(Errc::malformed, at(t.where, f.line, f.column) + ": manufacture_date: '" + *v +
                                         "' is not an RFC 3339 time or date after 1601-01-01");
      out.manufacture_date = *when;
      continue;
    }
    std::string* slot = f.key == "manufacturer_name"        ? &out.manufacturer_name
                        : f.key == "model_name"             ? &out.model_name
                        : f.key == "model_version"          ? &out.model_version
                        : f.key == "hardware_revision"      ? &out.hardware_revision
                        : f.key == "software_revision"      ? &out.software_revision
                        : f.key == "serial_number"          ? &out.serial_number
                        : f.key == "product_instance_uri"   ? &out.product_instance_uri
                                                            : &out.composite_instance_uri;
    *slot = std::move(*v);
  }
  if (out.manufacturer_name.empty())
    return fail(Errc::malformed, at(t.where, t.line, t.column) + ": manufacturer_name is empty");
  return out;
}

Expected<Ticket> parse_yaml(const std::string& text, const std::string& where, TicketType type) {
  auto t = read(text, where, type, false);
  if (!t) return fail(std::move(t.error()));
  if (auto ok = check_shape(*t); !ok) return fail(std::move(ok.error()));
  return instantiate(*t, nullptr);
}

Expected<Ticket> load_yaml(const std::string& path, TicketType type) {
  auto text = read_file(path, 1u << 20);
  if (!text) return fail(std::move(text.error()));
  return parse_yaml(*text, path, type);
}

}  // namespace onboard::ticket
