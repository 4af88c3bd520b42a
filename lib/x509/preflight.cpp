// SPEC §13.2 preflight checks of issuers and signers (see onboard/x509/preflight.h).
#include "onboard/x509/preflight.h"

#include "ossl.h"

namespace onboard::x509 {
namespace {

bool is_root(const Certificate& c) { return c.self_signed() && c.signed_by(c); }

// basicConstraints CA:TRUE alone (Certificate::is_ca also wants keyCertSign when keyUsage is present).
bool basic_ca(const Certificate& c) { return (X509_get_extension_flags(c.raw()) & EXFLAG_CA) != 0; }

bool allows_crl_sign(const Certificate& c) { return (X509_get_key_usage(c.raw()) & KU_CRL_SIGN) != 0; }

std::string profile_default_words(Profile p) {
  switch (p) {
    case Profile::root_ca: return "the root-ca default validity (25 years)";
    case Profile::issuing_ca: return "the issuing-ca default validity (15 years)";
    case Profile::ticket_signer: return "the ticket-signer default validity (5 years)";
    case Profile::tsa: return "the tsa default validity (10 years)";
    default: return "the default validity";
  }
}

constexpr const char* kChainFix = "give --chain with every issuer up to the root";

}  // namespace

std::string describe(const Certificate& cert, const CertSource& src) {
  std::string out = src.flag;
  if (!src.path.empty()) out += (out.empty() ? "" : " ") + src.path;
  return out + " (" + cert.subject() + ")";
}

Status check_valid_now(const Certificate& cert, const CertSource& src, UnixTime now) {
  if (cert.not_after() < now)
    return fail(Errc::expired, describe(cert, src) + " expired on " + format_time(cert.not_after()) + ": renew the " +
                                   src.role + " or use a valid " + src.flag);
  if (cert.not_before() > now)
    return fail(Errc::expired, describe(cert, src) + " is not valid before " + format_time(cert.not_before()) +
                                   ": wait until then or use a " + src.flag + " that is valid now");
  return {};
}

Status check_can_issue_certificates(const Certificate& issuer, const CertSource& src) {
  if (!basic_ca(issuer))
    return fail(Errc::malformed, describe(issuer, src) + " is not a CA (no basicConstraints CA:TRUE): give the issuing "
                                                        "CA's certificate as " + src.flag);
  if (!issuer.allows_cert_sign())
    return fail(Errc::malformed, describe(issuer, src) + " lacks keyUsage keyCertSign, so it cannot issue certificates: "
                                                        "give a CA certificate with keyCertSign as " + src.flag);
  return {};
}

Status check_can_issue_crls(const Certificate& issuer, const CertSource& src) {
  if (!basic_ca(issuer))
    return fail(Errc::malformed, describe(issuer, src) + " is not a CA (no basicConstraints CA:TRUE): give the CA "
                                                        "whose revocations this CRL lists as " + src.flag);
  if (!allows_crl_sign(issuer))
    return fail(Errc::malformed, describe(issuer, src) + " lacks keyUsage cRLSign, so it cannot issue CRLs: give a CA "
                                                        "certificate with cRLSign as " + src.flag);
  return {};
}

std::optional<long> path_length_constraint(const Certificate& cert) {
  long n = X509_get_pathlen(cert.raw());
  if (n < 0) return std::nullopt;
  return n;
}

Status check_path_length(const std::vector<Certificate>& cas, const std::vector<CertSource>& sources, bool new_is_ca) {
  for (std::size_t k = 0; k < cas.size(); ++k) {
    auto limit = path_length_constraint(cas[k]);
    if (!limit) continue;
    long below = static_cast<long>(k) + (new_is_ca ? 1 : 0);  // CAs under it, not counting the end entity
    if (below <= *limit) continue;
    const CertSource& src = sources[std::min(k, sources.size() - 1)];
    std::string what = new_is_ca ? "a new CA " + std::string(k == 0 ? "directly below it" : "this deep below it")
                                 : "the " + std::to_string(k) + " CA(s) below it in the chain";
    return fail(Errc::malformed, describe(cas[k], src) + " has pathLenConstraint " + std::to_string(*limit) +
                                     ", which forbids " + what +
                                     ": issue from a CA whose pathLenConstraint allows it, or issue an end entity");
  }
  return {};
}

Expected<NotAfter> fit_not_after(const Certificate& issuer, const CertSource& src, Profile profile, UnixTime not_after,
                                 const std::string& requested_flag) {
  bool devid = profile == Profile::idevid || profile == Profile::ldevid || profile == Profile::iak;
  if (devid && not_after == kNoExpiry) return NotAfter{not_after, ""};  // 802.1AR: may outlive the CA
  const UnixTime limit = issuer.not_after();
  if (not_after <= limit) return NotAfter{not_after, ""};
  if (!requested_flag.empty())
    return fail(Errc::malformed, requested_flag + " asks for notAfter " + format_time(not_after) + ", after " +
                                     describe(issuer, src) + " expires on " + format_time(limit) +
                                     ": give a " + requested_flag + " that ends no later than " + format_time(limit));
  return NotAfter{limit, profile_default_words(profile) + " would outlive " + describe(issuer, src) +
                             ": notAfter clamped to its expiry, " + format_time(limit)};
}

Status check_chain_links(const Certificate& child, const std::vector<Certificate>& chain, const CertSource& chain_src) {
  const Certificate* below = &child;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const Certificate& c = chain[i];
    std::string where = chain_src.flag + " " + chain_src.path + ": certificate " + std::to_string(i + 1) + " (" +
                        c.subject() + ")";
    if (!below->signed_by(c))
      return fail(Errc::malformed, where + " did not issue " + below->subject() + " (issuers go nearest first)");
    if (!c.is_ca() || !c.allows_cert_sign())
      return fail(Errc::malformed, where + " is not a CA with keyCertSign");
    below = &c;
  }
  return {};
}

Status check_certificate_issuer(const Certificate& issuer, const CertSource& src, const std::vector<Certificate>& chain,
                                const CertSource& chain_src, UnixTime now, bool new_is_ca) {
  if (auto ok = check_valid_now(issuer, src, now); !ok) return ok;
  for (const auto& c : chain)
    if (auto ok = check_valid_now(c, chain_src, now); !ok) return ok;
  if (auto ok = check_can_issue_certificates(issuer, src); !ok) return ok;
  if (1 + chain.size() > kMaxChainLength)
    return fail(Errc::malformed, chain_src.flag + " " + chain_src.path + ": a chain of " +
                                     std::to_string(1 + chain.size()) + " CA certificates is longer than the limit of " +
                                     std::to_string(kMaxChainLength));
  if (auto ok = check_chain_links(issuer, chain, chain_src); !ok) return ok;
  std::vector<Certificate> cas{issuer};
  cas.insert(cas.end(), chain.begin(), chain.end());
  std::vector<CertSource> sources{src};
  for (std::size_t i = 0; i < chain.size(); ++i) sources.push_back(chain_src);
  return check_path_length(cas, sources, new_is_ca);
}

Status check_crl_issuer(const Certificate& issuer, const CertSource& src, UnixTime now) {
  if (auto ok = check_valid_now(issuer, src, now); !ok) return ok;
  return check_can_issue_crls(issuer, src);
}

Status check_ticket_signer(const Certificate& signer, const CertSource& src, const std::vector<Certificate>& chain,
                           const CertSource& chain_src, UnixTime now, std::size_t max_x5c) {
  if (basic_ca(signer))
    return fail(Errc::malformed, describe(signer, src) + " is a CA certificate: tickets are signed with an end-entity "
                                                        "certificate (create-authority --profile ticket-signer)");
  if (!signer.allows_digital_signature())
    return fail(Errc::malformed, describe(signer, src) + " lacks keyUsage digitalSignature: give a ticket-signer "
                                                        "certificate (create-authority --profile ticket-signer) as " +
                                     src.flag);
  if (auto ok = check_valid_now(signer, src, now); !ok) return ok;
  if (chain.empty()) {
    if (is_root(signer)) return {};  // self-signed: x5c = [signer] already holds "all of its issuers"
    return fail(Errc::malformed, describe(signer, src) + " is issued by " + signer.issuer() + ": " + kChainFix +
                                     " (Part 21 §8.1: x5c holds the signing certificate and all of its issuers)");
  }
  if (1 + chain.size() > max_x5c)
    return fail(Errc::malformed, chain_src.flag + " " + chain_src.path + ": x5c would hold " +
                                     std::to_string(1 + chain.size()) + " certificates, more than the limit of " +
                                     std::to_string(max_x5c));
  if (auto ok = check_chain_links(signer, chain, chain_src); !ok)
    return fail(Errc::malformed, ok.error().message + ": " + kChainFix);
  if (!is_root(chain.back()))
    return fail(Errc::malformed, chain_src.flag + " " + chain_src.path + " ends with " + chain.back().subject() +
                                     ", which is not a self-signed root (its issuer is " + chain.back().issuer() +
                                     "): " + kChainFix);
  for (const auto& c : chain)
    if (auto ok = check_valid_now(c, chain_src, now); !ok) return ok;
  std::vector<CertSource> sources(chain.size(), chain_src);
  return check_path_length(chain, sources, false);
}

std::vector<std::string> revocation_info_warnings(const Certificate& signer, const std::vector<Certificate>& chain) {
  std::vector<std::string> out;
  auto check = [&](const Certificate& c) {
    if (is_root(c) || c.has_revocation_pointer()) return;
    out.push_back(c.subject() + " has neither cRLDistributionPoints nor authorityInfoAccess: verifiers cannot check "
                                "its revocation (Part 21 §6.1 asks for one; create-authority --crl-url)");
  };
  check(signer);
  for (const auto& c : chain) check(c);
  return out;
}

Status check_not_already_signed(const Certificate& signer, const CertSource& src,
                                const std::vector<Certificate>& existing_signers, const std::string& ticket_name) {
  const Bytes der = signer.der();
  for (std::size_t i = 0; i < existing_signers.size(); ++i)
    if (existing_signers[i].der() == der)
      return fail(Errc::malformed, ticket_name + ": signature #" + std::to_string(i) + " is already by " +
                                       describe(signer, src) +
                                       "; a second one adds nothing: countersign with another certificate as " + src.flag);
  return {};
}

}  // namespace onboard::x509
