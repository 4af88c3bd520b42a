// onboard::ops — requests of the verifying ticket tools: verify-ticket, countersign-ticket and
// build-composite-ticket (SPEC §7, §8, §12).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "onboard/core/core.h"
#include "onboard/ops/ops.h"

namespace onboard::ops {

/// TRUST = (--ticket-authority CERT | --trust-anchor CERT)... [--crl FILE]... (SPEC §12).
struct TrustRequest {
  std::vector<std::string> ticket_authorities;  ///< signer certificates trusted as is
  std::vector<std::string> trust_anchors;       ///< CAs (out-of-band tickets only)
  std::vector<std::string> crls;
  std::string source = "out-of-band";  ///< out-of-band | device
  std::string at;                      ///< RFC 3339 evaluation time (default now)
  std::size_t max_size = 1u << 20;     ///< --max-size of a ticket document
  bool strict = false;                 ///< reject unknown payload members
};

struct VerifyTicketRequest {
  Common common;
  std::vector<std::string> tickets;  ///< files, `-` = stdin, directories, ticket lists (SPEC §13.4)
  TrustRequest trust;
  bool quiet = false;  ///< one line per ticket + the summary (SPEC §13.4)
  std::string policy = "any";
  std::vector<std::string> require_signers;
  std::vector<std::string> device_certs;
  std::string composite_ticket;
};
/// Prints one report per ticket; the error (when any ticket is not valid) carries the exit code.
Status verify_ticket(const VerifyTicketRequest& req, Env& env);

struct CountersignTicketRequest {
  Common common;
  std::vector<std::string> tickets;  ///< files, `-`, directories, ticket lists (SPEC §13.4)
  std::string key, cert, chain, alg;
  std::string composite_instance_uri;  ///< opc-uri of a CompositeBuilder's signature
  TrustRequest trust;
  bool insecure_skip_verify = false;
  std::string out;  ///< one input only
  // batch (SPEC §13.3, §13.4): rows name `ticket` (relative to the manifest), optionally
  // `composite_instance_uri`; one ID.ticket.json per row. Or TICKET inputs with --out-dir: one
  // output per input file, under the input's file name (a ticket list in → the list out)
  std::string manifest, out_dir, results;
  bool continue_on_error = false, check = false, inline_outputs = false;
};
Status countersign_ticket(const CountersignTicketRequest& req, Env& env);

struct BuildCompositeTicketRequest {
  Common common;
  std::string composite;             ///< composite YAML
  std::vector<std::string> members;  ///< signed device/composite tickets or ticket lists
  std::string key, cert, chain, alg;
  std::vector<std::string> authorities;  ///< BUNDLE files → the composite ticket's Authorities
  TrustRequest trust;
  std::string out_dir;
};
Status build_composite_ticket(const BuildCompositeTicketRequest& req, Env& env);

}  // namespace onboard::ops
