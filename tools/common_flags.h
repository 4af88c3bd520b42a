// The flags every tool shares (SPEC §12 "Common to all"), bound straight into ops::Common.
#pragma once

#include "onboard/cli/cli.h"
#include "onboard/ops/ops.h"

namespace onboard::tools {

/// --json, --force, and with `with_keys` --pin-source, --pass-source, --tcti.
inline void attach_common_flags(CLI::App& app, ops::Common& common, bool with_keys) {
  cli::add_output_flags(app, common.json, common.force);
  if (with_keys) cli::add_key_flags(app, common.keys);
}

/// --json alone: for tools that read and report but write no file (no --force to offer).
inline void attach_report_flags(CLI::App& app, ops::Common& common) { cli::add_json_flag(app, common.json); }

}  // namespace onboard::tools
