// The one batch loop (SPEC §10, §13.3): validation pass, --check, output directory, results,
// progress, continue-on-error, SIGINT/SIGTERM, resume, sync.
#include "onboard/batch/runner.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <csignal>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

namespace onboard::batch {
namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int signo) { g_signal = signo; }

// SIGINT/SIGTERM set a flag checked between rows while the batch runs; the old handlers come
// back afterwards. SA_RESTART: a read or write in flight is not cut short by the signal.
class SignalGuard {
 public:
  SignalGuard() {
    g_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalGuard() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

std::string where(const std::string& manifest, const Row& r) {
  return manifest + ": row " + std::to_string(r.number) + " (line " + std::to_string(r.line) + ")";
}

// The id rule of every tool: column id, else serial_number, else what the tool knows, else the row number.
std::string row_id(const Row& r, const std::string& hint) {
  for (const char* col : {"id", "serial_number"})
    if (const std::string* v = r.get(col); v && !v->empty()) return *v;
  return hint.empty() ? std::to_string(r.number) : hint;
}

// The manifest's rows, twice: a file is read again; stdin (readable once) is kept from pass 1.
class RowSource {
 public:
  RowSource(const std::string& manifest, const std::vector<Row>* given)
      : manifest_(manifest), stdin_(manifest == "-" || given), kept_(given != nullptr) {
    if (given) rows_ = *given;
  }

  Status open() {
    if (!stdin_ || kept_) {
      pos_ = 0;
      if (stdin_) return {};
      auto r = ManifestReader::open(manifest_);
      if (!r) return fail(std::move(r.error()));
      reader_ = std::move(*r);
      return {};
    }
    // One read of stdin, bounded: its rows are kept for the second pass.
    std::string text;
    char buf[65536];
    for (;;) {
      std::cin.read(buf, sizeof buf);
      text.append(buf, static_cast<std::size_t>(std::cin.gcount()));
      if (text.size() > kMaxStdinManifestBytes)
        return fail(Errc::malformed, "-: a manifest on stdin is limited to " + std::to_string(kMaxStdinManifestBytes >> 20) +
                                         " MiB (give it as a file)");
      if (!std::cin) break;
    }
    auto r = ManifestReader::from_stream(std::make_unique<std::istringstream>(std::move(text)), "-",
                                         ManifestReader::Format::detect);
    if (!r) return fail(std::move(r.error()));
    reader_ = std::move(*r);
    keep_ = true;
    return {};
  }

  Expected<std::optional<Row>> next() {
    if (stdin_ && kept_) {
      if (pos_ >= rows_.size()) return std::optional<Row>{};
      return std::optional<Row>{rows_[pos_++]};
    }
    auto row = reader_->next();
    if (!row) return row;
    if (keep_ && *row) rows_.push_back(**row);
    if (keep_ && !*row) kept_ = true;
    return row;
  }

 private:
  std::string manifest_;
  bool stdin_;
  bool keep_ = false, kept_ = false;
  std::unique_ptr<ManifestReader> reader_;
  std::vector<Row> rows_;
  std::size_t pos_ = 0;
};

struct Counts {
  std::size_t ok = 0, skipped = 0, failed = 0, total = 0;
};

class Runner {
 public:
  Runner(const Options& opt, Tool& tool, Env& env) : opt_(opt), tool_(tool), env_(env), rows_(opt.manifest, opt.rows) {}

  Status run() {
    if (opt_.manifest.empty() && !opt_.rows) return fail(Errc::usage, "give --manifest FILE|-");
    const bool files = tool_.per_row_files() && !opt_.inline_outputs;
    if (files && opt_.out_dir.empty()) return fail(Errc::usage, "--manifest needs --out-dir DIR (or --inline)");
    if (auto ok = validate_all(); !ok) return ok;
    if (g_signal) return interrupted(0);
    if (opt_.check) {
      if (env_.err) *env_.err << env_.tool << ": " << opt_.manifest << ": " << counts_.total << " rows, all valid\n";
      return {};
    }
    if (files) {
      ::mkdir(opt_.out_dir.c_str(), 0755);
      if (auto ok = check_writable(opt_.out_dir + "/.probe", true); !ok)
        return fail(Errc::file, "--out-dir " + opt_.out_dir + " is not a writable directory");
      clean_stale_temp_files(opt_.out_dir);  // complete files a killed earlier run left under a temporary name
    }
    if (auto ok = tool_.prepare(); !ok) return ok;
    if (auto ok = open_results(); !ok) return ok;
    Status s = make_all(files);
    if (progress_) progress_->finish();
    if (counts_.ok || counts_.skipped || counts_.failed) sync_all();  // the batch's one durability point
    summary();
    return s;
  }

 private:
  // Pass 1 (DESIGN rule 7): every row checked before any key is touched; every bad row reported.
  Status validate_all() {
    if (auto ok = rows_.open(); !ok) return ok;
    std::set<std::string> stems, uniques;
    std::size_t bad = 0;
    for (;;) {
      if (g_signal) return {};
      auto row = rows_.next();
      if (!row) return fail(std::move(row.error()));
      if (!*row) break;
      const Row& r = **row;
      ++counts_.total;
      auto problem = [&](const std::string& msg) {
        ++bad;
        if (env_.err) *env_.err << env_.tool << ": error: " << where(opt_.manifest, r) << ": " << msg << "\n";
      };
      auto job = tool_.validate(r);
      if (!job) {
        problem(job.error().message);
        continue;
      }
      std::string id = row_id(r, (*job)->id_hint);
      auto stem = safe_file_stem(id);
      if (!stem) {
        problem("id '" + id + "': " + stem.error().message);
        continue;
      }
      if (tool_.per_row_files() && !stems.insert(*stem).second) {
        problem("duplicate id '" + id + "'");
        continue;
      }
      for (const auto& u : (*job)->unique)
        if (!uniques.insert(u).second) {
          problem("duplicate " + u);
          break;
        }
    }
    if (counts_.total == 0) return fail(Errc::malformed, opt_.manifest + ": no rows");
    if (bad)
      return fail(Errc::malformed, opt_.manifest + ": " + std::to_string(bad) + " of " + std::to_string(counts_.total) +
                                       (counts_.total == 1 ? " row is" : " rows are") + " bad; nothing was made");
    return {};
  }

  Status open_results() {
    if (opt_.results.empty() || opt_.results == "-") {
      results_ = env_.out;
      return {};
    }
    results_file_.open(opt_.results, std::ios::app | std::ios::binary);
    if (!results_file_) return fail(Errc::file, opt_.results + ": cannot write results");
    results_ = &results_file_;
    return {};
  }

  void emit(const Result& r) {
    if (!results_) return;
    *results_ << to_json_line(r);
    results_->flush();  // never behind the files on disk by more than the row in flight
  }

  // Pass 2: make each row; results follow each row's outputs.
  Status make_all(bool files) {
    if (auto ok = rows_.open(); !ok) return ok;
    progress_.emplace(env_, counts_.total);
    std::optional<Error> first_error;
    std::size_t last_row = 0;
    for (;;) {
      if (g_signal) return interrupted(last_row);
      auto row = rows_.next();
      if (!row) return fail(std::move(row.error()));
      if (!*row) break;
      const Row& r = **row;
      last_row = r.number;
      auto job = tool_.validate(r);
      if (!job) return fail(std::move(job.error()).context(where(opt_.manifest, r)));  // file changed since pass 1
      Job& j = **job;
      j.row = r.number;
      j.id = row_id(r, j.id_hint);
      j.stem = *safe_file_stem(j.id);
      auto res = make_row(j, files);
      if (!res) {
        Error e = res.error();
        emit({r.number, j.id, "failed", {}, e, j.result_json});
        ++counts_.failed;
        progress_->tick(true);
        if (!first_error) first_error = std::move(e).context(opt_.manifest + ": row " + std::to_string(r.number));
        if (!opt_.continue_on_error) break;
        continue;
      }
      res->extra = j.result_json;
      emit(*res);
      ++(res->status == "skipped" ? counts_.skipped : counts_.ok);
      progress_->tick(false);
    }
    if (first_error) return fail(*first_error);
    if (g_signal) return interrupted(last_row);
    return tool_.finish();
  }

  Expected<Result> make_row(Job& j, bool files) {
    Result res{j.row, j.id, "ok", {}, std::nullopt, {}};
    if (files) {
      std::map<std::string, std::string> paths;
      std::size_t present = 0;
      for (const auto& [role, name] : tool_.files(j)) {
        paths[role] = opt_.out_dir + "/" + name;
        if (file_exists(paths[role])) ++present;
      }
      if (!opt_.force && present) {
        if (present < paths.size())
          return fail(Errc::file, "some of this row's outputs exist, not all (use --force to replace them)");
        if (auto ok = tool_.verify_existing(j, paths); !ok) return fail(std::move(ok.error()));
        res.status = "skipped";
        for (const auto& [role, path] : paths) res.outputs.push_back({role, path});
        return res;
      }
    }
    auto outs = tool_.make(j);
    if (!outs) return fail(std::move(outs.error()));
    for (const auto& o : *outs) {
      if (o.external) {
        res.outputs.push_back({o.role, o.file});
      } else if (!files) {
        res.outputs.push_back({o.role, o.binary ? base64_encode(as_bytes(o.content)) : o.content});
      } else {
        std::string path = opt_.out_dir + "/" + o.file;
        if (auto ok = write_file_atomic(path, o.content, {opt_.force, 0644, false}); !ok) {
          tool_.abandon(j);
          return fail(std::move(ok.error()));
        }
        res.outputs.push_back({o.role, path});
      }
    }
    return res;
  }

  Status interrupted(std::size_t last_row) {
    bool term = g_signal == SIGTERM;
    return fail(term ? Errc::terminated : Errc::interrupted,
                "interrupted after row " + std::to_string(last_row) + "; run the same command again to resume");
  }

  void summary() {
    if (!env_.err) return;
    *env_.err << env_.tool << ": " << counts_.ok << " ok, " << counts_.skipped << " skipped, " << counts_.failed
              << " failed of " << counts_.total << " rows\n";
  }

  const Options& opt_;
  Tool& tool_;
  Env& env_;
  RowSource rows_;
  Counts counts_;
  std::ofstream results_file_;
  std::ostream* results_ = nullptr;
  std::optional<Progress> progress_;
};

}  // namespace

Status run(const Options& opt, Tool& tool, Env& env) {
  SignalGuard guard;
  Runner runner(opt, tool, env);
  return runner.run();
}

std::string manifest_relative(const std::string& manifest, const std::string& path) {
  if (path.empty() || path[0] == '/' || manifest == "-") return path;
  auto slash = manifest.rfind('/');
  return slash == std::string::npos ? path : manifest.substr(0, slash + 1) + path;
}

}  // namespace onboard::batch
