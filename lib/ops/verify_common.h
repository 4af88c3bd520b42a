// Private helpers of the verifying ticket ops: trust options and report errors. The signer of a
// new signature is ticket_signer.h (one for every signing tool).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "onboard/jws/jws.h"
#include "onboard/ops/verify.h"
#include "onboard/ticket/inputs.h"
#include "onboard/verify/verify.h"
#include "onboard/x509/x509.h"
#include "ticket_signer.h"

namespace onboard::ops {

/// Load TRUST flags into verification options. Errc::usage when no trust is given at all.
Expected<verify::Options> load_trust(const TrustRequest& req, const Env& env);

/// "NAME: not valid: REASON" as an error with the report's exit code.
Error invalid_ticket_error(const verify::TicketReport& report);

/// countersign-ticket validates with this (one for every ticket of a run, so trust is parsed and
/// each distinct chain checked once); nullptr with --insecure-skip-verify, which warns once.
Expected<std::unique_ptr<verify::Verifier>> countersign_verifier(const CountersignTicketRequest& req, Env& env);
/// countersign-ticket's one input: a ticket, or a ticket list whose members all get a signature.
/// Every ticket is checked (and validated with `verifier` unless null) before `before_signing`
/// runs (open the key), then signed; the new document's (or list's) text.
/// jws::prepare() results of a run, per cty and opc-uri (countersign_source fills it).
using PreparedSignatures = std::map<std::string, jws::Prepared>;
Expected<std::string> countersign_source(const CountersignTicketRequest& req, const ticket::TicketSource& src,
                                        const verify::Verifier* verifier, const std::optional<std::string>& opc_uri,
                                        TicketSigner& signer, PreparedSignatures& prepared,
                                        const std::function<Status()>& before_signing);
/// Resume/re-run check: `out` is `in` with its payload string and every signature object byte
/// for byte, plus one more signature by `signer` (with `opc_uri`, when given) that verifies.
bool extends_by_one(const jws::Document& in, std::string_view out, const TicketSigner& signer, const jws::Limits& limits,
                    const std::optional<std::string>& opc_uri = std::nullopt);
/// countersign-ticket --manifest or --out-dir: one countersigned ticket (or list) per manifest row
/// (column `ticket`) or per input file, through the batch runner.
Status countersign_batch(const CountersignTicketRequest& req, Env& env);

}  // namespace onboard::ops
