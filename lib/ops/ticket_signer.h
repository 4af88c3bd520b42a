// Private to ops: loading and checking a ticket signer (sign-ticket, countersign-ticket,
// build-composite-ticket share it). Parse, then act: certificates and flags are checked by
// load_ticket_signer before any key is opened by open_ticket_signer_key.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "onboard/jws/jws.h"
#include "onboard/keys/keys.h"
#include "onboard/ops/ticket.h"
#include "onboard/ticket/ticket.h"
#include "onboard/x509/x509.h"

namespace onboard::ops {

struct TicketSigner {
  x509::Certificate cert;
  std::vector<x509::Certificate> chain;  ///< nearest issuer first
  std::optional<jws::Alg> alg;           ///< nullopt: the key's default
  std::unique_ptr<keys::Signer> key;     ///< set by open_ticket_signer_key
};

/// --cert must be an end entity with digitalSignature, valid at `now`; --chain must link;
/// --alg must be one we emit and fit the certificate's key. Errc::usage / malformed / expired / file.
Expected<TicketSigner> load_ticket_signer(const TicketSignerFlags& flags, UnixTime now);
/// Open --key and check it holds the certificate's public key (Errc::key otherwise).
Status open_ticket_signer_key(TicketSigner& signer, const std::string& key_uri, keys::KeyContext& keys);
/// x5c = cert + chain, cty for the ticket type, optional opc-uri.
jws::SignOptions sign_options(const TicketSigner& signer, ticket::TicketType type,
                              std::optional<std::string> opc_uri = std::nullopt);
/// --authority BUNDLE files (SPEC §12).
Expected<std::vector<ticket::CertificateAuthority>> load_authorities(const std::vector<std::string>& paths);
/// A one-signature document over `payload_json`, compact with a newline at the end.
Expected<std::string> sign_new_document(const std::string& payload_json, const jws::Prepared& prepared,
                                        const keys::Signer& key, bool self_check);

}  // namespace onboard::ops
