// onboard::ticket — Part 21 ticket types and their OPC UA compact JSON encoding (SPEC §5),
// YAML input (templates/), authority bundles and the TicketListType shipment bundle.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "onboard/core/core.h"
#include "onboard/core/template.h"
#include "onboard/x509/x509.h"

namespace onboard::ticket {

/// CertificateAuthorityType: AuthorityCertificate + IssuerCertificates (DER).
struct CertificateAuthority {
  Bytes authority_certificate;
  std::vector<Bytes> issuer_certificates;
};
/// Limits of a decoded ticket (SECURITY.md). The document limit (1 MiB, --max-size) bounds the
/// bytes; these bound the counts, so a small document cannot ask for unbounded work.
constexpr std::size_t kMaxAuthorities = 64;          ///< Authorities of one ticket
constexpr std::size_t kMaxIssuerCertificates = 8;    ///< IssuerCertificates of one authority (as x5c)
constexpr std::size_t kMaxMembers = 10000;           ///< Devices, Composites of a composite ticket
constexpr std::size_t kMaxTicketListEntries = 10000; ///< tickets in a TicketListType bundle

/// BUNDLE (SPEC §12): a PEM file, first certificate = AuthorityCertificate, rest = issuers.
Expected<CertificateAuthority> load_authority_bundle(const std::string& path);

enum class TicketType { device, composite };
/// "DeviceIdentityTicketType" / "CompositeIdentityTicketType".
std::string type_name(TicketType type);
/// `opc-ticket+json;type=<type_name>` (SPEC §6 cty).
std::string cty_for(TicketType type);
/// Errc::malformed for anything but the two cty values.
Expected<TicketType> type_from_cty(std::string_view cty);

struct Ticket {
  TicketType type = TicketType::device;
  // BaseTicketType
  std::string manufacturer_name;
  std::string model_name, model_version, hardware_revision, software_revision, serial_number;
  std::optional<UnixTime> manufacture_date;  ///< nullopt = unknown
  std::vector<CertificateAuthority> authorities;
  // DeviceIdentityTicketType
  std::string product_instance_uri;
  // CompositeIdentityTicketType
  std::string composite_instance_uri;
  std::vector<std::string> devices, composites;
};

/// The payload's descriptive fields under their SPEC §12 snake_case names, in payload order:
/// manufacturer_name, model_name, model_version, hardware_revision, software_revision,
/// serial_number, manufacture_date (RFC 3339; empty when unknown). The one list every view of a
/// ticket uses (inspect-ticket, verify-ticket --json, label templates); absent ones are empty.
std::vector<std::pair<std::string, std::string>> descriptive_fields(const Ticket& t);

/// OPC 10000-6 compact JSON, fields in SPEC §5 order, defaults omitted; validates required fields.
Expected<std::string> encode_json(const Ticket& t);

struct DecodeOptions {
  bool strict = false;  ///< reject unknown members
};
/// Decode a payload. Accepts camelCase keys (warning), ignores UaTypeId, treats absent/0001/1601
/// ManufactureDate as unknown. Errc::malformed: not JSON, not an object, missing required field,
/// duplicate member, wrong type.
Expected<Ticket> decode_json(ByteView json, TicketType type, const DecodeOptions& options,
                             std::vector<std::string>* warnings = nullptr);
/// Decode without knowing the type (from the presence of ProductInstanceUri / CompositeInstanceUri).
Expected<Ticket> decode_json_any(ByteView json, const DecodeOptions& options, std::vector<std::string>* warnings = nullptr);

/// YAML input (snake_case keys, SPEC §12). Errors name file, line and column.
Expected<Ticket> parse_yaml(const std::string& text, const std::string& where, TicketType type);
Expected<Ticket> load_yaml(const std::string& path, TicketType type);

/// A ticket YAML used as a batch template (sign-ticket --ticket-template): string values may hold
/// `{column}` placeholders. Parsed once; a row only substitutes inside values, so manifest data
/// can never change the YAML structure (no injection through `:` or `#` in a cell). An unquoted
/// `key: {column}` (YAML reads it as a one-entry flow mapping) is taken as the placeholder too.
struct TicketTemplate {
  struct Field {
    std::string key;   ///< snake_case YAML key
    std::string text;  ///< value with placeholders
    int line = 0, column = 0;
  };
  TicketType type = TicketType::device;
  std::string where;  ///< the template file, for messages
  int line = 1, column = 1;  ///< position of the top-level mapping
  std::vector<Field> fields;
  std::vector<CertificateAuthority> authorities;  ///< `authorities:` files, loaded once
  bool has_authorities = false;
};
Expected<TicketTemplate> load_template(const std::string& path, TicketType type);
Expected<TicketTemplate> parse_template(const std::string& text, const std::string& where, TicketType type);
/// Manifest columns the template refers to.
Expected<std::vector<std::string>> template_columns(const TicketTemplate& t);
/// The ticket for one manifest row's values (nullptr: no substitution), validated like parse_yaml.
Expected<Ticket> instantiate(const TicketTemplate& t, const TemplateValues* values);

/// TicketListType: {"Devices":[EncodedTicket...],"Composites":[...]}, each a whole signed document
/// (without its final newline) as a JSON string; empty lists omitted; newline at end.
std::string encode_ticket_list(const std::vector<std::string>& device_docs,
                               const std::vector<std::string>& composite_docs);
struct TicketList {
  std::vector<std::string> devices, composites;
};
Expected<TicketList> decode_ticket_list(std::string_view json);

}  // namespace onboard::ticket
