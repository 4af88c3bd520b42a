// base64, base64url (strict, SPEC §6), RFC 3339 time parsing, instance URI checks (SPEC §2).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "onboard/core/core.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onboard;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Round trips: whatever decodes strictly must re-encode to the same text.
  if (auto b = base64_decode(text); b && base64_encode(*b) != text) __builtin_trap();
  if (auto b = base64url_decode(text); b && base64url_encode(*b) != text) __builtin_trap();
  if (auto t = parse_time(text)) {
    auto again = parse_time(format_time(*t));
    if (!again || *again != *t) __builtin_trap();
  }
  validate_instance_uri(text);
  lint_instance_uri(text, true);
  return 0;
}
