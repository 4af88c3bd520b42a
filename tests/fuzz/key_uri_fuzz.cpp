// Key URI parsing (SPEC §4): file:, bare paths, pkcs11: (RFC 7512 percent-encoding), tpm2:.
// Also checks secrets hygiene: no pin-value ever shows in the URI's message form or an error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "onboard/keys.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto uri = onboard::keys::parse_key_uri(text);
  const std::string& shown = uri ? uri->text : uri.error().message;
  if (text.starts_with("pkcs11:")) {
    // Every raw pin-value (to the next '&') of 8+ characters must be absent from what is shown.
    for (std::size_t pos = text.find("pin-value="); pos != std::string_view::npos;
         pos = text.find("pin-value=", pos + 1)) {
      auto value = text.substr(pos + 10, text.find('&', pos) - (pos + 10));
      // (only a value that occurs once in the input: the same bytes elsewhere are not a PIN)
      if (value.size() >= 8 && value.find("pin-value=") == std::string_view::npos &&
          text.find(value) == text.rfind(value) &&
          value.find("***") == std::string_view::npos && shown.find(value) != std::string::npos)
        __builtin_trap();
    }
  }
  onboard::keys::parse_key_type(text);
  return 0;
}
