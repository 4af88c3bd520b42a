// Unknown flags (SPEC §13.5): one clear line naming the flag and, when one is close, the flag
// that was probably meant, instead of CLI11's "The following arguments were not expected".
#include <algorithm>
#include <vector>

#include "onboard/cli/cli.h"

namespace onboard::cli {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Damerau–Levenshtein (optimal string alignment): a swapped pair of letters is one edit.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::string suggest_option(const CLI::App& app, std::string_view unknown) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const CLI::Option* opt : app.get_options()) {
    for (const auto& l : opt->get_lnames()) {
      std::string name = "--" + l;
      std::size_t d = edit_distance(unknown, name);
      // A cut-short name ("--manif") is as good as a typo when only one flag starts that way.
      if (unknown.size() > 3 && name.starts_with(unknown)) d = std::min<std::size_t>(d, 1);
      if (d < best_d) best_d = d, best = name;
    }
  }
  // Close enough: one edit in three letters of the name (and at least one), so "--x" is not "--at".
  std::size_t limit = std::max<std::size_t>(1, (unknown.size() - 2) / 3);
  return best_d <= limit ? best : std::string();
}

std::optional<std::string> unknown_option(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") break;  // the rest are operands
    if (!a.starts_with("--") || a.size() < 3) continue;
    std::string name(a.substr(0, a.find('=')));
    bool known = false;
    for (const CLI::Option* opt : app.get_options())
      if (opt->check_lname(name.substr(2))) known = true;
    if (known) continue;
    std::string msg = "unknown option " + name;
    if (auto s = suggest_option(app, name); !s.empty()) msg += "; did you mean " + s + "?";
    return msg + " (see --help)";
  }
  return std::nullopt;
}

}  // namespace onboard::cli
