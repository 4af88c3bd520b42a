// The one expander of ticket inputs (SPEC §13.4): files, `-`, directories, ticket lists.
#include "onboard/ticket/inputs.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "onboard/ticket/ticket.h"

namespace onboard::ticket {
namespace {

namespace fs = std::filesystem;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// The `*.json` regular files of a directory (dot files skipped), sorted by name.
Expected<std::vector<std::string>> directory_tickets(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> names;
  fs::directory_iterator it(dir, ec), end;
  if (ec) return fail(Errc::file, dir + ": cannot read the directory: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return fail(Errc::file, dir + ": cannot read the directory: " + ec.message());
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.' || !name.ends_with(".json")) continue;
    std::error_code sec;
    if (it->is_regular_file(sec)) names.push_back(name);  // follows symlinks
  }
  if (names.empty()) return fail(Errc::file, dir + ": no *.json files in the directory");
  std::sort(names.begin(), names.end());
  std::string prefix = dir.ends_with('/') ? dir : dir + "/";
  for (auto& n : names) n = prefix + n;
  return names;
}

Expected<TicketSource> read_source(const std::string& path) {
  auto text = read_file(path, kMaxTicketListBytes);
  if (!text) return fail(std::move(text.error()));
  TicketSource src{path, "", false, {}};
  if (!looks_like_ticket_list(*text)) {
    src.tickets.push_back({path, std::move(*text), path, TicketInput::Kind::file, 0});
    return src;
  }
  auto list = decode_ticket_list(*text);
  if (!list) return fail(std::move(list.error()).context(path));
  src.is_list = true;
  auto add = [&](std::vector<std::string>& docs, TicketInput::Kind kind, const char* key) {
    for (std::size_t i = 0; i < docs.size(); ++i)
      src.tickets.push_back({path + "#/" + key + "/" + std::to_string(i), std::move(docs[i]), path, kind, i});
  };
  add(list->devices, TicketInput::Kind::device_member, "Devices");
  add(list->composites, TicketInput::Kind::composite_member, "Composites");
  if (src.tickets.empty()) return fail(Errc::malformed, path + ": the ticket list holds no tickets");
  return src;
}

}  // namespace

bool looks_like_ticket_list(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && is_space(text[i])) ++i;
  if (i >= text.size() || text[i] != '{') return false;
  ++i;
  while (i < text.size() && is_space(text[i])) ++i;
  if (i >= text.size() || text[i] != '"') return false;
  std::size_t end = text.find('"', i + 1);
  if (end == std::string_view::npos) return false;
  std::string_view key = text.substr(i + 1, end - i - 1);
  for (std::string_view k : {"Devices", "Composites", "devices", "composites", "UaTypeId"})
    if (key == k) return true;
  return false;
}

Expected<std::vector<TicketSource>> read_ticket_sources(const std::vector<std::string>& paths) {
  if (std::count(paths.begin(), paths.end(), "-") > 1) return fail(Errc::usage, "stdin (-) can be given only once");
  std::vector<TicketSource> out;
  for (const auto& p : paths) {
    std::error_code ec;
    std::vector<std::string> files{p};
    const bool dir = p != "-" && fs::is_directory(p, ec);
    if (dir) {
      auto found = directory_tickets(p);
      if (!found) return fail(std::move(found.error()));
      files = std::move(*found);
    }
    for (const auto& f : files) {
      auto src = read_source(f);
      if (!src) return fail(std::move(src.error()));
      if (dir) src->directory = p;
      out.push_back(std::move(*src));
    }
  }
  return out;
}

Expected<std::vector<TicketInput>> expand_ticket_inputs(const std::vector<std::string>& paths) {
  auto sources = read_ticket_sources(paths);
  if (!sources) return fail(std::move(sources.error()));
  std::vector<TicketInput> out;
  for (auto& s : *sources)
    for (auto& t : s.tickets) out.push_back(std::move(t));
  return out;
}

}  // namespace onboard::ticket
