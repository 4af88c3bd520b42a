// Strict RFC 8259 reader with raw spans and duplicate-member rejection (SPEC §6): jws reads
// signed documents with it, ticket their payloads and ticket lists.
// nlohmann::json keeps the last of duplicate members silently; a JWS verifier must not
// (RFC 7515 §5.2 lets it reject, SPEC §6 says it MUST), so documents are read here.
#include <set>

#include "onboard/core/json.h"

namespace onboard::json {
namespace {

// Length of the UTF-8 sequence starting at s[i] (0 = invalid): RFC 3629 table, no overlongs,
// no surrogates, nothing above U+10FFFF.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  unsigned c = at(i);
  auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) { return at(k) >= lo && at(k) <= hi; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c == 0xE0) return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (c == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
  if (c == 0xF0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}

  Expected<Value> document() {
    auto v = value(0);
    if (!v) return v;
    skip_ws();
    if (pos_ != s_.size()) return bad("unexpected data after the JSON value");
    return v;
  }

 private:
  tl::unexpected<Error> bad(const std::string& why) const {
    return fail(Errc::malformed, "JSON: " + why + " at byte " + std::to_string(pos_));
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Expected<Value> value(int depth) {
    if (depth > kMaxDepth) return bad("nesting deeper than " + std::to_string(kMaxDepth));
    skip_ws();
    if (pos_ >= s_.size()) return bad("unexpected end of input");
    std::size_t start = pos_;
    Value v;
    Status ok;
    char c = s_[pos_];
    if (c == '{') {
      v.kind = Value::Kind::object;
      ok = object(v, depth);
    } else if (c == '[') {
      v.kind = Value::Kind::array;
      ok = array(v, depth);
    } else if (c == '"') {
      v.kind = Value::Kind::string;
      ok = string(v.text);
    } else if (literal("true") || literal("false")) {
      v.kind = Value::Kind::boolean;
    } else if (literal("null")) {
      v.kind = Value::Kind::null;
    } else {
      v.kind = Value::Kind::number;
      ok = number();
    }
    if (!ok) return fail(std::move(ok.error()));
    v.raw = s_.substr(start, pos_ - start);
    if (v.kind == Value::Kind::boolean || v.kind == Value::Kind::number) v.text = std::string(v.raw);
    return v;
  }

  Status object(Value& v, int depth) {
    ++pos_;  // '{'
    std::set<std::string> seen;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return {};
    }
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') return bad("expected a member name");
      std::size_t key_at = pos_;
      std::string key;
      if (auto ok = string(key); !ok) return ok;
      if (!seen.insert(key).second) {
        pos_ = key_at;
        return bad("duplicate member '" + key + "'");
      }
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') return bad("expected ':'");
      ++pos_;
      auto member = value(depth + 1);
      if (!member) return fail(std::move(member.error()));
      v.members.emplace_back(std::move(key), std::move(*member));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return {};
      }
      return bad("expected ',' or '}'");
    }
  }

  Status array(Value& v, int depth) {
    ++pos_;  // '['
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return {};
    }
    for (;;) {
      auto item = value(depth + 1);
      if (!item) return fail(std::move(item.error()));
      v.items.push_back(std::move(*item));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return {};
      }
      return bad("expected ',' or ']'");
    }
  }

  Expected<std::uint32_t> hex4() {
    if (pos_ + 4 > s_.size()) return bad("short \\u escape");
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return bad("bad \\u escape");
      v = v * 16 + static_cast<std::uint32_t>(d);
    }
    return v;
  }

  Status escape(std::string& out) {
    if (pos_ >= s_.size()) return bad("unterminated string");
    char c = s_[pos_++];
    switch (c) {
      case '"': out += '"'; return {};
      case '\\': out += '\\'; return {};
      case '/': out += '/'; return {};
      case 'b': out += '\b'; return {};
      case 'f': out += '\f'; return {};
      case 'n': out += '\n'; return {};
      case 'r': out += '\r'; return {};
      case 't': out += '\t'; return {};
      case 'u': break;
      default: --pos_; return bad("invalid escape");
    }
    auto cp = hex4();
    if (!cp) return fail(std::move(cp.error()));
    std::uint32_t code = *cp;
    if (code >= 0xDC00 && code <= 0xDFFF) return bad("lone low surrogate");
    if (code >= 0xD800 && code <= 0xDBFF) {
      if (!literal("\\u")) return bad("lone high surrogate");
      auto lo = hex4();
      if (!lo) return fail(std::move(lo.error()));
      if (*lo < 0xDC00 || *lo > 0xDFFF) return bad("bad surrogate pair");
      code = 0x10000 + ((code - 0xD800) << 10) + (*lo - 0xDC00);
    }
    append_utf8(out, code);
    return {};
  }

  Status string(std::string& out) {
    ++pos_;  // opening quote
    for (;;) {
      if (pos_ >= s_.size()) return bad("unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return {};
      }
      if (c == '\\') {
        ++pos_;
        if (auto ok = escape(out); !ok) return ok;
        continue;
      }
      if (c < 0x20) return bad("control character in a string");
      std::size_t n = utf8_length(s_, pos_);
      if (n == 0) return bad("invalid UTF-8");
      out.append(s_.substr(pos_, n));
      pos_ += n;
    }
  }

  Status number() {
    auto digit = [&] { return pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; };
    std::size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    if (!digit()) {
      pos_ = start;
      return bad("unexpected character");
    }
    if (s_[pos_] == '0') {
      ++pos_;
    } else {
      while (digit()) ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digit()) return bad("digit expected after '.'");
      while (digit()) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digit()) return bad("digit expected in exponent");
      while (digit()) ++pos_;
    }
    return {};
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

Value::Value() = default;
Value::~Value() = default;
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;

const Value* Value::get(std::string_view key) const {
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

Expected<Value> parse(std::string_view text) { return Reader(text).document(); }

std::string quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace onboard::json

namespace onboard {

Status check_utf8(std::string_view s, std::string_view what) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = json::utf8_length(s, i);
    if (n == 0) return fail(Errc::malformed, std::string(what) + ": invalid UTF-8 at byte " + std::to_string(i));
    i += n;
  }
  return {};
}

}  // namespace onboard
