// onboard::verify — ticket verification as SPEC §8 defines it (Part 21 §6.4, §7.1): every
// signature checked on its own (header, alg/key fit, chain to a trusted certificate, validity
// at the evaluation time, revocation, signature bytes), a policy over the results, "valid
// until", device-certificate matching with composite partial-match rejection, and reports for
// an operator (text) and for programs (JSON).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "onboard/core/core.h"
#include "onboard/jws/jws.h"
#include "onboard/ticket/ticket.h"
#include "onboard/x509/x509.h"

namespace onboard::verify {

/// How the ticket arrived (Part 21 §6.4): trust anchors may vouch only for out-of-band tickets.
enum class Source { out_of_band, device };
enum class Policy { any, all };
Expected<Source> parse_source(std::string_view text);  ///< out-of-band | device
Expected<Policy> parse_policy(std::string_view text);  ///< any | all

struct Options {
  std::vector<x509::Certificate> ticket_authorities;  ///< signer certificates trusted as is
  std::vector<x509::Certificate> trust_anchors;       ///< CAs (out-of-band tickets only)
  std::vector<x509::Crl> crls;
  std::vector<x509::Certificate> tsa_anchors;  ///< RFC 3161 TSA roots (SPEC §13.6); none: tokens not honoured
  UnixTime at = 0;  ///< evaluation time
  Policy policy = Policy::any;
  Source source = Source::out_of_band;
  std::vector<x509::Certificate> required_signers;  ///< each must have an accepted signature
  jws::Limits limits;
  bool strict = false;  ///< reject unknown payload members
};

/// One check's outcome: passed, failed, or not run (an earlier stage made it impossible).
enum class Outcome { pass, fail, skipped };
struct Check {
  Outcome outcome = Outcome::skipped;
  std::string detail;
};

struct CertInfo {
  std::string subject;
  UnixTime not_before = 0, not_after = 0;
  std::string revocation;  ///< "good (...)", "unknown (...)": every skipped check is reported (Part 21 §7.1)
  /// When a CRL revokes this certificate: the entry's revocationDate and its reasonCode as
  /// RFC 5280 names it ("keyCompromise"; "unspecified" when the entry has none). SPEC §13.6:
  /// a timestamp before revoked_at outlives the revocation unless the reason is keyCompromise.
  std::optional<UnixTime> revoked_at;
  std::optional<x509::CrlReason> revocation_reason;
};

/// SPEC §13.6: the RFC 3161 token(s) of one signature (JAdES etsiU sigTst).
struct TimestampResult {
  enum class State {
    none,          ///< no token
    honoured,      ///< verified, TSA chains to a --tsa-anchor, time within the signer chain: judged at `time`
    not_honoured,  ///< sound but not usable (no --tsa-anchor, untrusted TSA, time outside the chain): judged at --at
    failed         ///< does not cover this signature, bad token signature, unreadable: the signature is rejected
  };
  State state = State::none;
  std::string detail;      ///< "timestamped at T by TSA", or why not honoured / failed
  UnixTime time = 0;       ///< genTime (0 when unreadable)
  std::string tsa;         ///< TSA certificate subject
  std::string policy;      ///< TSTInfo policy OID
  UnixTime tsa_valid_until = 0;  ///< honoured: the TSA chain's earliest notAfter (bounds "valid until")
};
std::string timestamp_state_name(TimestampResult::State s);  ///< none / honoured / not honoured / failed

struct SignatureReport {
  std::size_t index = 0;
  std::string alg;                      ///< as named in the header ("" when unreadable)
  std::string signer, issuer;           ///< x5c[0] subject / issuer
  std::string signer_fingerprint;
  std::optional<std::string> opc_uri;
  Check header, chain, time, revocation, signature;
  TimestampResult timestamp;            ///< SPEC §13.6; time/revocation judged at timestamp.time when honoured
  std::string revocation_status;        ///< good / revoked / unknown / not applicable
  std::string trusted_by;               ///< "ticket authority ..." / "trust anchor ..."
  std::vector<CertInfo> certificates;   ///< the chain used, leaf first
  UnixTime window_start = 0, window_end = 0;  ///< when every chain certificate is valid
  bool accepted = false;
  Errc code = Errc::ok;  ///< why not accepted
  std::string reason;
};

struct DeviceMatch {
  bool requested = false;  ///< --device-cert given
  bool matched = false;
  std::string certificate;  ///< file (or subject) of the matching certificate
  std::string detail;       ///< what matched, or why nothing did
  std::optional<std::string> composite_instance_uri;  ///< required URI when the device is in a composite
};

struct TicketReport {
  std::string name;  ///< file name, "-" for stdin
  std::optional<ticket::Ticket> ticket;
  std::vector<SignatureReport> signatures;
  std::vector<std::string> warnings;
  UnixTime at = 0;
  Policy policy = Policy::any;
  bool valid = false;
  Errc code = Errc::verify_failed;
  std::string reason;                  ///< why not valid (or "" when valid)
  std::optional<std::size_t> carried_by;  ///< the accepted signature that lasts longest
  std::optional<UnixTime> valid_until;    ///< latest time at which the policy is still met
  DeviceMatch device;
};

/// A device certificate given for matching, with where it came from.
struct DeviceCert {
  std::string name;
  x509::Certificate cert;
};

/// Verifies many tickets with one configuration. Chain, time-window and revocation results are
/// cached per distinct protected header, so a batch of tickets from the same signers checks
/// each certificate chain once.
class Verifier {
 public:
  explicit Verifier(Options options);
  ~Verifier();
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  /// Verify one signed document (its text as read). Structural faults end in an invalid
  /// report with Errc::malformed; nothing here throws or fails.
  TicketReport verify(const std::string& name, std::string_view text) const;
  /// Same, for an already parsed document.
  TicketReport verify(const std::string& name, const jws::Document& doc) const;
  const Options& options() const { return options_; }

  struct ChainOutcome;

 private:
  const ChainOutcome& chain_outcome(const jws::Signature& sig) const;
  Options options_;
  mutable std::map<std::string, std::unique_ptr<ChainOutcome>> cache_;
};

/// SPEC §8 device matching for a valid ticket. `composite` (already verified) makes the device
/// a composite member when it lists the ProductInstanceUri in Devices, or when the device ticket
/// has an accepted signature whose opc-uri is the composite's CompositeInstanceUri (a member of a
/// nested composite); then only certificates with both URIs count. Sets report.device and, on
/// failure, report.valid = false with Errc::mismatch.
void match_device(TicketReport& report, const std::vector<DeviceCert>& certs, const ticket::Ticket* composite,
                  UnixTime at);

/// SPEC §8: every failure with the same code → that code, otherwise verify_failed.
Errc combine_codes(const std::vector<Errc>& codes);

/// The operator's report: who signed, until when, which signature carries validity, what to do.
std::string render_text(const TicketReport& report);
/// One JSON object (one line) with the same content.
std::string render_json(const TicketReport& report);

}  // namespace onboard::verify
