// onboard::ticket — the ticket inputs of verify-ticket and countersign-ticket (SPEC §13.4): ticket
// files, `-`, directories and ticket-list.json bundles, in any mix, read by one expander.
//
// Rules (also in verify-ticket(1) and countersign-ticket(1)):
// - A path is read whole; its CONTENT decides what it is, never its name: a JSON object whose
//   first member is Devices, Composites (or devices, composites, UaTypeId) is a TicketListType
//   bundle (SPEC §7); anything else is one signed ticket (its faults are the verifier's to report).
// - A directory stands for its `*.json` regular files (dot files skipped), sorted by name, not
//   recursive. A ticket list found there is read as a list like one named on the command line.
// - A list member is named `LIST#/Devices/N` or `LIST#/Composites/N` (an RFC 6901 JSON pointer
//   into the list, N from 0).
// - Errors name the path (and the member): unreadable file or directory, a directory without
//   *.json: Errc::file; a list that is not a well-formed TicketListType, over the size limit:
//   Errc::malformed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "onboard/core/core.h"

namespace onboard::ticket {

/// A ticket list holds many documents, so it may be larger than one ticket's --max-size.
constexpr std::size_t kMaxTicketListBytes = 64u << 20;

/// One signed ticket document to verify or countersign.
struct TicketInput {
  enum class Kind { file, device_member, composite_member };
  std::string path;    ///< name in messages and reports: FILE, `-`, or LIST#/Devices/N
  std::string bytes;   ///< the signed document as read
  std::string origin;  ///< the file it was read from (the list, for a member)
  Kind kind = Kind::file;
  std::size_t index = 0;  ///< position in the list's Devices or Composites
};

/// One file as named or found in a directory: a single ticket, or a ticket list and its members.
struct TicketSource {
  std::string path;
  std::string directory;  ///< the directory it was found in; empty when named itself
  bool is_list = false;
  std::vector<TicketInput> tickets;  ///< one for a ticket file; Devices then Composites for a list
};

/// True when `text` is a TicketListType object (by its first member name; see above).
bool looks_like_ticket_list(std::string_view text);

/// Read every path (directories expanded) into sources, in order. Any file is read up to
/// kMaxTicketListBytes; a ticket over --max-size is left to jws::parse, which reports it over the
/// limit. `-` may be given once (Errc::usage otherwise).
Expected<std::vector<TicketSource>> read_ticket_sources(const std::vector<std::string>& paths);

/// read_ticket_sources, flattened: every ticket, list members in list order.
Expected<std::vector<TicketInput>> expand_ticket_inputs(const std::vector<std::string>& paths);

}  // namespace onboard::ticket
