// TRUST flags shared by verify-ticket, countersign-ticket and build-composite-ticket (SPEC §12).
#pragma once

#include "onboard/cli/cli.h"
#include "onboard/ops/verify.h"

namespace onboard::tools {

// Each repeatable flag takes one value, so positional TICKETs may follow it.
inline void attach_trust_flags(CLI::App& app, ops::TrustRequest& t) {
  app.add_option("--ticket-authority", t.ticket_authorities,
                 "Ticket-signing certificate trusted as is (Part 21 TicketAuthorities); repeatable")
      ->allow_extra_args(false);
  app.add_option("--trust-anchor", t.trust_anchors,
                 "CA certificate: signers chaining to it are trusted (out-of-band tickets only); repeatable")
      ->allow_extra_args(false);
  app.add_option("--crl", t.crls, "CRL (PEM or DER) of an issuer in the signers' chains; repeatable")
      ->allow_extra_args(false);
  app.add_option("--tsa-anchor", t.tsa_anchors,
                 "TSA root (or CA) certificate: RFC 3161 time-stamps chaining to it are honoured (SPEC §13.6); repeatable")
      ->allow_extra_args(false);
  app.add_option("--max-size", t.max_size, "Largest ticket document accepted, in bytes");
  app.add_flag("--strict", t.strict, "Reject unknown members in ticket payloads");
}

}  // namespace onboard::tools
