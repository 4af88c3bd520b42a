// `{name}` templates (SPEC §10): key URIs, ticket YAML values and label text lines filled from a
// manifest row or a ticket's fields. Kept in core so any component may fill one.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "onboard/core/core.h"

namespace onboard {

/// Values a template's placeholders name (a manifest row's columns, a ticket's fields).
using TemplateValues = std::map<std::string, std::string>;

/// Substitute `{name}` with its value; `{{`/`}}` are literal braces. Errc::malformed for a name
/// `values` does not have, an empty placeholder or an unbalanced brace.
Expected<std::string> expand_template(std::string_view tmpl, const TemplateValues& values);
/// The names a template refers to, in order (repeats kept). Errc::malformed as expand_template.
Expected<std::vector<std::string>> template_columns(std::string_view tmpl);

/// A safe file-name stem for an id (no '/', no leading '.', printable ASCII, ≤ 128 characters).
Expected<std::string> safe_file_stem(std::string_view id);

}  // namespace onboard
