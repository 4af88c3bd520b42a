// onboard::json — the strict RFC 8259 reader every component that reads JSON documents uses
// (SPEC §6): raw byte spans, duplicate members refused at every level, nesting limited.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "onboard/core/core.h"

namespace onboard::json {

/// One JSON value with the exact bytes it came from. nlohmann::json silently keeps the last of
/// duplicate members; this reader refuses them at every level (SPEC §6) and keeps raw spans so
/// signature objects can be copied byte for byte.
struct Value {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  std::string_view raw;  ///< the value's bytes in the parsed text (valid while the text lives)
  std::string text;      ///< decoded string (Kind::string), or the literal for boolean/number
  std::vector<std::pair<std::string, Value>> members;  ///< Kind::object, in document order
  std::vector<Value> items;                            ///< Kind::array
  /// The member named `key`, or nullptr.
  const Value* get(std::string_view key) const;

  // Declared here, defaulted in json.cpp: clang with libstdc++ cannot check std::pair<std::string,
  // Value> while Value is still incomplete if these are implicit (the fuzz build uses clang).
  Value();
  ~Value();
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
};

/// Nesting deeper than this is refused (SECURITY.md input limits).
constexpr int kMaxDepth = 64;

/// Strict: UTF-8 only, no duplicate member names, no trailing data, nesting depth ≤ kMaxDepth.
/// Errc::malformed naming the byte offset.
Expected<Value> parse(std::string_view text);
/// RFC 8259 string literal (quotes included); UTF-8 passes through, controls are escaped.
std::string quote(std::string_view s);

}  // namespace onboard::json

namespace onboard {
/// Errc::malformed unless `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates).
Status check_utf8(std::string_view s, std::string_view what);
}  // namespace onboard
