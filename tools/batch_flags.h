// The batch flags of every per-device tool (SPEC §10, §13.3): one wording, one meaning.
#pragma once

#include <string>

#include "onboard/cli/cli.h"

namespace onboard::tools {

struct BatchFlagTargets {
  std::string& manifest;
  std::string& out_dir;
  std::string& results;
  bool& check;
  bool& inline_outputs;
  bool& continue_on_error;
};

/// `outputs`: what one row writes into --out-dir, e.g. "ID.pem certificates".
inline void attach_batch_flags(CLI::App& app, BatchFlagTargets t, const std::string& outputs) {
  app.add_option("--manifest", t.manifest, "Batch: CSV (header row) or JSON Lines, one device a row; - for stdin");
  app.add_option("--out-dir", t.out_dir, "Batch: directory for " + outputs + " (DIR)");
  app.add_option("--results", t.results, "Batch: append JSON Lines results to FILE (default stdout, - too)");
  app.add_flag("--check", t.check, "Batch: validate every row and report every bad one; create nothing (exit 3 if any is bad)");
  app.add_flag("--inline", t.inline_outputs, "Batch: put the outputs' contents in the results; write no per-row files");
  app.add_flag("--continue-on-error", t.continue_on_error,
               "Batch: keep going past a row that fails while being made (bad rows still stop the run)");
}

}  // namespace onboard::tools
