// Making CRLs (RFC 5280 §5, v2; publish-crl, SPEC §13.6): reason names, serial numbers as hex,
// and make_crl, which signs through keys::Signer like every certificate.
#include <cctype>

#include "crl_internal.h"
#include "ossl.h"
#include "signing.h"

namespace onboard::x509 {
namespace {

struct ReasonName {
  CrlReason reason;
  const char* name;
  bool offered;  ///< publish-crl --reason accepts it (SPEC §13.6)
};
constexpr ReasonName kReasons[] = {
    {CrlReason::unspecified, "unspecified", true},
    {CrlReason::key_compromise, "keyCompromise", true},
    {CrlReason::ca_compromise, "cACompromise", true},
    {CrlReason::affiliation_changed, "affiliationChanged", true},
    {CrlReason::superseded, "superseded", true},
    {CrlReason::cessation_of_operation, "cessationOfOperation", true},
    {CrlReason::certificate_hold, "certificateHold", false},
    {CrlReason::remove_from_crl, "removeFromCRL", false},
    {CrlReason::privilege_withdrawn, "privilegeWithdrawn", false},
    {CrlReason::aa_compromise, "aACompromise", false},
};

bool is_crl_issuer(const Certificate& c) {
  return (X509_get_extension_flags(c.raw()) & EXFLAG_CA) != 0 && (X509_get_key_usage(c.raw()) & KU_CRL_SIGN) != 0;
}

/// One revokedCertificates entry: serial, revocationDate, reasonCode (omitted for unspecified,
/// RFC 5280 §5.3.1: "the reason code unspecified SHOULD be absent"), invalidityDate.
Status add_entry(X509_CRL* crl, const CrlEntry& e) {
  auto serial = detail::serial_from_hex(e.serial);
  if (!serial || e.serial != detail::serial_to_hex(serial.get()))
    return fail(Errc::malformed, "CRL entry serial '" + e.serial + "' is not an upper-case hex serial number");
  X509_REVOKED* entry = X509_REVOKED_new();
  if (!entry) return ossl::fail("adding a revoked certificate to the CRL");
  ossl::Ptr<ASN1_STRING> date(ASN1_TIME_set(nullptr, e.revoked_at));
  bool ok = date && X509_REVOKED_set_serialNumber(entry, serial.get()) == 1 &&
            X509_REVOKED_set_revocationDate(entry, date.get()) == 1;
  if (ok && e.reason && *e.reason != CrlReason::unspecified) {
    ossl::Ptr<ASN1_STRING> code(ASN1_ENUMERATED_new());
    ok = code && ASN1_ENUMERATED_set(code.get(), static_cast<long>(*e.reason)) == 1 &&
         X509_REVOKED_add1_ext_i2d(entry, NID_crl_reason, code.get(), 0, X509V3_ADD_DEFAULT) == 1;
  }
  if (ok && e.invalidity_date) {
    ossl::Ptr<ASN1_STRING> when(ASN1_GENERALIZEDTIME_set(nullptr, *e.invalidity_date));
    ok = when && X509_REVOKED_add1_ext_i2d(entry, NID_invalidity_date, when.get(), 0, X509V3_ADD_DEFAULT) == 1;
  }
  if (!ok || X509_CRL_add0_revoked(crl, entry) != 1) {
    X509_REVOKED_free(entry);  // not yet owned by the CRL
    return ossl::fail("adding a revoked certificate to the CRL");
  }
  return {};
}

/// authorityKeyIdentifier (the issuer's SKI, else the SHA-1 of its key as RFC 5280 method 1).
Status add_aki(X509_CRL* crl, const Certificate& issuer) {
  ossl::Ptr<AUTHORITY_KEYID> aki(AUTHORITY_KEYID_new());
  if (!aki || !(aki->keyid = ASN1_OCTET_STRING_new())) return ossl::fail("building the CRL's authorityKeyIdentifier");
  if (const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(issuer.raw())) {
    ASN1_OCTET_STRING_set(aki->keyid, ASN1_STRING_get0_data(skid), ASN1_STRING_length(skid));
  } else {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_pubkey_digest(issuer.raw(), EVP_sha1(), md, &len);
    ASN1_OCTET_STRING_set(aki->keyid, md, static_cast<int>(len));
  }
  if (X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, aki.get(), 0, X509V3_ADD_DEFAULT) != 1)
    return ossl::fail("adding the CRL's authorityKeyIdentifier");
  return {};
}

}  // namespace

std::string crl_reason_name(CrlReason r) {
  for (const auto& n : kReasons)
    if (n.reason == r) return n.name;
  return "reason " + std::to_string(static_cast<int>(r));
}

Expected<CrlReason> parse_crl_reason(std::string_view name) {
  std::string offered;
  for (const auto& n : kReasons) {
    if (!n.offered) continue;
    if (name == n.name) return n.reason;
    offered += (offered.empty() ? "" : ", ") + std::string(n.name);
  }
  return fail(Errc::usage, "--reason '" + std::string(name) + "' is not one of " + offered);
}

Expected<std::string> parse_serial_hex(std::string_view text) {
  std::string_view t = text;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t.remove_prefix(2);
  std::string hex;
  bool sep_ok = false;  // ':' only between hex digits
  for (char c : t) {
    if (c == ':' && sep_ok) {
      sep_ok = false;
      continue;
    }
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      return fail(Errc::malformed, "serial '" + std::string(text) + "' is not hexadecimal (e.g. 7211E0ED or 72:11:e0:ed)");
    hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    sep_ok = true;
  }
  if (hex.empty() || !sep_ok)
    return fail(Errc::malformed, "serial '" + std::string(text) + "' is not hexadecimal (e.g. 7211E0ED or 72:11:e0:ed)");
  auto first = hex.find_first_not_of('0');
  if (first == std::string::npos)
    return fail(Errc::malformed, "serial '" + std::string(text) + "' is zero; certificate serial numbers are positive");
  hex.erase(0, first);
  if (hex.size() % 2) hex.insert(hex.begin(), '0');  // whole octets, as BN_bn2hex writes them
  // RFC 5280 §4.1.2.2: at most 20 octets, and the DER INTEGER of a positive number has a leading
  // 0 octet when the top bit is set, so 40 digits with a top bit set would need 21.
  if (hex.size() > 40 || (hex.size() == 40 && hex[0] >= '8'))
    return fail(Errc::malformed, "serial '" + std::string(text) + "' is longer than 20 octets (RFC 5280 §4.1.2.2)");
  return hex;
}

Expected<Crl> make_crl(const CrlSpec& spec, const Certificate& issuer, const keys::Signer& issuer_key) {
  if (!is_crl_issuer(issuer))
    return fail(Errc::usage, "issuer certificate " + issuer.subject() + " is not a CA allowed to sign CRLs");
  if (spec.next_update && *spec.next_update <= spec.this_update)
    return fail(Errc::usage, "the CRL's nextUpdate must be later than its thisUpdate");
  if (issuer_key.public_key_der() != issuer.public_key_der())
    return fail(Errc::key, "the CA key " + issuer_key.description() + " does not match the CA certificate " +
                               issuer.subject());
  auto alg = detail::signature_algorithm(issuer_key);
  if (!alg) return fail(std::move(alg.error()));

  // OpenSSL has no setter for TBSCertList.signature (the AlgorithmIdentifier inside the signed
  // part) of an unsigned CRL: start from a minimal CRL that carries keys' AlgorithmIdentifier there
  // (version 2, empty issuer, a placeholder thisUpdate), then fill in the real fields.
  Bytes skeleton_tbs = {0x02, 0x01, 0x01};
  skeleton_tbs.insert(skeleton_tbs.end(), alg->der.begin(), alg->der.end());
  for (std::uint8_t b : {0x30, 0x00}) skeleton_tbs.push_back(b);
  Bytes placeholder = detail::der_tlv(0x17, as_bytes("700101000000Z"));
  skeleton_tbs.insert(skeleton_tbs.end(), placeholder.begin(), placeholder.end());
  Bytes skeleton = detail::signed_der(detail::der_tlv(0x30, skeleton_tbs), alg->der, {});
  const unsigned char* p = skeleton.data();
  ossl::Ptr<X509_CRL> crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(skeleton.size())));
  if (!crl) return ossl::fail("building the CRL");
  ossl::Ptr<ASN1_STRING> this_update(ASN1_TIME_set(nullptr, spec.this_update));
  ossl::Ptr<ASN1_STRING> next_update(spec.next_update ? ASN1_TIME_set(nullptr, *spec.next_update) : nullptr);
  if (!this_update || (spec.next_update && !next_update) ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.raw())) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
      (next_update && X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1))
    return ossl::fail("building the CRL");
  for (const auto& [cert, when] : spec.revoked)
    if (auto ok = add_entry(crl.get(), CrlEntry{cert.serial_hex(), when, std::nullopt, std::nullopt}); !ok) return fail(ok.error());
  for (const auto& e : spec.entries)
    if (auto ok = add_entry(crl.get(), e); !ok) return fail(ok.error());
  if (auto ok = add_aki(crl.get(), issuer); !ok) return fail(ok.error());
  ossl::Ptr<ASN1_STRING> number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_uint64(number.get(), spec.number) != 1 || X509_CRL_sort(crl.get()) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT) != 1)
    return ossl::fail("adding the CRL's extensions");

  Bytes tbs = ossl::to_der(i2d_re_X509_CRL_tbs, crl.get());
  if (tbs.empty()) return ossl::fail("encoding the CRL");
  auto value = issuer_key.sign(tbs, alg->params);
  if (!value) return fail(std::move(value.error()).context("signing the CRL"));
  Bytes der = detail::signed_der(tbs, alg->der, *value);
  auto made = Crl::parse(std::string(der.begin(), der.end()), "new CRL");
  if (!made) return fail(Errc::internal, made.error().message);
  if (!made->signed_by(issuer))
    return fail(Errc::key, "the new CRL's signature does not verify with the public key of " + issuer.subject());
  return made;
}

}  // namespace onboard::x509
