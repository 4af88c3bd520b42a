// onboard::cli — what every tool shares: flag groups, validators, the run loop that maps
// errors to SPEC §8 exit codes and prints `TOOL: error: WHAT: WHY`.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "onboard/core/core.h"
#include "onboard/keys/keys.h"

namespace onboard::cli {

/// --json, bound straight into the tool's request (every tool reports).
void add_json_flag(CLI::App& app, bool& json);
/// --force: only for tools that write files (SPEC §11).
void add_force_flag(CLI::App& app, bool& force);
/// --json and --force together.
void add_output_flags(CLI::App& app, bool& json, bool& force);
/// --pin-source, --pass-source and --tcti into the request's key options (tools that open keys).
void add_key_flags(CLI::App& app, keys::KeyOptions& keys);

/// Create the app with the house settings (version flag, help footer naming the man page).
void setup(CLI::App& app, const std::string& tool, const std::string& description);

/// Parse argv, run `body`, print any error, return the exit code (SPEC §8).
/// CLI11 parse errors are usage errors (2); --help and --version exit 0.
int run(CLI::App& app, int argc, char** argv, const std::function<Status(Env&)>& body);

// --- help and unknown flags (SPEC §13.5) ---------------------------------------------------

/// What --help shows for an option whose name is not in the placeholder table.
inline constexpr std::string_view kUnknownPlaceholder = "VALUE";
/// The option's table key: its first long name ("--ca-cert"), or a positional's name.
std::string option_key(const CLI::Option* opt);
/// The placeholder of an option name ("--out" → "FILE", a flag → ""), nullopt if not in the table.
std::optional<std::string> table_placeholder(std::string_view name);
/// Give every option of `app` its placeholder from the table, and install the house formatter
/// (no `TEXT`, `[]` or `...`; aliases shown side by side). run() calls it before parsing.
void apply_placeholders(CLI::App& app);

/// Damerau–Levenshtein distance (a swapped pair of letters counts once).
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The app's long option closest to `unknown` ("--manfest" → "--manifest"), or "" if none is close.
std::string suggest_option(const CLI::App& app, std::string_view unknown);
/// The first `--name` in argv that names none of the app's options, as the one-line message
/// ("unknown option --manfest; did you mean --manifest? (see --help)"); nullopt if all are known.
std::optional<std::string> unknown_option(const CLI::App& app, int argc, char** argv);

/// Refuse secrets passed as flags (SPEC §11): errors if argv holds --pin/--password/etc.
Status refuse_secret_flags(int argc, char** argv);

}  // namespace onboard::cli
