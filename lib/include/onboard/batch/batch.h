// onboard::batch — manifests (CSV with header / JSON Lines), templates, results, progress (SPEC §10).
#pragma once

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "onboard/core/core.h"
#include "onboard/core/template.h"

namespace onboard::batch {

/// One manifest row: column → value, and its 1-based row number (data rows, header excluded).
struct Row {
  std::size_t number = 0;
  std::size_t line = 0;  ///< line in the file, for messages
  TemplateValues values;  ///< column → value (a template fills from these)
  const std::string* get(const std::string& column) const;
};

/// Streams a manifest row by row: never loads it whole.
class ManifestReader {
 public:
  /// Opens `path`; format from the extension (.csv, .jsonl/.ndjson) or the first byte.
  static Expected<std::unique_ptr<ManifestReader>> open(const std::string& path);
  enum class Format { detect, csv, jsonl };
  /// Same over any stream (`name` for messages); `detect` looks at the first non-blank byte.
  static Expected<std::unique_ptr<ManifestReader>> from_stream(std::unique_ptr<std::istream> in,
                                                                const std::string& name, Format format);
  virtual ~ManifestReader() = default;
  /// Next row, std::nullopt at the end; Errc::malformed naming file, row and line.
  virtual Expected<std::optional<Row>> next() = 0;
  /// Column names (CSV header; for JSONL the keys of the first row).
  virtual const std::vector<std::string>& columns() const = 0;
  const std::string& path() const { return path_; }

 protected:
  std::string path_;
};

/// Limits of a manifest (SECURITY.md): rows are streamed, one line at a time, never the whole file.
constexpr std::size_t kMaxManifestRows = 1000000;
constexpr std::size_t kMaxLineBytes = 64 * 1024;  ///< one row; checked while reading the line

/// One line of JSON Lines results (SPEC §13.3):
/// {"row":N,"id":"…","status":"ok|skipped|failed","outputs":{ROLE:PATH,…},"error":{"code":N,"message":"…"}}
/// (error only when failed).
struct Result {
  std::size_t row = 0;
  std::string id;
  std::string status;  ///< "ok", "skipped", "failed"
  std::vector<std::pair<std::string, std::string>> outputs;  ///< role → path (or content with --inline)
  std::optional<Error> error;
  std::vector<std::pair<std::string, std::string>> extra;  ///< more members: name → JSON text
};
std::string to_json_line(const Result& r);

/// Progress bar with rate and ETA on stderr, only when stderr is a terminal; it fits the
/// terminal's width (TIOCGWINSZ, else $COLUMNS, else 80).
class Progress {
 public:
  Progress(const Env& env, std::size_t total);
  void tick(bool failed);
  void finish();
  /// The line for `done` of `total` rows after `secs`, `width` columns wide at most.
  static std::string line(std::size_t done, std::size_t total, std::size_t failed, double secs, int width);

 private:
  const Env& env_;
  std::size_t total_, done_ = 0, failed_ = 0;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace onboard::batch
