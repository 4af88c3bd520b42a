// Private to print-label: the request turned into a label source and rendering options, and
// the report of a written label. Rendering, read-back, formats and lint live in label.
#pragma once

#include <string>
#include <vector>

#include "onboard/label/source.h"
#include "onboard/ops/label.h"

namespace onboard::ops::label_ops {

using label::Format;
using label::Source;

/// --uri, --ticket or --device-cert (exactly one; --uri with --device-cert picks a SAN), validated (SPEC §2).
Expected<Source> resolve_source(const PrintLabelRequest& req, Env& env);

/// Rendering options from the request (ECC, size, --text templates filled from `values`).
Expected<label::LabelOptions> label_options(const PrintLabelRequest& req, const TemplateValues& values);

/// Human line or JSON object describing a written label.
void report_label(Env& env, bool json, const std::string& out, Format f, const label::Label& l);

Status print_batch(const PrintLabelRequest& req, Env& env);

}  // namespace onboard::ops::label_ops
