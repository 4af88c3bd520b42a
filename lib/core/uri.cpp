#include <cctype>

#include "onboard/core/core.h"

namespace onboard {

// SPEC §2: absolute URI (RFC 3986 scheme ":" ...), ≤ 255 characters, no whitespace or control.
Status validate_instance_uri(std::string_view uri, std::string_view what) {
  std::string w(what);
  if (uri.empty()) return fail(Errc::malformed, w + ": empty");
  if (uri.size() > 255)
    return fail(Errc::malformed, w + ": " + std::to_string(uri.size()) + " characters, at most 255 allowed");
  for (std::size_t i = 0; i < uri.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(uri[i]);
    if (c <= 0x20 || c == 0x7f)
      return fail(Errc::malformed, w + ": whitespace or control character at offset " + std::to_string(i));
  }
  auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return fail(Errc::malformed, w + " '" + std::string(uri) + "' is not an absolute URI (no scheme)");
  if (!std::isalpha(static_cast<unsigned char>(uri[0])))
    return fail(Errc::malformed, w + " '" + std::string(uri) + "': scheme must start with a letter");
  for (std::size_t i = 1; i < colon; ++i) {
    unsigned char c = static_cast<unsigned char>(uri[i]);
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.')
      return fail(Errc::malformed, w + " '" + std::string(uri) + "': invalid character in scheme");
  }
  if (colon + 1 == uri.size()) return fail(Errc::malformed, w + " '" + std::string(uri) + "': nothing after the scheme");
  return {};
}

std::vector<std::string> lint_instance_uri(std::string_view uri, bool for_label) {
  std::vector<std::string> warnings;
  auto colon = uri.find(':');
  std::string_view scheme = uri.substr(0, colon);
  std::string_view authority;
  if (uri.substr(colon + 1).starts_with("//")) {
    auto rest = uri.substr(colon + 3);
    authority = rest.substr(0, rest.find_first_of("/?#"));
  }
  auto has_upper = [](std::string_view s) {
    for (char c : s)
      if (std::isupper(static_cast<unsigned char>(c))) return true;
    return false;
  };
  if (has_upper(scheme) || has_upper(authority))
    warnings.push_back("URI '" + std::string(uri) + "' has upper-case letters in scheme or authority");
  if (for_label && (scheme == "urn" || scheme == "tag"))
    warnings.push_back("a " + std::string(scheme) + ": URI on a label is not resolvable (IEC 61406 expects http(s))");
  if (uri.size() > 72)
    warnings.push_back("URI is " + std::to_string(uri.size()) + " characters long (over 72 makes a large QR code)");
  return warnings;
}

}  // namespace onboard
