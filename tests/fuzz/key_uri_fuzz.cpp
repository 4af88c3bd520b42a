// Key URI parsing (SPEC §4): file:, bare paths, pkcs11: (RFC 7512 percent-encoding), tpm2:.
// Also checks secrets hygiene: no pin-value ever shows in the URI's message form or an error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "onboard/keys/keys.h"

namespace {
std::string shown(std::string_view text) {
  auto uri = onboard::keys::parse_key_uri(text);
  return uri ? uri->text : uri.error().message;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string out = shown(text);
  if (text.starts_with("pkcs11:")) {
    // Every raw pin-value (to the next '&') of 8+ characters must be absent from what is shown,
    // unless the same bytes show when the value is blanked (then they are the message's own text
    // or another part of the input, not the PIN).
    for (std::size_t pos = text.find("pin-value="); pos != std::string_view::npos; pos = text.find("pin-value=", pos + 1)) {
      std::size_t from = pos + 10, to = std::min(text.find('&', pos), text.size());
      std::string_view value = text.substr(from, to - from);
      if (value.size() < 8 || out.find(value) == std::string::npos) continue;
      std::string blanked(text);
      blanked.replace(from, to - from, std::string(to - from, '\x01'));
      if (shown(blanked).find(value) == std::string::npos) __builtin_trap();
    }
  }
  onboard::keys::parse_key_type(text);
  return 0;
}
