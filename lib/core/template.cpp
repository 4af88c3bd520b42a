// `{name}` templates: one scanner for expanding and for listing the names, so both agree on
// what a placeholder is.
#include <cctype>

#include "onboard/core/template.h"

namespace onboard {
namespace {

// Calls text(literal) and name(placeholder) in order; Errc::malformed for a bad brace.
template <class Text, class Name>
Status scan(std::string_view tmpl, Text text, Name name) {
  auto bad = [&](const char* why) { return fail(Errc::malformed, "template '" + std::string(tmpl) + "': " + why); };
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if ((c == '{' || c == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == c) {
      text(c);
      ++i;
    } else if (c == '{') {
      auto end = tmpl.find('}', i);
      if (end == std::string_view::npos) return bad("unclosed '{'");
      std::string_view key = tmpl.substr(i + 1, end - i - 1);
      if (key.empty() || key.find('{') != std::string_view::npos) return bad("bad placeholder");
      if (auto ok = name(std::string(key)); !ok) return ok;
      i = end;
    } else if (c == '}') {
      return bad("unmatched '}'");
    } else {
      text(c);
    }
  }
  return {};
}

}  // namespace

Expected<std::string> expand_template(std::string_view tmpl, const TemplateValues& values) {
  std::string out;
  auto ok = scan(
      tmpl, [&](char c) { out += c; },
      [&](const std::string& key) -> Status {
        auto it = values.find(key);
        if (it == values.end()) return fail(Errc::malformed, "template uses column '" + key + "', which is missing");
        out += it->second;
        return {};
      });
  if (!ok) return fail(std::move(ok.error()));
  return out;
}

Expected<std::vector<std::string>> template_columns(std::string_view tmpl) {
  std::vector<std::string> names;
  auto ok = scan(
      tmpl, [](char) {},
      [&](const std::string& key) -> Status {
        names.push_back(key);
        return {};
      });
  if (!ok) return fail(std::move(ok.error()));
  return names;
}

Expected<std::string> safe_file_stem(std::string_view id) {
  if (id.empty()) return fail(Errc::malformed, "empty id");
  if (id.size() > 128) return fail(Errc::malformed, "id longer than 128 characters");
  std::string stem;
  for (char c : id) {
    unsigned char u = static_cast<unsigned char>(c);
    bool ok = std::isalnum(u) || c == '-' || c == '_' || c == '.';
    stem += ok ? c : '_';
  }
  if (stem[0] == '.') stem[0] = '_';
  return stem;
}

}  // namespace onboard
