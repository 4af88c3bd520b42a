// Private to print-label: where the URI comes from, the IEC 61406 lint, and rendering a
// label that has been read back before anyone may keep it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "onboard/label/label.h"
#include "onboard/ops/label.h"

namespace onboard::ops::label_ops {

/// The content of a label and the values its --text templates may use ({product_instance_uri},
/// and from a ticket {manufacturer_name}, {model_name}, {serial_number}, ...).
struct Source {
  std::string uri;
  std::map<std::string, std::string> values;
  std::size_t row = 0;  ///< manifest row, for messages
};

/// ProductInstanceUri (or a composite's CompositeInstanceUri) from a signed ticket's payload.
/// The signatures are not checked: the caller warns about that.
Expected<Source> source_from_ticket_json(std::string_view text, const std::string& where,
                                         std::vector<std::string>& warnings);
/// --uri, --ticket or --cert (exactly one), validated (SPEC §2) and linted.
Expected<Source> resolve_source(const PrintLabelRequest& req, Env& env);
/// SPEC §2 lint for a label plus IEC 61406-1 Annex A characters.
std::vector<std::string> lint_label_uri(const std::string& uri);

enum class Format { png, svg, pdf, zpl };
Expected<Format> parse_format(const std::string& format, const std::string& out);
std::string extension(Format f);

/// Rendering options from the request (ECC, size, text templates expanded for `src`).
Expected<label::LabelOptions> label_options(const PrintLabelRequest& req, const Source& src);

/// A label rendered and decoded back (PNG from its own bytes, SVG/PDF/ZPL through a raster twin).
struct Rendered {
  label::Label label;
  std::string bytes;
};
Expected<Rendered> render_checked(const std::string& uri, const label::LabelOptions& opt, Format f,
                                  std::vector<std::string>* warnings);
/// Decode back a label's raster twin (the check render_checked runs; used by sheets too).
Status verify_label(const label::Label& l, Format f, const std::string& bytes);

/// Human line or JSON object describing a written label.
void report_label(Env& env, bool json, const std::string& out, Format f, const label::Label& l);

Status print_batch(const PrintLabelRequest& req, Env& env);

}  // namespace onboard::ops::label_ops
