// SPEC §13.6 (Part 21 §7.1 "if ... the timestamp is valid, expired CA certificates may be
// ignored"): a signature whose RFC 3161 token verifies, chains to a --tsa-anchor and whose time
// lies within the signer chain's validity is judged at the token's time. A token that does not
// cover this signature is a failed check, never ignored.
#include "onboard/x509/timestamp.h"
#include "verify_internal.h"

namespace onboard::verify {
namespace {

using State = TimestampResult::State;

void set_failed(SignatureReport& r, const std::string& why) {
  r.timestamp.state = State::failed;
  r.timestamp.detail = why;
  if (!r.accepted && r.code != Errc::ok) return;  // an earlier stage's reason stays first
  r.accepted = false;
  r.code = Errc::verify_failed;
  r.reason = "time-stamp: " + why;
}

/// Revocation judged at the token's time: a certificate revoked after T for a reason other than
/// keyCompromise does not touch a signature made (and time-stamped) before T.
void forgive_later_revocation(SignatureReport& r, const Verifier::ChainOutcome& c, UnixTime t) {
  if (c.revocation.code != Errc::revoked) return;
  std::string forgiven;
  for (const auto& cr : c.revocation.certs) {
    if (cr.status != x509::Revocation::revoked) continue;
    if (!cr.revoked_at || *cr.revoked_at <= t || !cr.reason || *cr.reason == x509::CrlReason::key_compromise ||
        *cr.reason == x509::CrlReason::ca_compromise)
      return;  // revoked before the time-stamp, or a compromise: the rejection stands
    forgiven += (forgiven.empty() ? "" : "; ") + cr.subject + " revoked on " + format_time(*cr.revoked_at);
  }
  r.revocation = {Outcome::pass, forgiven + ", after the time-stamp and not for key compromise (SPEC §13.6)"};
  if (r.code == Errc::revoked) {
    r.accepted = true;
    r.code = Errc::ok;
    r.reason.clear();
  }
}

/// Time, revocation and acceptance of `r` redone at the token's time `t`.
void judge_at(SignatureReport& r, const Verifier::ChainOutcome& c, UnixTime t) {
  SignatureReport fresh;
  fill_from_chain(fresh, c, t);
  r.time = fresh.time;
  r.revocation = fresh.revocation;
  r.accepted = fresh.accepted;
  r.code = fresh.code;
  r.reason = fresh.reason;
  forgive_later_revocation(r, c, t);
  if (r.time.outcome == Outcome::pass) r.time.detail = "judged at the time-stamp: " + r.time.detail;
}

UnixTime chain_end(const std::vector<x509::Certificate>& chain) {
  UnixTime end = kNoExpiry;
  for (const auto& c : chain) end = std::min(end, c.not_after());
  return end;
}

}  // namespace

std::string timestamp_state_name(State s) {
  switch (s) {
    case State::none: return "none";
    case State::honoured: return "honoured";
    case State::not_honoured: return "not honoured";
    case State::failed: return "failed";
  }
  return "?";
}

void judge_timestamp(SignatureReport& r, const jws::Signature& sig, const Verifier::ChainOutcome& c, const Options& o) {
  if (sig.timestamp_fault) return set_failed(r, "etsiU: " + *sig.timestamp_fault);
  if (sig.timestamp_tokens.empty()) return;
  // The imprint covers the ASCII bytes of this signature's base64url value (JAdES V1.1.1 §5.3.4.1).
  ByteView covered = as_bytes(sig.signature_b64);
  std::optional<x509::TimestampCheck> best;
  for (const auto& token : sig.timestamp_tokens) {
    auto check = x509::verify_timestamp_token(token, covered, o.tsa_anchors, o.at);
    r.timestamp.time = check.info.gen_time;
    r.timestamp.tsa = check.info.tsa_subject;
    r.timestamp.policy = check.info.policy_oid;
    if (check.verdict == x509::TimestampVerdict::failed) return set_failed(r, check.detail);
    if (!best || (best->verdict != x509::TimestampVerdict::trusted && check.verdict == x509::TimestampVerdict::trusted))
      best = std::move(check);
  }
  r.timestamp.time = best->info.gen_time;
  r.timestamp.tsa = best->info.tsa_subject;
  r.timestamp.policy = best->info.policy_oid;
  std::string by = " at " + format_time(best->info.gen_time) + " by " + best->info.tsa_subject;
  if (best->verdict != x509::TimestampVerdict::trusted) {
    r.timestamp.state = State::not_honoured;
    r.timestamp.detail = o.tsa_anchors.empty() ? "not honoured (no --tsa-anchor): token" + by
                                               : "not honoured: " + best->detail;
    return;
  }
  UnixTime t = best->info.gen_time;
  if (t < c.window_start || t > c.window_end) {
    r.timestamp.state = State::not_honoured;
    r.timestamp.detail = "not honoured: the token's time " + format_time(t) + " lies outside the signer chain's validity (" +
                         format_time(c.window_start) + " to " + format_time(c.window_end) + ")";
    return;
  }
  r.timestamp.state = State::honoured;
  r.timestamp.tsa_valid_until = chain_end(best->info.chain);
  r.timestamp.detail = "timestamped" + by + " (policy " + best->info.policy_oid + ")";
  if (c.code == Errc::ok || c.code == Errc::untrusted) judge_at(r, c, t);
}

UnixTime lasts_until(const SignatureReport& s) {
  // A signature judged at its time-stamp holds as long as the token can be verified: until the
  // TSA chain's first certificate expires (then it needs a new time-stamp or a countersignature).
  if (s.timestamp.state == State::honoured) return s.timestamp.tsa_valid_until;
  return s.window_end;
}

}  // namespace onboard::verify
