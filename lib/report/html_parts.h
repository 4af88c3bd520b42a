// Private parts of the audit page shared by its source files.
#pragma once

#include <string>

#include "onboard/report/report.h"

namespace onboard::report {

/// Inline SVG: every certificate of every signer chain as a bar over its validity window, with
/// the evaluation time and "valid until" marked. Empty when no certificate could be read.
std::string timeline_svg(const verify::TicketReport& r);

/// The CN of an RFC 2253 subject (or the whole subject when it has none), for short labels.
std::string common_name(const std::string& subject);

/// The inline stylesheet.
const char* page_css();

}  // namespace onboard::report
