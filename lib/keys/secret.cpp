#include <openssl/crypto.h>
#include <unistd.h>

#include <cstdlib>

#include "onboard/keys/keys.h"
#include "prompt.h"

namespace onboard::keys {

Secret& Secret::operator=(Secret&& o) noexcept {
  if (this != &o) {
    wipe();
    value_ = std::move(o.value_);
    o.wipe();
  }
  return *this;
}

void Secret::wipe() {
  if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
}

namespace {
constexpr std::size_t kMaxSecret = 64 * 1024;  // a PIN or passphrase; more is a mistake

std::string first_line(std::string s) {
  auto nl = s.find_first_of("\r\n");
  if (nl != std::string::npos) {
    OPENSSL_cleanse(s.data() + nl, s.size() - nl);
    s.resize(nl);
  }
  return s;
}
}  // namespace

Expected<Secret> read_secret(const std::string& source, const std::string& what) {
  if (source == "prompt") return prompt_secret(what);  // SPEC §13.5: asked for explicitly
  if (source.starts_with("file:")) {
    auto text = read_sensitive_file(source.substr(5), kMaxSecret);
    if (!text) return fail(Errc::key, what + ": cannot read " + source + " (" + text.error().message + ")");
    Secret s(first_line(std::move(*text)));
    return s;
  }
  if (source.starts_with("env:")) {
    const char* v = std::getenv(source.substr(4).c_str());
    if (!v) return fail(Errc::key, what + ": environment variable " + source.substr(4) + " is not set");
    return Secret(std::string(v));
  }
  if (source.starts_with("fd:")) {
    int fd = std::atoi(source.c_str() + 3);
    // One buffer of the limit's size: appending would leave uncleansed copies on reallocation.
    std::string data(kMaxSecret + 1, '\0');
    std::size_t len = 0;
    ssize_t n = 0;
    while (len < data.size() && (n = ::read(fd, data.data() + len, data.size() - len)) > 0) len += static_cast<std::size_t>(n);
    if (n < 0 || len > kMaxSecret) {
      OPENSSL_cleanse(data.data(), data.size());
      return fail(n < 0 ? Errc::key : Errc::malformed,
                  what + ": " + (n < 0 ? "cannot read " + source : source + " holds more than " + std::to_string(kMaxSecret) + " bytes"));
    }
    OPENSSL_cleanse(data.data() + len, data.size() - len);
    data.resize(len);
    return Secret(first_line(std::move(data)));
  }
  return fail(Errc::usage, what + ": secret source must be file:PATH, env:VAR or fd:N (never the secret itself)");
}

}  // namespace onboard::keys
