// Batch manifests (SPEC §10): CSV with a header row or JSON Lines, streamed; templates.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "onboard/batch/batch.h"
#include "onboard/core/template.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onboard;
  using batch::ManifestReader;
  std::string text(reinterpret_cast<const char*>(data), size);
  for (auto format : {ManifestReader::Format::detect, ManifestReader::Format::csv, ManifestReader::Format::jsonl}) {
    auto reader = ManifestReader::from_stream(std::make_unique<std::istringstream>(text), "fuzz", format);
    if (!reader) continue;
    for (int i = 0; i < 10000; ++i) {
      auto row = (*reader)->next();
      if (!row || !*row) break;
      for (const auto& [k, v] : (*row)->values) {
        safe_file_stem(v);
        // (a column name with braces cannot be named in a template: "{{" is a literal brace)
        if (k.find_first_of("{}") != std::string::npos) continue;
        if (auto out = expand_template("{" + k + "}.pem", (*row)->values); out && *out != v + ".pem") __builtin_trap();
      }
    }
  }
  // The text as a template with no values: listing and expanding agree on what is malformed.
  bool listed = template_columns(text).has_value();
  auto expanded = expand_template(text, {});
  if (expanded && !listed) __builtin_trap();
  if (listed && !expanded && expanded.error().message.find("which is missing") == std::string::npos) __builtin_trap();
  return 0;
}
