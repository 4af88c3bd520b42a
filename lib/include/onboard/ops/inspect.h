// onboard::ops — inspect-ticket (SPEC §13.4): what a signed ticket says, decoded but NOT verified.
#pragma once

#include <cstddef>
#include <string>

#include "onboard/core/core.h"

namespace onboard::ops {

struct InspectTicketRequest {
  bool json = false;
  std::string ticket;             ///< file or `-`
  std::size_t max_size = 1u << 20;  ///< --max-size of the document (SPEC §6)
};
/// Prints the payload, each signature's protected and unprotected header, signer and every x5c
/// certificate's validity window. Nothing is verified, and the first line (or JSON member
/// "verified": false) says so. Errc::file (5) unreadable, Errc::malformed (3) not a ticket.
Status inspect_ticket(const InspectTicketRequest& req, Env& env);

}  // namespace onboard::ops
