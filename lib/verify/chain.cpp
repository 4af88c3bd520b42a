// Trust decision for one signer (Part 21 §6.4): the signing certificate is a TicketAuthority
// (trusted as is), or — for out-of-band tickets only — chains to a trust anchor. Results are
// cached per protected header: a batch from the same signers checks each chain once.
#include <algorithm>

#include "verify_internal.h"

namespace onboard::verify {
namespace {

bool same_cert(const x509::Certificate& a, const x509::Certificate& b) { return a.der() == b.der(); }

const x509::Certificate* find_authority(const x509::Certificate& leaf, const std::vector<x509::Certificate>& tas) {
  for (const auto& ta : tas)
    if (same_cert(ta, leaf)) return &ta;
  return nullptr;
}

/// Why an untrusted chain is untrusted, as precisely as we can say it.
std::string untrusted_reason(const x509::Certificate& leaf, const std::vector<x509::Certificate>& untrusted,
                             const Options& o, const x509::ChainResult& r) {
  if (o.source == Source::device && !o.trust_anchors.empty()) {
    auto via_anchor = x509::verify_chain(leaf, untrusted, o.trust_anchors, o.at, true, false);
    if (via_anchor.code == Errc::ok)
      return "signer chains to trust anchor " + via_anchor.chain.back().subject() +
             ", but a ticket from the device is trusted only through a --ticket-authority signer (Part 21 §6.4)";
  }
  std::string top = r.chain.empty() ? leaf.subject() : r.chain.back().subject();
  return "no trusted certificate: the chain ends at " + top + " (" + r.reason + ")";
}

void set_window(Verifier::ChainOutcome& out, const std::vector<x509::Certificate>& certs) {
  out.window_start = 0;
  out.window_end = kNoExpiry;
  for (const auto& c : certs) {
    out.certificates.push_back({c.subject(), c.not_before(), c.not_after(), {}});
    out.window_start = std::max(out.window_start, c.not_before());
    out.window_end = std::min(out.window_end, c.not_after());
  }
}

}  // namespace

std::unique_ptr<Verifier::ChainOutcome> check_signer_chain(const std::vector<x509::Certificate>& x5c,
                                                           const Options& o) {
  auto out = std::make_unique<Verifier::ChainOutcome>();
  const x509::Certificate& leaf = x5c.front();
  out->signer_fingerprint = leaf.fingerprint();
  std::vector<x509::Certificate> untrusted(x5c.begin() + 1, x5c.end());
  if (leaf.is_ca()) {
    out->code = Errc::verify_failed;
    out->detail = "signer certificate " + leaf.subject() + " is a CA certificate; a ticket signer must be an end entity";
  } else if (!leaf.allows_digital_signature()) {
    out->code = Errc::verify_failed;
    out->detail = "signer certificate " + leaf.subject() + " lacks keyUsage digitalSignature";
  } else if (const auto* ta = find_authority(leaf, o.ticket_authorities)) {
    out->trusted_by = "ticket authority " + ta->subject();
    out->chain = {leaf};
    out->detail = "the signer certificate is a ticket authority (trusted as is)";
  } else {
    std::vector<x509::Certificate> anchors;
    if (o.source == Source::out_of_band) anchors = o.trust_anchors;
    auto r = x509::verify_chain(leaf, untrusted, anchors, o.at, true, false);
    if (r.code == Errc::ok) {
      out->trusted_by = "trust anchor " + r.chain.back().subject();
      out->chain = r.chain;
      out->detail = "chains to trust anchor " + r.chain.back().subject() + " (" + std::to_string(r.chain.size()) +
                    " certificates)";
    } else {
      out->code = r.code == Errc::untrusted ? Errc::untrusted : Errc::verify_failed;
      out->detail = r.code == Errc::untrusted ? untrusted_reason(leaf, untrusted, o, r)
                                              : "chain does not verify: " + r.reason;
    }
  }
  set_window(*out, out->chain.empty() ? x5c : out->chain);
  if (out->code != Errc::ok) return out;
  out->revocation = x509::check_revocation(out->chain, o.crls, x5c, o.at);
  for (std::size_t i = 0; i < out->certificates.size() && i < out->revocation.certs.size(); ++i) {
    const auto& cr = out->revocation.certs[i];
    out->certificates[i].revocation = x509::revocation_name(cr.status) + " (" + cr.detail + ")";
    if (cr.status == x509::Revocation::revoked) {
      out->certificates[i].revoked_at = cr.revoked_at;
      out->certificates[i].revocation_reason = cr.reason.value_or(x509::CrlReason::unspecified);
    }
  }
  return out;
}

}  // namespace onboard::verify
