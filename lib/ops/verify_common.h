// Private helpers of the verifying ticket ops: trust options and report errors. The signer of a
// new signature is ticket_signer.h (one for every signing tool).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "onboard/jws/jws.h"
#include "onboard/ops/verify.h"
#include "onboard/verify/verify.h"
#include "onboard/x509/x509.h"
#include "ticket_signer.h"

namespace onboard::ops {

/// Load TRUST flags into verification options. Errc::usage when no trust is given at all.
Expected<verify::Options> load_trust(const TrustRequest& req, const Env& env);

/// "NAME: not valid: REASON" as an error with the report's exit code.
Error invalid_ticket_error(const verify::TicketReport& report);

/// countersign-ticket's one ticket: read, validated first (unless --insecure-skip-verify), then
/// signed; the new document's text. `before_signing` runs once validation passed (open the key).
Expected<std::string> countersign_document(const CountersignTicketRequest& req, const std::string& ticket,
                                          const std::optional<std::string>& opc_uri, TicketSigner& signer, Env& env,
                                          const std::function<Status()>& before_signing);
/// countersign-ticket --manifest: one countersigned ticket per row (column `ticket`).
Status countersign_batch(const CountersignTicketRequest& req, Env& env);

}  // namespace onboard::ops
