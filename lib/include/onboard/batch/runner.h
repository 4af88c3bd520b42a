// onboard::batch::run — the one batch loop under every per-device tool (SPEC §10, §13.3).
//
// A tool supplies what is particular to it (a row → a typed job, a job → its outputs, does an
// existing output verify); the runner owns the rest: the validation pass (every bad row reported
// with its row number), --check, the output directory, the results stream, progress, continue-on-
// error, SIGINT/SIGTERM, resume (skip rows whose outputs exist and verify) and the one sync.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "onboard/batch/batch.h"

namespace onboard::batch {

/// What the tool's flags say about the batch (the same flags on every tool).
struct Options {
  std::string manifest;  ///< FILE or `-` (stdin: read once, rows kept for the second pass)
  std::string out_dir;   ///< per-row files go here (not needed with `inline_outputs`)
  std::string results;   ///< FILE (appended) or `-`; empty = stdout
  bool check = false;    ///< validate every row, create nothing
  bool inline_outputs = false;  ///< outputs' contents in the results, no per-row files
  bool continue_on_error = false;  ///< go past rows that fail while being made (not past bad rows)
  bool force = false;    ///< replace existing outputs instead of verifying/skipping them
  /// Rows made by the tool instead of read from a manifest (countersign-ticket's TICKET inputs,
  /// SPEC §13.4); `manifest` then only names them in messages.
  const std::vector<Row>* rows = nullptr;
};

/// The batch flags of a tool's request (fields manifest, out_dir, results, check, inline_outputs,
/// continue_on_error), as the runner takes them.
template <class Request>
Options options_of(const Request& req, bool force) {
  return Options{req.manifest, req.out_dir, req.results, req.check, req.inline_outputs, req.continue_on_error, force};
}

/// Limit on a manifest read from stdin, whose rows are kept in memory for the second pass.
constexpr std::size_t kMaxStdinManifestBytes = 64u << 20;

/// One row, validated: what the tool will make from it.
struct Job {
  virtual ~Job() = default;
  std::size_t row = 0;
  std::string id;    ///< set by the runner: column id, else serial_number, else id_hint, else row number
  std::string stem;  ///< set by the runner: safe_file_stem(id), the per-row file name stem
  std::string id_hint;  ///< set by the tool when it knows a better id than the row number
  /// Values that must be unique across the manifest, with what they are ("ProductInstanceUri X").
  std::vector<std::string> unique;
  /// Extra members of the row's result line, name → JSON text (set by make(), kept when the row
  /// fails: e.g. mint-idevid --attest's "attestation" proofs).
  std::vector<std::pair<std::string, std::string>> result_json;
};

/// One output of a row.
struct Output {
  std::string role;     ///< results key: "cert", "ticket", "label", "key", ...
  std::string file;     ///< file name under --out-dir (or, for `external`, the path/URI as reported)
  std::string content;  ///< what goes into the file (or into the results with --inline)
  bool binary = false;  ///< base64 in --inline results (PNG, PDF)
  /// Put in place by the tool itself (a device key it created): reported by its path/URI, never
  /// written by the runner, never inlined (a key is not an output).
  bool external = false;
};

/// The part of a batch that is particular to one tool.
class Tool {
 public:
  virtual ~Tool() = default;
  /// Pass 1 and 2: the row as a job, or what is wrong with it. No side effects (no keys, no files).
  virtual Expected<std::unique_ptr<Job>> validate(const Row& row) = 0;
  /// After every row validated and the output directory exists; before the first row is made:
  /// load the issuer, open keys. Not called with --check.
  virtual Status prepare() { return {}; }
  /// The files a job makes (role → file name under --out-dir): known before it is made, for resume.
  virtual std::vector<std::pair<std::string, std::string>> files(const Job& job) = 0;
  /// Resume: all of the job's files exist (role → path). Ok: they are this row's and verify (the
  /// row is skipped); an error: the row fails (e.g. "exists but is not this device's certificate").
  virtual Status verify_existing(Job& job, const std::map<std::string, std::string>& paths) = 0;
  /// Make the row's outputs.
  virtual Expected<std::vector<Output>> make(Job& job) = 0;
  /// The outputs of a made job could not be put in place: undo what make() created (a new key).
  virtual void abandon(Job&) {}
  /// After the last row (not after an interruption or a stop on error): e.g. print-label --sheet.
  virtual Status finish() { return {}; }
  /// false: rows make no per-row files (print-label --sheet): no --out-dir, no resume, ids may repeat.
  virtual bool per_row_files() const { return true; }
};

/// Run a manifest through `tool`. Exit codes: bad rows 3; interrupted Errc::interrupted (130) /
/// Errc::terminated (143); a failed row its own code (the first one, with --continue-on-error).
Status run(const Options& opt, Tool& tool, Env& env);

/// A path from a manifest column, relative to the manifest's directory (cwd for stdin).
std::string manifest_relative(const std::string& manifest, const std::string& path);

}  // namespace onboard::batch
