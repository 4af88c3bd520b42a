// Asking a person for a PIN or passphrase (SPEC §13.5): on the controlling terminal (/dev/tty,
// so stdout/stderr redirections never see the prompt's answer), echo off, the terminal restored
// on every way out, SIGINT and SIGTERM included. The answer is kept in one buffer sized up front
// and cleansed; it is never printed.
#include <fcntl.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "prompt.h"

namespace onboard::keys {
namespace {

constexpr std::size_t kMaxAnswer = 1024;  // a PIN or passphrase typed by a person

// What the signal handler needs to put the terminal back (async-signal-safe: tcsetattr).
volatile sig_atomic_t g_caught = 0;
int g_tty = -1;
struct termios g_saved {};

extern "C" void on_prompt_signal(int signo) {
  if (g_tty >= 0) ::tcsetattr(g_tty, TCSAFLUSH, &g_saved);
  g_caught = signo;
}

// Echo off on `fd` for this object's life; SIGINT/SIGTERM/SIGHUP/SIGQUIT restore it first.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::tcgetattr(fd, &g_saved) != 0) return;
    g_tty = fd;
    g_caught = 0;
    struct sigaction sa {};
    sa.sa_handler = on_prompt_signal;  // no SA_RESTART: read() returns EINTR and we unwind
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < kSignals; ++i) ::sigaction(kSignalList[i], &sa, &old_[i]);
    struct termios quiet = g_saved;
    quiet.c_lflag &= static_cast<tcflag_t>(~(ECHO | ECHOE | ECHOK | ECHONL));
    quiet.c_lflag |= ICANON;
    active_ = ::tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (g_tty < 0) return;
    ::tcsetattr(fd_, TCSAFLUSH, &g_saved);
    g_tty = -1;
    for (int i = 0; i < kSignals; ++i) ::sigaction(kSignalList[i], &old_[i], nullptr);
    // The signal was only borrowed: hand it on to whatever handled it before (by default it
    // ends the process, as an interrupted prompt should; the batch runner's handler stops the batch).
    if (int s = g_caught; s != 0) ::raise(s);
  }
  bool active() const { return active_; }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  static constexpr int kSignals = 4;
  static constexpr int kSignalList[kSignals] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  int fd_;
  bool active_ = false;
  struct sigaction old_[kSignals] {};
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

 private:
  int fd_;
};

void say(int fd, const std::string& text) {
  std::size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

// One line from the terminal with echo off. Errc::interrupted when a signal came in.
Expected<Secret> ask_once(int fd, const std::string& prompt) {
  say(fd, prompt);
  std::string line(kMaxAnswer, '\0');
  std::size_t len = 0;
  Status status;
  {
    EchoOff quiet(fd);
    if (!quiet.active()) {
      OPENSSL_cleanse(line.data(), line.size());
      return fail(Errc::key, "cannot turn off echo on the terminal: " + std::string(std::strerror(errno)));
    }
    for (;;) {
      char c = 0;
      ssize_t n = ::read(fd, &c, 1);
      if (n < 0 && errno == EINTR && g_caught == 0) continue;
      if (n < 0) {
        status = g_caught ? fail(Errc::interrupted, "interrupted at the prompt")
                          : fail(Errc::key, "reading the terminal: " + std::string(std::strerror(errno)));
        break;
      }
      if (n == 0) {  // end of input (Ctrl-D) before a newline
        if (len == 0) status = fail(Errc::key, "nothing entered at the prompt");
        break;
      }
      if (c == '\n' || c == '\r') break;
      if (len == line.size()) {
        status = fail(Errc::malformed, "answer longer than " + std::to_string(kMaxAnswer) + " bytes");
        break;
      }
      line[len++] = c;
      c = 0;
    }
  }  // the terminal is restored here, before anything else is written
  say(fd, "\n");
  OPENSSL_cleanse(line.data() + len, line.size() - len);
  if (!status) {
    OPENSSL_cleanse(line.data(), line.size());
    return fail(std::move(status.error()));
  }
  line.resize(len);  // shrinking never reallocates
  return Secret(std::move(line));
}

}  // namespace

bool can_prompt() {
  if (!::isatty(STDIN_FILENO)) return false;  // scripts, pipes, CI: keep the old error
  int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

Expected<Secret> prompt_secret(const std::string& what, bool confirm) {
  Fd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (tty.get() < 0 || !::isatty(tty.get()))
    return fail(Errc::key, what + ": cannot prompt: no terminal (give it with file:PATH, env:VAR or fd:N instead)");
  auto first = ask_once(tty.get(), what + ": ");
  if (!first) return fail(std::move(first.error()).context(what));
  if (!confirm) return first;
  auto again = ask_once(tty.get(), what + " (again): ");
  if (!again) return fail(std::move(again.error()).context(what));
  if (again->value() != first->value()) return fail(Errc::key, what + ": the two entries differ");
  return first;
}

}  // namespace onboard::keys
