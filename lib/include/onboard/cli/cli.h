// onboard::cli — what every tool shares: flag groups, validators, the run loop that maps
// errors to SPEC §8 exit codes and prints `TOOL: error: WHAT: WHY`.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "onboard/core/core.h"
#include "onboard/keys/keys.h"

namespace onboard::cli {

/// --json and --force, bound straight into the tool's request (every tool has them).
void add_output_flags(CLI::App& app, bool& json, bool& force);
/// --pin-source, --pass-source and --tcti into the request's key options (tools that open keys).
void add_key_flags(CLI::App& app, keys::KeyOptions& keys);

/// Create the app with the house settings (version flag, help footer naming the man page).
void setup(CLI::App& app, const std::string& tool, const std::string& description);

/// Parse argv, run `body`, print any error, return the exit code (SPEC §8).
/// CLI11 parse errors are usage errors (2); --help and --version exit 0.
int run(CLI::App& app, int argc, char** argv, const std::function<Status(Env&)>& body);

/// Refuse secrets passed as flags (SPEC §11): errors if argv holds --pin/--password/etc.
Status refuse_secret_flags(int argc, char** argv);

}  // namespace onboard::cli
