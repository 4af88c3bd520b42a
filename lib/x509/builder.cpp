// Certificate profiles of SPEC §3 and the one function that issues them.
#include <openssl/rand.h>

#include "ossl.h"
#include "onboard/x509/x509.h"
#include "signing.h"

namespace onboard::x509 {
namespace {

using ossl::Ptr;

Status add_ext(X509* x, int nid, void* value, bool critical, const char* what) {
  if (X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1)
    return ossl::fail(std::string("adding ") + what);
  return {};
}

Status add_basic_constraints(X509* x, bool ca, int pathlen) {
  Ptr<BASIC_CONSTRAINTS> bc(BASIC_CONSTRAINTS_new());
  bc->ca = ca ? 0xFF : 0;
  if (ca && pathlen >= 0) {
    bc->pathlen = ASN1_INTEGER_new();
    ASN1_INTEGER_set(bc->pathlen, pathlen);
  }
  // RFC 5280: critical in CA certificates; Part 21 end-entity certificates carry CA:false too.
  return add_ext(x, NID_basic_constraints, bc.get(), ca, "basicConstraints");
}

Status add_key_usage(X509* x, std::initializer_list<int> bits) {
  Ptr<ASN1_STRING> ku(ASN1_BIT_STRING_new());
  for (int bit : bits) ASN1_BIT_STRING_set_bit(ku.get(), bit, 1);
  return add_ext(x, NID_key_usage, ku.get(), true, "keyUsage");
}

// TCG Keys for Device Identity §8: an IAK certificate names tcg-kp-AIKCertificate.
Status add_eku_oid(X509* x, const char* oid) {
  Ptr<EXTENDED_KEY_USAGE> eku(sk_ASN1_OBJECT_new_null());
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  if (!obj || sk_ASN1_OBJECT_push(eku.get(), obj) <= 0) return ossl::fail("extendedKeyUsage OID");
  return add_ext(x, NID_ext_key_usage, eku.get(), false, "extendedKeyUsage");
}

Status add_policies(X509* x, const std::vector<std::string>& oids) {
  if (oids.empty()) return {};
  Ptr<CERTIFICATEPOLICIES> cp(sk_POLICYINFO_new_null());
  for (const auto& oid : oids) {
    POLICYINFO* pi = POLICYINFO_new();
    if (pi) pi->policyid = OBJ_txt2obj(oid.c_str(), 1);
    if (!pi || !pi->policyid || sk_POLICYINFO_push(cp.get(), pi) <= 0) {
      POLICYINFO_free(pi);
      return fail(Errc::usage, "certificatePolicies: invalid OID " + oid);
    }
  }
  return add_ext(x, NID_certificate_policies, cp.get(), false, "certificatePolicies");
}

Status add_eku(X509* x) {
  Ptr<EXTENDED_KEY_USAGE> eku(sk_ASN1_OBJECT_new_null());
  sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_server_auth));
  sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_client_auth));
  return add_ext(x, NID_ext_key_usage, eku.get(), false, "extendedKeyUsage");
}

// RFC 3161 §2.3: the TSA's certificate has exactly one extendedKeyUsage, timeStamping, critical.
Status add_timestamping_eku(X509* x) {
  Ptr<EXTENDED_KEY_USAGE> eku(sk_ASN1_OBJECT_new_null());
  sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_time_stamp));
  return add_ext(x, NID_ext_key_usage, eku.get(), true, "extendedKeyUsage");
}

Bytes key_id(X509* x) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_pubkey_digest(x, EVP_sha1(), md, &len);  // RFC 5280 §4.2.1.2 method (1)
  return Bytes(md, md + len);
}

Status add_ski(X509* x) {
  Bytes id = key_id(x);
  Ptr<ASN1_OCTET_STRING> os(ASN1_OCTET_STRING_new());
  ASN1_OCTET_STRING_set(os.get(), id.data(), static_cast<int>(id.size()));
  return add_ext(x, NID_subject_key_identifier, os.get(), false, "subjectKeyIdentifier");
}

Status add_aki(X509* x, X509* issuer) {
  Ptr<AUTHORITY_KEYID> aki(AUTHORITY_KEYID_new());
  aki->keyid = ASN1_OCTET_STRING_new();
  // A self-signed certificate's extension cache must not be computed before it is complete.
  const ASN1_OCTET_STRING* skid = issuer == x ? nullptr : X509_get0_subject_key_id(issuer);
  if (skid) {
    ASN1_OCTET_STRING_set(aki->keyid, ASN1_STRING_get0_data(skid), ASN1_STRING_length(skid));
  } else {
    Bytes id = key_id(issuer);
    ASN1_OCTET_STRING_set(aki->keyid, id.data(), static_cast<int>(id.size()));
  }
  return add_ext(x, NID_authority_key_identifier, aki.get(), false, "authorityKeyIdentifier");
}

// otherName hardwareModuleName ::= SEQUENCE { hwType OBJECT IDENTIFIER, hwSerialNum OCTET STRING }
Expected<GENERAL_NAME*> hardware_module_name(const HardwareModuleName& hw) {
  Ptr<ASN1_OBJECT> type(OBJ_txt2obj(hw.hw_type_oid.c_str(), 1));
  if (!type) return fail(Errc::usage, "hardwareModuleName: invalid hwType OID " + hw.hw_type_oid);
  Bytes type_der = ossl::to_der(i2d_ASN1_OBJECT, type.get());
  Ptr<ASN1_OCTET_STRING> serial(ASN1_OCTET_STRING_new());
  ASN1_OCTET_STRING_set(serial.get(), hw.hw_serial.data(), static_cast<int>(hw.hw_serial.size()));
  Bytes serial_der = ossl::to_der(i2d_ASN1_OCTET_STRING, serial.get());
  Bytes body = type_der;
  body.insert(body.end(), serial_der.begin(), serial_der.end());
  Bytes seq{0x30};
  if (body.size() < 128) {
    seq.push_back(static_cast<std::uint8_t>(body.size()));
  } else {
    seq.push_back(0x82);
    seq.push_back(static_cast<std::uint8_t>(body.size() >> 8));
    seq.push_back(static_cast<std::uint8_t>(body.size()));
  }
  seq.insert(seq.end(), body.begin(), body.end());
  ASN1_STRING* seq_str = ASN1_STRING_new();
  ASN1_STRING_set(seq_str, seq.data(), static_cast<int>(seq.size()));
  ASN1_TYPE* value = ASN1_TYPE_new();
  ASN1_TYPE_set(value, V_ASN1_SEQUENCE, seq_str);
  GENERAL_NAME* gn = GENERAL_NAME_new();
  if (GENERAL_NAME_set0_othername(gn, OBJ_txt2obj("1.3.6.1.5.5.7.8.4", 1), value) != 1) {
    GENERAL_NAME_free(gn);
    return ossl::fail("hardwareModuleName");
  }
  return gn;
}

// Built by hand, not from a config string: URIs may contain commas (notes/deps.md §1.1).
Status add_san(X509* x, const CertSpec& spec) {
  Ptr<GENERAL_NAMES> names(sk_GENERAL_NAME_new_null());
  for (const auto& uri : spec.san_uris) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    ASN1_STRING_set(ia5, uri.data(), static_cast<int>(uri.size()));
    GENERAL_NAME_set0_value(gn, GEN_URI, ia5);
    sk_GENERAL_NAME_push(names.get(), gn);
  }
  if (spec.hardware_module_name) {
    auto gn = hardware_module_name(*spec.hardware_module_name);
    if (!gn) return fail(std::move(gn.error()));
    sk_GENERAL_NAME_push(names.get(), *gn);
  }
  if (sk_GENERAL_NAME_num(names.get()) == 0) return {};
  // RFC 5280 §4.2.1.6: critical when the subject is empty.
  bool critical = X509_NAME_entry_count(X509_get_subject_name(x)) == 0;
  return add_ext(x, NID_subject_alt_name, names.get(), critical, "subjectAltName");
}

Status add_urls(X509* x, const CertSpec& spec) {
  for (const auto& u : spec.crl_urls) {
    if (u.find(',') != std::string::npos) return fail(Errc::usage, "CRL URL must not contain a comma: " + u);
    std::string value = "URI:" + u;
    Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, nullptr, NID_crl_distribution_points, value.c_str()));
    if (!ext || X509_add_ext(x, ext.get(), -1) != 1) return ossl::fail("adding cRLDistributionPoints", Errc::usage);
  }
  if (!spec.ocsp_urls.empty()) {
    std::string value;
    for (const auto& u : spec.ocsp_urls) {
      if (u.find(',') != std::string::npos) return fail(Errc::usage, "OCSP URL must not contain a comma: " + u);
      value += (value.empty() ? "" : ",") + std::string("OCSP;URI:") + u;
    }
    Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, nullptr, NID_info_access, value.c_str()));
    if (!ext || X509_add_ext(x, ext.get(), -1) != 1) return ossl::fail("adding authorityInfoAccess", Errc::usage);
  }
  return {};
}

// Sets the subject public key from SPKI DER without decoding the key: OpenSSL 3.0's decoders
// cost more than signing. Callers pass keys that were decoded already (a Signer, a verified CSR,
// a certificate); the algorithm is still checked here.
Status set_spki(X509* x, ByteView spki, bool& rsa) {
  const unsigned char* p = spki.data();
  long len = 0;
  int tag = 0, cls = 0;
  int r = ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(spki.size()));
  if ((r & 0x80) || tag != V_ASN1_SEQUENCE || p + len != spki.data() + spki.size())
    return fail(Errc::malformed, "subject public key is not a SubjectPublicKeyInfo");
  const unsigned char* end = p + len;
  Ptr<X509_ALGOR> alg(d2i_X509_ALGOR(nullptr, &p, end - p));
  Ptr<ASN1_STRING> bits(alg ? d2i_ASN1_BIT_STRING(nullptr, &p, end - p) : nullptr);
  if (!alg || !bits || p != end) {
    ossl::clear_errors();
    return fail(Errc::malformed, "subject public key is not a SubjectPublicKeyInfo");
  }
  const ASN1_OBJECT* obj = nullptr;
  int ptype = 0;
  const void* pval = nullptr;
  X509_ALGOR_get0(&obj, &ptype, &pval, alg.get());
  int nid = OBJ_obj2nid(obj);
  if (nid != NID_X9_62_id_ecPublicKey && nid != NID_rsaEncryption && nid != NID_ED25519)
    return fail(Errc::malformed, "subject public key algorithm is not EC, RSA or Ed25519");
  // RFC 5480 §2.1.1: in PKIX an EC key names its curve; implicitCurve (NULL) and specifiedCurve
  // (explicit parameters) MUST NOT be used, and OpenSSL would otherwise carry them in as given.
  if (nid == NID_X9_62_id_ecPublicKey && ptype != V_ASN1_OBJECT)
    return fail(Errc::malformed, "subject public key does not name its EC curve (explicit or implicitCA parameters); "
                                 "RFC 5480 allows only a named curve (P-256, P-384)");
  rsa = nid == NID_rsaEncryption;
  // The parameters left: the curve's OID, or none (rsaEncryption's NULL, Ed25519's absent).
  void* param = ptype == V_ASN1_OBJECT ? OBJ_dup(static_cast<const ASN1_OBJECT*>(pval)) : nullptr;
  unsigned char* enc = static_cast<unsigned char*>(OPENSSL_memdup(ASN1_STRING_get0_data(bits.get()), ASN1_STRING_length(bits.get())));
  if (X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), OBJ_dup(obj), ptype, param, enc, ASN1_STRING_length(bits.get())) != 1)
    return ossl::fail("setting the subject public key");
  return {};
}

Expected<Ptr<X509_NAME>> subject_name(const CertSpec& spec) {
  if (!spec.subject_der.empty()) {
    const unsigned char* p = spec.subject_der.data();
    Ptr<X509_NAME> copy(d2i_X509_NAME(nullptr, &p, static_cast<long>(spec.subject_der.size())));
    if (!copy) return ossl::fail("subject name", Errc::malformed);
    return copy;
  }
  bool devid = spec.profile == Profile::idevid || spec.profile == Profile::ldevid || spec.profile == Profile::iak;
  if (!devid || !spec.subject.empty()) return ossl::parse_name(spec.subject);
  Ptr<X509_NAME> name(X509_NAME_new());
  auto add = [&](const char* type, const std::string& v) {
    if (v.empty()) return true;
    return X509_NAME_add_entry_by_txt(name.get(), type, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(v.data()),
                                      static_cast<int>(v.size()), -1, 0) == 1;
  };
  if (!add("O", spec.manufacturer) || !add("CN", spec.model) || !add("serialNumber", spec.serial_number))
    return ossl::fail("subject name", Errc::usage);
  return name;
}

Status set_serial(X509* x) {
  unsigned char buf[16];
  if (RAND_bytes(buf, sizeof buf) != 1) return ossl::fail("RAND_bytes");
  buf[0] &= 0x7f;  // positive (SPEC §3)
  if (buf[0] == 0) buf[0] = 0x01;  // keep 16 bytes: no leading zero octet to strip
  Ptr<BIGNUM> bn(BN_bin2bn(buf, sizeof buf, nullptr));
  Ptr<ASN1_INTEGER> serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial || X509_set_serialNumber(x, serial.get()) != 1) return ossl::fail("setting serial number");
  return {};
}

Status add_profile_extensions(X509* x, X509* issuer, const CertSpec& spec, bool rsa) {
  Status s;
  switch (spec.profile) {
    case Profile::root_ca:
    case Profile::issuing_ca:
      if (!(s = add_basic_constraints(x, true, spec.profile == Profile::issuing_ca ? 0 : -1))) return s;
      if (!(s = add_key_usage(x, {5, 6}))) return s;  // keyCertSign, cRLSign
      if (!(s = add_ski(x))) return s;
      break;
    case Profile::ticket_signer:
      if (!(s = add_basic_constraints(x, false, -1))) return s;
      if (!(s = add_key_usage(x, {0}))) return s;  // digitalSignature
      if (!(s = add_ski(x))) return s;
      break;
    case Profile::tsa:
      if (!(s = add_basic_constraints(x, false, -1))) return s;
      if (!(s = add_key_usage(x, {0}))) return s;  // digitalSignature
      if (!(s = add_timestamping_eku(x))) return s;
      if (!(s = add_ski(x))) return s;
      break;
    case Profile::idevid:
    case Profile::ldevid:
      if (!(s = add_basic_constraints(x, false, -1))) return s;
      if (rsa ? !(s = add_key_usage(x, {0, 2})) : !(s = add_key_usage(x, {0}))) return s;
      if (!(s = add_eku(x))) return s;
      if (spec.add_ski && !(s = add_ski(x))) return s;
      if (!(s = add_san(x, spec))) return s;
      if (!(s = add_policies(x, spec.policy_oids))) return s;
      break;
    case Profile::iak: {
      // A restricted signing key: it signs TPM-made structures only, never decrypts (no
      // keyEncipherment even for RSA), and is no TLS identity (no serverAuth/clientAuth).
      if (!spec.hardware_module_name) return fail(Errc::usage, "an IAK certificate needs the hardwareModuleName");
      if (!(s = add_basic_constraints(x, false, -1))) return s;
      if (!(s = add_key_usage(x, {0}))) return s;
      if (!(s = add_eku_oid(x, kOidTcgKpAikCertificate))) return s;
      if (spec.add_ski && !(s = add_ski(x))) return s;
      if (!(s = add_san(x, spec))) return s;
      std::vector<std::string> policies{kOidVerifiedTpmResidency, kOidVerifiedTpmRestricted};
      for (const auto& p : spec.policy_oids)
        if (p != kOidVerifiedTpmResidency && p != kOidVerifiedTpmRestricted) policies.push_back(p);
      if (!(s = add_policies(x, policies))) return s;
      break;
    }
  }
  if (!(s = add_aki(x, issuer))) return s;  // a root names itself
  return add_urls(x, spec);
}

// Whether `spki` (DER) is the key of `cert` though the encodings differ (parameters spelled
// another way): compares the decoded keys.
bool same_key(ByteView spki, const Certificate& cert) {
  auto mine = keys::parse_public_key(spki);
  EVP_PKEY* theirs = X509_get0_pubkey(cert.raw());
  bool same = mine && theirs && EVP_PKEY_eq(mine->get(), theirs) == 1;
  ossl::clear_errors();
  return same;
}

}  // namespace

Expected<Profile> parse_profile(std::string_view name) {
  if (name == "root-ca") return Profile::root_ca;
  if (name == "issuing-ca") return Profile::issuing_ca;
  if (name == "ticket-signer") return Profile::ticket_signer;
  if (name == "idevid") return Profile::idevid;
  if (name == "ldevid") return Profile::ldevid;
  if (name == "tsa") return Profile::tsa;
  return fail(Errc::usage, "unknown profile '" + std::string(name) + "' (root-ca, issuing-ca, ticket-signer, tsa)");
}

std::string profile_name(Profile p) {
  switch (p) {
    case Profile::root_ca: return "root-ca";
    case Profile::issuing_ca: return "issuing-ca";
    case Profile::ticket_signer: return "ticket-signer";
    case Profile::idevid: return "idevid";
    case Profile::ldevid: return "ldevid";
    case Profile::tsa: return "tsa";
    case Profile::iak: return "iak";
  }
  return "?";
}

UnixTime default_not_after(Profile p, UnixTime now) {
  constexpr UnixTime kYear = 31556952;  // 365.2425 days
  switch (p) {
    case Profile::root_ca: return now + 25 * kYear;
    case Profile::issuing_ca: return now + 15 * kYear;
    case Profile::ticket_signer: return now + 5 * kYear;
    case Profile::tsa: return now + 10 * kYear;
    default: return kNoExpiry;
  }
}

Expected<Certificate> issue(const CertSpec& spec, ByteView subject_public_key, const Certificate* issuer,
                            const keys::Signer& issuer_key) {
  if (!issuer && spec.profile != Profile::root_ca)
    return fail(Errc::usage, "only a root-ca is self-signed; give --issuer-cert and --issuer-key");
  if (issuer && (!issuer->is_ca() || !issuer->allows_cert_sign()))
    return fail(Errc::usage, "issuer certificate " + issuer->subject() + " is not a CA allowed to sign certificates");
  Bytes issuer_pub = issuer ? issuer->public_key_der() : Bytes(subject_public_key.begin(), subject_public_key.end());
  if (issuer_key.public_key_der() != issuer_pub && !(issuer && same_key(issuer_key.public_key_der(), *issuer)))
    return fail(Errc::key, issuer ? "the CA key " + issuer_key.description() + " does not match the CA certificate " +
                                        issuer->subject()
                                  : "internal: self-signed key mismatch");
  if (spec.not_after <= spec.not_before) return fail(Errc::usage, "notAfter must be later than notBefore");
  auto name = subject_name(spec);
  if (!name) return fail(std::move(name.error()));

  auto alg = detail::signature_algorithm(issuer_key);
  if (!alg) return fail(std::move(alg.error()));
  Ptr<X509> x(X509_new());
  Status s = set_serial(x.get());
  if (!s) return fail(std::move(s.error()));
  if (X509_set_version(x.get(), X509_VERSION_3) != 1 || X509_set_subject_name(x.get(), name->get()) != 1 ||
      X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer->raw()) : name->get()) != 1 ||
      !ASN1_TIME_set(X509_getm_notBefore(x.get()), spec.not_before) ||
      !ASN1_TIME_set(X509_getm_notAfter(x.get()), spec.not_after))
    return ossl::fail("building certificate");
  bool rsa = false;
  if (!(s = set_spki(x.get(), subject_public_key, rsa))) return fail(std::move(s.error()));
  if (!(s = add_profile_extensions(x.get(), issuer ? issuer->raw() : x.get(), spec, rsa))) return fail(std::move(s.error()));

  if (!(s = detail::sign_certificate(x.get(), issuer_key, *alg)))
    return fail(std::move(s.error()).context("signing the certificate with " + issuer_key.description()));
  // Verify before anyone sees it: catches a token that signed with another key.
  if (!issuer_key.output_checked()) {
    std::shared_ptr<EVP_PKEY> self_key;
    EVP_PKEY* verify_key = nullptr;
    if (issuer) {
      verify_key = X509_get0_pubkey(issuer->raw());
    } else if (auto k = keys::parse_public_key(issuer_pub)) {
      self_key = std::move(*k);
      verify_key = self_key.get();
    }
    if (!verify_key || X509_verify(x.get(), verify_key) != 1)
      return ossl::fail("verifying the new certificate's signature", Errc::key);
    issuer_key.set_output_checked();
  }
  // The SPKI was set without decoding: re-parse unless the caller only encodes the result.
  if (spec.encode_only) return Certificate::adopt(x.release());
  return Certificate::parse_der(ossl::cert_to_der(x.get()), "new certificate");
}

}  // namespace onboard::x509
