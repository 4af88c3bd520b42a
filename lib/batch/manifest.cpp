#include <cctype>
#include <fstream>
#include <istream>

#include <nlohmann/json.hpp>

#include "onboard/batch/batch.h"

namespace onboard::batch {
namespace {

std::string where(const std::string& path, std::size_t row, std::size_t line) {
  return path + ": row " + std::to_string(row) + " (line " + std::to_string(line) + ")";
}

class LineSource {
 public:
  /// `prefix`: bytes already taken from `in` (format detection) that are read first.
  LineSource(std::unique_ptr<std::istream> in, std::string prefix) : in_(std::move(in)), prefix_(std::move(prefix)) {}
  bool ok() const { return in_ && static_cast<bool>(*in_); }
  // false at EOF; Errc::malformed for over-long lines. Reads at most kMaxLineBytes + 1 bytes of a
  // line, so a file without newlines is never loaded whole.
  Expected<bool> next(std::string& line) {
    line.clear();
    std::istream& in = *in_;
    int c;
    bool any = false;
    while ((c = get(in)) != std::char_traits<char>::eof()) {
      any = true;
      if (c == '\n') break;
      if (line.size() >= kMaxLineBytes)
        return fail(Errc::malformed, "line " + std::to_string(line_no_ + 1) + " longer than " + std::to_string(kMaxLineBytes) + " bytes");
      line.push_back(static_cast<char>(c));
    }
    if (!any) return false;
    ++line_no_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // UTF-8 BOM
    return true;
  }
  std::size_t line_no() const { return line_no_; }

 private:
  int get(std::istream& in) {
    if (prefix_pos_ < prefix_.size()) return static_cast<unsigned char>(prefix_[prefix_pos_++]);
    return in.rdbuf()->sbumpc();
  }
  std::unique_ptr<std::istream> in_;
  std::string prefix_;
  std::size_t prefix_pos_ = 0;
  std::size_t line_no_ = 0;
};

// RFC 4180 fields of one record; quoted fields may not span lines (manifests are one row a line).
Expected<std::vector<std::string>> split_csv(const std::string& line) {
  std::vector<std::string> fields;
  std::string cur;
  std::size_t i = 0;
  for (;;) {
    cur.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) return fail(Errc::malformed, "unterminated quoted field");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cur += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        cur += line[i++];
      }
      if (i < line.size() && line[i] != ',') return fail(Errc::malformed, "text after a closing quote");
    } else {
      while (i < line.size() && line[i] != ',') {
        if (line[i] == '"') return fail(Errc::malformed, "quote inside an unquoted field");
        cur += line[i++];
      }
    }
    fields.push_back(cur);
    if (i >= line.size()) break;
    ++i;  // comma
  }
  return fields;
}

// What both formats share: blank lines skipped, rows counted and limited.
class LineReader : public ManifestReader {
 protected:
  // Next non-blank line into `line`, numbering `row`; false at the end.
  Expected<bool> next_line(LineSource& src, std::string& line, Row& row) {
    for (;;) {
      auto got = src.next(line);
      if (!got) return fail(std::move(got.error()).context(path_));
      if (!*got) return false;
      if (line.find_first_not_of(" \t") != std::string::npos) break;
    }
    row.number = ++rows_;
    row.line = src.line_no();
    if (rows_ > kMaxManifestRows)
      return fail(Errc::malformed, path_ + ": more than " + std::to_string(kMaxManifestRows) + " rows");
    return true;
  }
  static Expected<std::optional<Row>> fail_or_end(Expected<bool> more) {
    if (!more) return fail(std::move(more.error()));
    return std::optional<Row>{};
  }

 private:
  std::size_t rows_ = 0;
};

class CsvReader : public LineReader {
 public:
  CsvReader(const std::string& path, std::unique_ptr<LineSource> src) : src_(std::move(src)) { path_ = path; }

  Status read_header() {
    std::string line;
    auto got = src_->next(line);
    if (!got) return fail(std::move(got.error()).context(path_));
    if (!*got || line.empty()) return fail(Errc::malformed, path_ + ": no header row");
    auto fields = split_csv(line);
    if (!fields) return fail(std::move(fields.error()).context(path_ + ": header"));
    for (auto& f : *fields) {
      while (!f.empty() && f.back() == ' ') f.pop_back();
      while (!f.empty() && f.front() == ' ') f.erase(0, 1);
      if (f.empty()) return fail(Errc::malformed, path_ + ": header has an empty column name");
      for (const auto& c : columns_)
        if (c == f) return fail(Errc::malformed, path_ + ": header names column '" + f + "' twice");
      columns_.push_back(f);
    }
    return {};
  }

  Expected<std::optional<Row>> next() override {
    std::string line;
    Row row;
    auto more = next_line(*src_, line, row);
    if (!more || !*more) return fail_or_end(std::move(more));
    auto fields = split_csv(line);
    if (!fields) return fail(std::move(fields.error()).context(where(path_, row.number, row.line)));
    if (fields->size() != columns_.size())
      return fail(Errc::malformed, where(path_, row.number, row.line) + ": " + std::to_string(fields->size()) +
                                       " fields, header has " + std::to_string(columns_.size()));
    for (std::size_t i = 0; i < columns_.size(); ++i) row.values[columns_[i]] = (*fields)[i];
    return std::optional<Row>(std::move(row));
  }
  const std::vector<std::string>& columns() const override { return columns_; }

 private:
  std::unique_ptr<LineSource> src_;
  std::vector<std::string> columns_;
};

class JsonlReader : public LineReader {
 public:
  JsonlReader(const std::string& path, std::unique_ptr<LineSource> src) : src_(std::move(src)) { path_ = path; }

  Expected<std::optional<Row>> next() override {
    std::string line;
    Row row;
    auto more = next_line(*src_, line, row);
    if (!more || !*more) return fail_or_end(std::move(more));
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      return fail(Errc::malformed, where(path_, row.number, row.line) + ": invalid JSON: " + e.what());
    }
    if (!j.is_object()) return fail(Errc::malformed, where(path_, row.number, row.line) + ": not a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it->is_string()) row.values[it.key()] = it->get<std::string>();
      else if (it->is_number() || it->is_boolean()) row.values[it.key()] = it->dump();
      else if (it->is_null()) continue;
      else return fail(Errc::malformed, where(path_, row.number, row.line) + ": value of '" + it.key() + "' is not a string");
    }
    if (columns_.empty())
      for (const auto& [k, v] : row.values) columns_.push_back(k);
    return std::optional<Row>(std::move(row));
  }
  const std::vector<std::string>& columns() const override { return columns_; }

 private:
  std::unique_ptr<LineSource> src_;
  std::vector<std::string> columns_;
};

Expected<std::unique_ptr<ManifestReader>> from_stream_with(std::unique_ptr<std::istream> in, const std::string& name,
                                                           ManifestReader::Format format, std::string prefix);

}  // namespace

const std::string* Row::get(const std::string& column) const {
  auto it = values.find(column);
  return it == values.end() ? nullptr : &it->second;
}

Expected<std::unique_ptr<ManifestReader>> ManifestReader::open(const std::string& path) {
  auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in || !file_exists(path)) return fail(Errc::file, path + ": cannot read manifest");
  Format format = Format::detect;
  if (path.ends_with(".jsonl") || path.ends_with(".ndjson") || path.ends_with(".json")) format = Format::jsonl;
  else if (path.ends_with(".csv")) format = Format::csv;
  return from_stream(std::move(in), path, format);
}

Expected<std::unique_ptr<ManifestReader>> ManifestReader::from_stream(std::unique_ptr<std::istream> in,
                                                                      const std::string& name, Format format) {
  if (format == Format::detect) {
    // The first non-blank byte: '{' is JSON Lines, anything else CSV.
    int c;
    std::string skipped;
    while ((c = in->peek()) == ' ' || c == '\n' || c == '\r' || c == '\t') {
      if (skipped.size() >= kMaxLineBytes) break;
      skipped.push_back(static_cast<char>(in->get()));
    }
    format = c == '{' ? Format::jsonl : Format::csv;
    // The skipped blanks are read again first, so line numbers stay right.
    return from_stream_with(std::move(in), name, format, std::move(skipped));
  }
  return from_stream_with(std::move(in), name, format, {});
}

namespace {
Expected<std::unique_ptr<ManifestReader>> from_stream_with(std::unique_ptr<std::istream> in, const std::string& name,
                                                           ManifestReader::Format format, std::string prefix) {
  auto src = std::make_unique<LineSource>(std::move(in), std::move(prefix));
  if (format == ManifestReader::Format::jsonl) return std::unique_ptr<ManifestReader>(new JsonlReader(name, std::move(src)));
  auto csv = std::make_unique<CsvReader>(name, std::move(src));
  if (auto ok = csv->read_header(); !ok) return fail(std::move(ok.error()));
  return std::unique_ptr<ManifestReader>(std::move(csv));
}
}  // namespace

}  // namespace onboard::batch
