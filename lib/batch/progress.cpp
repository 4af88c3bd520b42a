#include <cstdio>
#include <ostream>

#include "onboard/batch/batch.h"

namespace onboard::batch {

Progress::Progress(const Env& env, std::size_t total)
    : env_(env), total_(total), enabled_(env.err_is_tty && env.err), start_(std::chrono::steady_clock::now()), last_(start_) {}

void Progress::tick(bool failed) {
  ++done_;
  if (failed) ++failed_;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (done_ != total_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  double rate = secs > 0 ? done_ / secs : 0;
  double eta = rate > 0 ? (total_ - done_) / rate : 0;
  int width = 30;
  int filled = total_ ? static_cast<int>(width * done_ / total_) : width;
  char buf[160];
  std::snprintf(buf, sizeof buf, "\r[%-*s] %zu/%zu  %.0f/s  ETA %02d:%02d  failed %zu ", width,
                std::string(static_cast<std::size_t>(filled), '#').c_str(), done_, total_, rate,
                static_cast<int>(eta) / 60, static_cast<int>(eta) % 60, failed_);
  *env_.err << buf << std::flush;
}

void Progress::finish() {
  if (enabled_) *env_.err << "\n";
}

}  // namespace onboard::batch
