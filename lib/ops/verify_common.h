// Private helpers of the verifying ticket ops: trust options and the signer of a new signature.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "onboard/jws/jws.h"
#include "onboard/keys/keys.h"
#include "onboard/ops/verify.h"
#include "onboard/verify/verify.h"
#include "onboard/x509/x509.h"

namespace onboard::ops {

/// Load TRUST flags into verification options. Errc::usage when no trust is given at all.
Expected<verify::Options> load_trust(const TrustRequest& req, const Env& env);

/// The signer of a new signature: certificate, its issuers (--chain) and, once opened, its key.
struct TicketSigner {
  x509::Certificate cert;
  std::vector<x509::Certificate> chain;
  std::optional<jws::Alg> alg;
  std::unique_ptr<keys::Signer> key;
};
/// Parse --cert/--chain/--alg (no key touched yet: parse, then act).
Expected<TicketSigner> load_ticket_signer(const std::string& cert, const std::string& chain, const std::string& alg);
/// Open --key and check it belongs to the certificate.
Status open_ticket_signer_key(TicketSigner& signer, keys::KeyContext& keys, const std::string& key_uri);
/// A new signature over `payload_b64` with x5c = certificate + chain.
Expected<jws::Signature> sign_payload(const TicketSigner& signer, std::string_view payload_b64, const std::string& cty,
                                      const std::optional<std::string>& opc_uri);

/// countersign-ticket's one ticket: read, validated first (unless --insecure-skip-verify), then
/// signed; the new document's text. `before_signing` runs once validation passed (open the key).
Expected<std::string> countersign_document(const CountersignTicketRequest& req, const std::string& ticket,
                                          const std::optional<std::string>& opc_uri, TicketSigner& signer, Env& env,
                                          const std::function<Status()>& before_signing);
/// countersign-ticket --manifest: one countersigned ticket per row (column `ticket`).
Status countersign_batch(const CountersignTicketRequest& req, Env& env);

/// "NAME: not valid: REASON" as an error with the report's exit code.
Error invalid_ticket_error(const verify::TicketReport& report);

}  // namespace onboard::ops
