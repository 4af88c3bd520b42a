// Private to ops: THE ticket signer of sign-ticket, countersign-ticket and build-composite-ticket
// (one definition: same key opening, same alg allow-list, same certificate checks). Parse, then
// act: load_ticket_signer runs the SPEC §13.2 preflight (x509/preflight.h) on --cert/--chain and
// checks --alg before any key is opened by open_ticket_signer_key or any file is written.
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
  std::vector<x509::Certificate> chain;  ///< nearest issuer first, up to and including the root
  std::optional<jws::Alg> alg;           ///< nullopt until the key is opened: the key's default
  std::unique_ptr<keys::Signer> key;     ///< set by open_ticket_signer_key
  std::vector<std::string> warnings;     ///< said by warn_ticket_signer once every check passed
  std::string cert_path;                 ///< --cert, to name the certificate in messages
  std::string tsa_url;                   ///< --tsa: every new signature gets a time-stamp token
};

/// SPEC §13.2 for the signer: --cert an end entity with digitalSignature, valid now (exit 11
/// otherwise); --chain holds every issuer up to the root and links (exit 3); --alg one we emit
/// (SPEC §6) and fitting the certificate's key (usage, exit 2). Errc::file for unreadable files.
Expected<TicketSigner> load_ticket_signer(const TicketSignerFlags& flags, UnixTime now);
/// Open --key and check it holds the certificate's public key (Errc::key otherwise); picks the
/// key's default alg when --alg was not given (the same allow-list applies).
Status open_ticket_signer_key(TicketSigner& signer, const std::string& key_uri, keys::KeyContext& keys);
/// The signer's warnings (EdDSA outside RFC 7518, chain certificates without revocation info).
void warn_ticket_signer(const TicketSigner& signer, const Env& env);
/// SPEC §13.2: countersigning a ticket that already carries a signature by this very certificate.
Status check_not_signed_yet(const TicketSigner& signer, const jws::Document& doc, const std::string& ticket_name);
/// x5c = cert + chain, cty for the ticket type, optional opc-uri.
jws::SignOptions sign_options(const TicketSigner& signer, const std::string& cty,
                              std::optional<std::string> opc_uri = std::nullopt);
jws::SignOptions sign_options(const TicketSigner& signer, ticket::TicketType type,
                              std::optional<std::string> opc_uri = std::nullopt);
/// --tsa (SPEC §13.6): `sig` with a verified RFC 3161 token over its signature value in the
/// unprotected header (JAdES etsiU sigTst); `sig` unchanged without --tsa. Errc::key when the TSA
/// is unreachable or its reply fails a check: nothing is written then.
Expected<jws::Signature> timestamp_signature(const TicketSigner& signer, jws::Signature sig);
/// One new signature over `payload_b64` (the exact string in the document), time-stamped with --tsa.
Expected<jws::Signature> sign_payload(const TicketSigner& signer, std::string_view payload_b64, const std::string& cty,
                                      const std::optional<std::string>& opc_uri);
/// --authority BUNDLE files (SPEC §12).
Expected<std::vector<ticket::CertificateAuthority>> load_authorities(const std::vector<std::string>& paths);
/// A one-signature document over `payload_json`, compact with a newline at the end.
/// With `tsa_url` the signature is time-stamped (timestamp_signature).
Expected<std::string> sign_new_document(const std::string& payload_json, const jws::Prepared& prepared,
                                        const keys::Signer& key, bool self_check, const std::string& tsa_url = "");

}  // namespace onboard::ops
