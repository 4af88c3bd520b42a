// onboard::ops — the ticket tools (issue 4). Flags land in these plain requests; each tool's
// main.cpp calls exactly one function here (DESIGN rule 1).
#pragma once

#include <string>
#include <vector>

#include "onboard/ops/ops.h"

namespace onboard::ops {

/// Who signs a ticket: the flags every ticket-signing tool shares (SPEC §12).
struct TicketSignerFlags {
  std::string key;    ///< --key: key URI (file:, pkcs11:, tpm2:)
  std::string cert;   ///< --cert: end-entity certificate with digitalSignature
  std::string chain;  ///< --chain: the signer's issuers, nearest first (PEM); x5c = cert + chain
  std::string alg;    ///< --alg: empty = from the key (ES256, ES384, RS256, EdDSA)
  std::string tsa;    ///< --tsa URL: RFC 3161 token in each new signature's etsiU sigTst (SPEC §13.6)
};

/// sign-ticket: YAML → signed DeviceIdentityTicket (SPEC §6), or a manifest's worth (SPEC §10).
struct SignTicketRequest {
  Common common;
  TicketSignerFlags signer;
  std::string ticket;                    ///< --ticket FILE.yaml
  std::vector<std::string> authorities;  ///< --authority BUNDLE...: replace the YAML's authorities
  std::string out;                       ///< --out FILE (- = stdout)
  // batch
  std::string manifest;         ///< --manifest: CSV with header or JSON Lines
  std::string ticket_template;  ///< --ticket-template: YAML with {column} placeholders
  std::string out_dir;          ///< --out-dir: one ID.ticket.json per row
  std::string results;          ///< --results: JSON Lines results (default stdout)
  bool continue_on_error = false, check = false, inline_outputs = false;
};
Status sign_ticket(const SignTicketRequest& req, Env& env);

}  // namespace onboard::ops
