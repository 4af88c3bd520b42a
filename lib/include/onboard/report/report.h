// onboard::report — the audit page of SPEC §13.4: one self-contained HTML document for a set of
// verified tickets, made from the same verify::TicketReport that the text and JSON reports use
// (one source of truth for the verdict). The page needs nothing outside itself to be read: no
// script, no stylesheet, image or font from elsewhere; the timeline and the QR code are inline
// SVG; it prints on A4, one ticket per page.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "onboard/core/core.h"
#include "onboard/verify/verify.h"

namespace onboard::report {

struct HtmlOptions {
  std::string generator;  ///< tool and version, e.g. "verify-ticket 1.0.0"
  UnixTime generated = 0; ///< when the page was made
  std::vector<std::string> trust;  ///< lines describing the trust configuration (already plain text)
};

/// The whole page. Every string that comes from a ticket or a certificate is HTML-escaped: a
/// ticket is attacker-controlled input.
std::string render_html(const std::vector<verify::TicketReport>& reports, const HtmlOptions& options);

/// & < > " ' as character references; control characters other than tab/newline become U+FFFD.
std::string html_escape(std::string_view text);

/// What an exit code means (SPEC §8 table), e.g. "untrusted: signatures verify but none chains
/// to a trusted certificate".
std::string exit_meaning(Errc code);

}  // namespace onboard::report
