// onboard::label — what a label carries and how it is kept (SPEC §9): the ProductInstanceUri
// from a URI, a signed ticket or a certificate, the IEC 61406-1 lint, the output formats, and
// rendering that reads every label back before anyone may keep it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "onboard/core/template.h"
#include "onboard/label/label.h"

namespace onboard::label {

// ---- where the URI comes from ----

/// The content of a label and the values its text-line templates may use: {product_instance_uri}
/// always; from a ticket also {manufacturer_name}, {model_name}, {serial_number}, ... (the
/// payload's fields in snake_case, only those it has).
struct Source {
  std::string uri;
  TemplateValues values;
};
Source source_from_uri(std::string uri);
/// The ProductInstanceUri (or a composite's CompositeInstanceUri) of a signed ticket, read with
/// the strict JWS and ticket decoders. The signatures are NOT checked: the caller says so.
/// Errc::malformed, message starting with `where`; decoder warnings (camelCase, ...) appended.
Expected<Source> source_from_ticket(std::string_view document, const std::string& where,
                                    std::vector<std::string>& warnings);
/// A URI subjectAltName of the certificate at `path`: `pick` when given (Errc::mismatch unless it
/// is one of them), else the first (SPEC §3: the ProductInstanceUri; a warning when there are more).
Expected<Source> source_from_certificate(const std::string& path, const std::string& pick,
                                         std::vector<std::string>& warnings);

/// SPEC §2 lint for a label plus the IEC 61406-1 Annex A identification-link character set.
std::vector<std::string> lint_uri(std::string_view uri);

// ---- output formats, rendered and read back ----

enum class Format { png, svg, pdf, zpl };
/// `format` (png, svg, pdf, zpl), or when empty the extension of `out`. Errc::usage otherwise.
Expected<Format> parse_format(std::string_view format, std::string_view out);
std::string extension(Format f);

/// A label rendered and decoded back (PNG from its own bytes, SVG/PDF/ZPL through a raster twin).
struct Rendered {
  Label label;
  std::string bytes;
};
Expected<Rendered> render_checked(std::string_view uri, const LabelOptions& opt, Format f,
                                  std::vector<std::string>* warnings);
/// Decode back a label's raster twin (the check render_checked runs; sheets call it per label).
Status verify_label(const Label& l, Format f, std::string_view bytes);

}  // namespace onboard::label
