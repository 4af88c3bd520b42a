// What --help shows for each option (SPEC §13.5): one typed placeholder per option name, from
// one table, so every tool says FILE/DIR/URI/TIME/N the same way and no tool prints CLI11's
// `TEXT`, `[]` or `...`. Tools add options without placeholders; run() applies this table to
// whatever the app holds, so a flag added by any helper gets its placeholder by name.
#include <map>
#include <memory>

#include "onboard/cli/cli.h"

namespace onboard::cli {
namespace {

// Every option name any tool uses. "" marks a flag (no value). Positionals by their name.
// A name missing here shows kUnknownPlaceholder, and tests/cli/names.sh fails listing it.
const std::map<std::string, std::string, std::less<>>& table() {
  static const std::map<std::string, std::string, std::less<>> t = {
      // files
      {"--authority", "FILE"}, {"--ca-cert", "FILE"}, {"--ca-chain", "FILE"}, {"--cert", "FILE"},
      {"--chain", "FILE"}, {"--chain-out", "FILE"}, {"--composite", "FILE"}, {"--composite-ticket", "FILE"},
      {"--crl", "FILE"}, {"--csr", "FILE"}, {"--device-cert", "FILE"}, {"--ek-ca", "FILE"},
      {"--from-idevid", "FILE"}, {"--html", "FILE"}, {"--iak-out", "FILE"}, {"--issuer-cert", "FILE"},
      {"--manifest", "FILE"}, {"--member", "FILE"}, {"--out", "FILE"}, {"--require-signer", "FILE"},
      {"--results", "FILE"}, {"--revoke", "FILE"}, {"--scan", "FILE"}, {"--tcg-csr", "FILE"},
      {"--tcg-csr-out", "FILE"}, {"--ticket", "FILE"}, {"--ticket-authority", "FILE"},
      {"--ticket-template", "FILE"}, {"--trust-anchor", "FILE"}, {"--tsa-anchor", "FILE"},
      {"--json-out", "FILE"}, {"--list", "FILE"}, {"--previous", "FILE"},
      {"TICKET", "FILE"}, {"TICKETS", "FILE"}, {"FILE", "FILE"}, {"IMAGE", "FILE"},
      // directories
      {"--out-dir", "DIR"},
      // key URIs and identifiers
      {"--ca-key", "URI"}, {"--composite-instance-uri", "URI"}, {"--device-key", "URI"},
      {"--device-key-template", "URI"}, {"--issuer-key", "URI"}, {"--key", "URI"},
      {"--product-instance-uri", "URI"}, {"--uri", "URI"},
      // network
      {"--crl-url", "URL"}, {"--ocsp-url", "URL"}, {"--tsa", "URL"},
      // times and numbers
      {"--at", "TIME"}, {"--next-update", "TIME"}, {"--not-after", "TIME"}, {"--not-before", "TIME"},
      {"--days", "N"}, {"--dpi", "N"}, {"--max-size", "N"}, {"--max-version", "N"}, {"--jobs", "N"},
      {"--limit", "N"}, {"--module-mm", "MM"},
      {"--iak-handle", "HEX"}, {"--revoke-serial", "HEX"},
      // words
      {"--alg", "ALG"}, {"--ecc", "ECC"}, {"--format", "FORMAT"}, {"--hw-serial", "SN"},
      {"--key-type", "TYPE"}, {"--manufacturer", "NAME"}, {"--model", "NAME"}, {"--pass-source", "SOURCE"},
      {"--pin-source", "SOURCE"}, {"--policy", "POLICY"}, {"--profile", "PROFILE"}, {"--reason", "REASON"},
      {"--serial-number", "SN"}, {"--source", "SOURCE"}, {"--subject", "DN"}, {"--tcti", "TCTI"},
      {"--text", "LINE"}, {"--tsa-policy", "OID"},
      // flags
      {"--add-ski", ""}, {"--attest", ""}, {"--check", ""}, {"--continue-on-error", ""}, {"--der", ""},
      {"--force", ""}, {"--hardware-module-name", ""}, {"--inline", ""}, {"--insecure-skip-verify", ""},
      {"--insecure-skip-activation", ""}, {"--json", ""}, {"--new-key", ""}, {"--no-revocation-info", ""}, {"--quiet", ""}, {"--sheet", ""},
      {"--strict", ""}, {"--help", ""}, {"--version", ""},
  };
  return t;
}

// CLI11's own option text without `TEXT`, `=[]` or ` ...`: the placeholder, a default only when
// it says something, and REQUIRED. A repeatable option takes one value per use (its description
// says "repeatable"), so nothing suggests a list.
class Formatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* opt) const override {
    std::string out;
    if (!opt->get_type_name().empty()) {
      out += " " + opt->get_type_name();
      std::string def = opt->get_default_str();
      if (!def.empty() && def != "[]" && def != "0" && def != "\"\"") out += " (default " + def + ")";
      if (opt->get_required()) out += " REQUIRED";
    }
    return out;
  }
  // Aliases side by side: "--ca-cert, --issuer-cert".
  std::string make_option_name(const CLI::Option* opt, bool positional) const override {
    if (positional) return opt->get_name(true, false);
    std::string out;
    for (const auto& n : opt->get_snames()) out += (out.empty() ? "-" : ", -") + n;
    for (const auto& n : opt->get_lnames()) out += (out.empty() ? "--" : ", --") + n;
    return out.empty() ? opt->get_name(false, true) : out;
  }
};

}  // namespace

std::string option_key(const CLI::Option* opt) {
  if (!opt->get_lnames().empty()) return "--" + opt->get_lnames().front();
  return opt->get_name(true);
}

std::optional<std::string> table_placeholder(std::string_view name) {
  auto it = table().find(name);
  if (it == table().end()) return std::nullopt;
  return it->second;
}

void apply_placeholders(CLI::App& app) {
  app.formatter(std::make_shared<Formatter>());
  for (CLI::Option* opt : app.get_options()) {
    if (opt->get_type_name().empty()) continue;  // a flag: CLI11 gives it no type, it takes no value
    auto p = table_placeholder(option_key(opt));
    opt->type_name(p && !p->empty() ? *p : std::string(kUnknownPlaceholder));
    // A repeatable option takes one value a use; its description says so (nothing else does now).
    if (opt->nonpositional() && opt->get_expected_max() > 1 &&
        opt->get_description().find("repeatable") == std::string::npos)
      opt->description(opt->get_description() + " (repeatable)");
  }
}

}  // namespace onboard::cli
