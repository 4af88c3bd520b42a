#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ostream>

#include "onboard/batch/batch.h"

namespace onboard::batch {
namespace {

int terminal_width() {
  struct winsize ws {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    int n = std::atoi(c);
    if (n > 0) return n;
  }
  return 80;
}

}  // namespace

Progress::Progress(const Env& env, std::size_t total)
    : env_(env), total_(total), enabled_(env.err_is_tty && env.err), start_(std::chrono::steady_clock::now()), last_(start_) {}

std::string Progress::line(std::size_t done, std::size_t total, std::size_t failed, double secs, int width) {
  double rate = secs > 0 ? done / secs : 0;
  double eta = rate > 0 && total >= done ? (total - done) / rate : 0;
  char tail[128];
  std::snprintf(tail, sizeof tail, " %zu/%zu %.0f/s ETA %02d:%02d%s", done, total, rate, static_cast<int>(eta) / 60,
                static_cast<int>(eta) % 60, failed ? (" failed " + std::to_string(failed)).c_str() : "");
  std::string text = tail;
  // The last column stays free: writing it makes some terminals wrap.
  int room = width - 1 - static_cast<int>(text.size()) - 2;
  if (room < 5) return text.substr(0, static_cast<std::size_t>(width > 1 ? width - 1 : 0));
  int bar = room > 50 ? 50 : room;
  int filled = total ? static_cast<int>(static_cast<double>(bar) * done / total) : bar;
  return "[" + std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(bar - filled), ' ') +
         "]" + text;
}

void Progress::tick(bool failed) {
  ++done_;
  if (failed) ++failed_;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (done_ != total_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  int width = terminal_width();
  std::string l = line(done_, total_, failed_, std::chrono::duration<double>(now - start_).count(), width);
  *env_.err << "\r" << l << "\x1b[K" << std::flush;  // erase what a longer earlier line left
  drawn_ = true;
}

void Progress::finish() {
  if (enabled_ && drawn_) *env_.err << "\n";
  drawn_ = false;
}

}  // namespace onboard::batch
