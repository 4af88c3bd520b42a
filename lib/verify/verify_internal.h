// Private parts of the verify component shared by its source files.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "onboard/verify/verify.h"

namespace onboard::verify {

/// What the chain of one signer says, independent of the ticket: cached per protected header.
struct Verifier::ChainOutcome {
  Errc code = Errc::ok;  ///< ok, untrusted, verify_failed (signer profile, broken chain)
  std::string detail;
  std::string trusted_by;
  std::string signer_fingerprint;
  std::vector<x509::Certificate> chain;  ///< leaf → trusted certificate when trusted
  std::vector<CertInfo> certificates;
  UnixTime window_start = 0, window_end = 0;
  x509::RevocationResult revocation;
  /// The chain, time and revocation parts of a signature report, filled once per header.
  SignatureReport base;
};

/// Fill the chain/time/revocation parts of `r` from a chain outcome at time `at`.
void fill_from_chain(SignatureReport& r, const Verifier::ChainOutcome& c, UnixTime at);

/// SPEC §13.6: the signature's time-stamp tokens into r.timestamp; when one is honoured, time and
/// revocation are judged again at its time. A token that does not cover the signature rejects it.
void judge_timestamp(SignatureReport& r, const jws::Signature& sig, const Verifier::ChainOutcome& c, const Options& o);
/// How long an accepted signature holds: its chain's end, or the TSA chain's end when judged at a time-stamp.
UnixTime lasts_until(const SignatureReport& s);

/// Build and judge the signer's chain (x5c non-empty) under the options' trust settings.
std::unique_ptr<Verifier::ChainOutcome> check_signer_chain(const std::vector<x509::Certificate>& x5c,
                                                           const Options& options);

}  // namespace onboard::verify
