#include <array>

#include "onboard/core/core.h"

namespace onboard {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(ByteView in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    std::uint32_t v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  std::size_t rest = in.size() - i;
  if (rest) {
    std::uint32_t v = in[i] << 16;
    if (rest == 2) v |= in[i + 1] << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (rest == 2) out += alphabet[(v >> 6) & 63];
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

std::array<int, 256> table(const char* alphabet) {
  std::array<int, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = i;
  return t;
}

// Decodes unpadded groups; `body` holds only alphabet characters by the time we get here.
Expected<Bytes> decode(std::string_view body, const std::array<int, 256>& t, const char* name) {
  if (body.size() % 4 == 1) return fail(Errc::malformed, std::string(name) + ": impossible length");
  Bytes out;
  out.reserve(body.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    int v = t[static_cast<unsigned char>(body[i])];
    if (v < 0) {
      return fail(Errc::malformed,
                  std::string(name) + ": invalid character at offset " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return fail(Errc::malformed, std::string(name) + ": non-canonical trailing bits");
  }
  return out;
}

}  // namespace

std::string base64_encode(ByteView data) { return encode(data, kStd, true); }
std::string base64url_encode(ByteView data) { return encode(data, kUrl, false); }

Expected<Bytes> base64_decode(std::string_view text) {
  static const auto t = table(kStd);
  if (text.size() % 4 != 0) return fail(Errc::malformed, "base64: length is not a multiple of 4");
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  return decode(text.substr(0, text.size() - pad), t, "base64");
}

Expected<Bytes> base64url_decode(std::string_view text) {
  static const auto t = table(kUrl);
  return decode(text, t, "base64url");
}

std::string hex_encode(ByteView data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(data.size() * 2);
  for (auto b : data) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

}  // namespace onboard
