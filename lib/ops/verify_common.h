// Private helpers of the verifying ticket ops: trust options and report errors. The signer of a
// new signature is ticket_signer.h (one for every signing tool).
#pragma once

#include <string>
#include <vector>

#include "onboard/jws/jws.h"
#include "onboard/ops/verify.h"
#include "onboard/verify/verify.h"
#include "onboard/x509/x509.h"

namespace onboard::ops {

/// Load TRUST flags into verification options. Errc::usage when no trust is given at all.
Expected<verify::Options> load_trust(const TrustRequest& req, const Env& env);

/// "NAME: not valid: REASON" as an error with the report's exit code.
Error invalid_ticket_error(const verify::TicketReport& report);

}  // namespace onboard::ops
