// onboard::ops — print-label (SPEC §9, §12): flags land in this plain request.
#pragma once

#include <string>
#include <vector>

#include "onboard/core/core.h"

namespace onboard::ops {

struct PrintLabelRequest {
  bool json = false;
  bool force = false;
  // Where the ProductInstanceUri comes from: exactly one (single label and --scan).
  std::string uri;
  std::string ticket;  ///< signed ticket (JWS JSON); its signatures are NOT checked here
  std::string cert;    ///< certificate: the first URI subjectAltName
  // Rendering
  std::string format;  ///< png | svg | pdf | zpl (default: from the --out extension)
  int dpi = 300;
  double module_mm = 0.35;
  std::string ecc = "Q";
  int max_version = 40;
  std::vector<std::string> text;  ///< lines under the frame; {column} from the manifest/ticket
  std::string out;
  // Reading a label back
  std::string scan;  ///< image of a printed label (PNG, JPEG, PNM)
  // Batch (SPEC §10): one label per manifest row, or all of them on A4 sheets
  std::string manifest, out_dir, results;
  bool sheet = false;
  bool continue_on_error = false, check = false, inline_outputs = false;
};

/// Exit status per SPEC §8: 0 ok / match, 13 label does not match, 3 unreadable or malformed input.
Status print_label(const PrintLabelRequest& req, Env& env);

}  // namespace onboard::ops
