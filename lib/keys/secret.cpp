#include <openssl/crypto.h>
#include <unistd.h>

#include <cstdlib>

#include "onboard/keys.h"

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
  if (source.starts_with("file:")) {
    auto text = read_file(source.substr(5), 64 * 1024);
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
    std::string data;
    char buf[512];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) data.append(buf, static_cast<std::size_t>(n));
    OPENSSL_cleanse(buf, sizeof buf);
    if (n < 0) return fail(Errc::key, what + ": cannot read " + source);
    return Secret(first_line(std::move(data)));
  }
  return fail(Errc::usage, what + ": secret source must be file:PATH, env:VAR or fd:N (never the secret itself)");
}

}  // namespace onboard::keys
