// RFC 3161 time-stamp tokens (SPEC §13.6): the request, the checks on a reply before its token is
// embedded, and the verification of an embedded token against --tsa-anchor certificates.
#include "onboard/x509/timestamp.h"

#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "ossl.h"

namespace onboard::ossl {
template <>
struct Deleter<TS_REQ> {
  void operator()(TS_REQ* p) const { TS_REQ_free(p); }
};
template <>
struct Deleter<TS_RESP> {
  void operator()(TS_RESP* p) const { TS_RESP_free(p); }
};
template <>
struct Deleter<TS_MSG_IMPRINT> {
  void operator()(TS_MSG_IMPRINT* p) const { TS_MSG_IMPRINT_free(p); }
};
template <>
struct Deleter<TS_TST_INFO> {
  void operator()(TS_TST_INFO* p) const { TS_TST_INFO_free(p); }
};
template <>
struct Deleter<TS_VERIFY_CTX> {
  void operator()(TS_VERIFY_CTX* p) const { TS_VERIFY_CTX_free(p); }
};
template <>
struct Deleter<PKCS7> {
  void operator()(PKCS7* p) const { PKCS7_free(p); }
};
}  // namespace onboard::ossl

namespace onboard::x509 {
namespace {

tl::unexpected<Error> tsa_error(const std::string& why) { return fail(Errc::key, "TSA reply: " + why); }

Bytes integer_bytes(const ASN1_INTEGER* i) {
  ossl::Ptr<BIGNUM> bn(ASN1_INTEGER_to_BN(i, nullptr));
  if (!bn) return {};
  Bytes out(static_cast<std::size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

UnixTime to_unix(const ASN1_GENERALIZEDTIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<UnixTime>(timegm(&tm));
}

std::string oid_text(const ASN1_OBJECT* obj) {
  if (!obj) return "";
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(std::min<int>(n, sizeof buf - 1))) : "";
}

/// The imprint's hash algorithm and value; empty `md` when the algorithm is unknown.
struct Imprint {
  const EVP_MD* md = nullptr;
  std::string name;
  Bytes value;
};
Imprint read_imprint(TS_TST_INFO* info) {
  Imprint out;
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info);
  const ASN1_OBJECT* obj = nullptr;
  X509_ALGOR_get0(&obj, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
  int nid = OBJ_obj2nid(obj);
  out.md = EVP_get_digestbynid(nid);
  out.name = nid == NID_undef ? oid_text(obj) : OBJ_nid2sn(nid);
  ASN1_OCTET_STRING* msg = TS_MSG_IMPRINT_get_msg(imprint);
  out.value.assign(ASN1_STRING_get0_data(msg), ASN1_STRING_get0_data(msg) + ASN1_STRING_length(msg));
  return out;
}

Bytes digest(const EVP_MD* md, ByteView data) {
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1) return {};
  out.resize(len);
  return out;
}

/// The certificate that signed the token (from the token's own certificates).
ossl::Ptr<X509> token_signer(PKCS7* token) {
  STACK_OF(X509)* signers = PKCS7_get0_signers(token, nullptr, 0);
  if (!signers) return nullptr;
  ossl::Ptr<X509> out;
  if (sk_X509_num(signers) > 0) out = ossl::up_ref(sk_X509_value(signers, 0));
  sk_X509_free(signers);
  return out;
}

STACK_OF(X509)* token_certs(PKCS7* token) {
  return PKCS7_type_is_signed(token) && token->d.sign ? token->d.sign->cert : nullptr;
}

/// The CMS signature over the TSTInfo, with the certificate carried in the token, no chain.
bool signature_verifies(PKCS7* token) {
  ossl::Ptr<X509_STORE> empty(X509_STORE_new());
  int ok = PKCS7_verify(token, nullptr, empty.get(), nullptr, nullptr, PKCS7_NOVERIFY);
  return ok == 1;
}

/// RFC 3161 §2.3: the TSA certificate has EKU timeStamping only, marked critical.
bool has_timestamping_eku(X509* cert) {
  if (!(X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) || X509_get_extended_key_usage(cert) != XKU_TIMESTAMP)
    return false;
  int i = X509_get_ext_by_NID(cert, NID_ext_key_usage, -1);
  return i >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, i)) == 1;
}

/// OpenSSL's own token check (signature, ESS signing-certificate, chain with the timestamping
/// purpose) with `store` as the trusted certificates at time `at`.
Status openssl_token_check(PKCS7* token, ossl::Ptr<X509_STORE> store, UnixTime at) {
  X509_VERIFY_PARAM* param = X509_STORE_get0_param(store.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at));
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  ossl::Ptr<TS_VERIFY_CTX> ctx(TS_VERIFY_CTX_new());
  if (!ctx) return ossl::fail("TS_VERIFY_CTX_new");
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_SIGNATURE | TS_VFY_VERSION);
  TS_VERIFY_CTX_set_store(ctx.get(), store.release());  // the context owns the store
  if (TS_RESP_verify_token(ctx.get(), token) != 1) return ossl::fail("TS_RESP_verify_token", Errc::verify_failed);
  return {};
}

}  // namespace

Expected<TimestampRequest> make_timestamp_request(ByteView data) {
  TimestampRequest out;
  out.data.assign(data.begin(), data.end());
  Bytes hash = digest(EVP_sha256(), data);
  out.nonce.resize(8);
  if (hash.empty() || RAND_bytes(out.nonce.data(), static_cast<int>(out.nonce.size())) != 1)
    return ossl::fail("making the time-stamp request");
  out.nonce[0] = static_cast<std::uint8_t>((out.nonce[0] & 0x7f) | 0x01);  // positive, no leading zero
  ossl::Ptr<TS_REQ> req(TS_REQ_new());
  ossl::Ptr<TS_MSG_IMPRINT> imprint(TS_MSG_IMPRINT_new());
  ossl::Ptr<X509_ALGOR> algo(X509_ALGOR_new());
  ossl::Ptr<BIGNUM> bn(BN_bin2bn(out.nonce.data(), static_cast<int>(out.nonce.size()), nullptr));
  ossl::Ptr<ASN1_STRING> nonce(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!req || !imprint || !algo || !nonce ||
      X509_ALGOR_set0(algo.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) != 1 ||
      TS_MSG_IMPRINT_set_algo(imprint.get(), algo.get()) != 1 ||
      TS_MSG_IMPRINT_set_msg(imprint.get(), hash.data(), static_cast<int>(hash.size())) != 1 ||
      TS_REQ_set_version(req.get(), 1) != 1 || TS_REQ_set_msg_imprint(req.get(), imprint.get()) != 1 ||
      TS_REQ_set_nonce(req.get(), nonce.get()) != 1 || TS_REQ_set_cert_req(req.get(), 1) != 1)
    return ossl::fail("making the time-stamp request");
  out.der = ossl::to_der(i2d_TS_REQ, req.get());
  if (out.der.empty()) return ossl::fail("encoding the time-stamp request");
  return out;
}

Expected<Bytes> check_timestamp_reply(ByteView reply_der, const TimestampRequest& request) {
  const unsigned char* p = reply_der.data();
  ossl::Ptr<TS_RESP> resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(reply_der.size())));
  ossl::clear_errors();
  if (!resp) return tsa_error("not a DER TimeStampResp (RFC 3161 §2.4.2)");
  TS_STATUS_INFO* status = TS_RESP_get_status_info(resp.get());
  long code = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(status));
  if (code != 0 && code != 1) {
    std::string text;
    if (const auto* texts = TS_STATUS_INFO_get0_text(status))
      for (int i = 0; i < sk_ASN1_UTF8STRING_num(texts); ++i) {
        const ASN1_UTF8STRING* s = sk_ASN1_UTF8STRING_value(texts, i);
        text += (text.empty() ? "" : "; ") + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                                           static_cast<std::size_t>(ASN1_STRING_length(s)));
      }
    return tsa_error("the TSA refused the request (PKIStatus " + std::to_string(code) +
                     (text.empty() ? "" : ", \"" + text + "\"") + ")");
  }
  PKCS7* token = TS_RESP_get_token(resp.get());
  TS_TST_INFO* info = TS_RESP_get_tst_info(resp.get());
  if (!token || !info) return tsa_error("status granted but no TimeStampToken");
  const ASN1_INTEGER* nonce = TS_TST_INFO_get_nonce(info);
  if (!nonce || integer_bytes(nonce) != request.nonce)
    return tsa_error("the nonce does not match the request's (a replayed or foreign reply)");
  Imprint imprint = read_imprint(info);
  if (!imprint.md || imprint.value != digest(imprint.md, request.data))
    return tsa_error("the message imprint does not match the request's (a reply for other data)");
  ossl::Ptr<X509> signer = token_signer(token);
  ossl::clear_errors();
  if (!signer) return tsa_error("the token does not carry the TSA certificate (certReq was true)");
  if (!signature_verifies(token)) {
    ossl::clear_errors();
    return tsa_error("the token's signature does not verify with the TSA certificate it carries");
  }
  if (!has_timestamping_eku(signer.get()))
    return tsa_error("the TSA certificate lacks the critical extendedKeyUsage timeStamping (RFC 3161 §2.3)");
  ossl::Ptr<X509_STORE> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), signer.get());
  if (auto ok = openssl_token_check(token, std::move(store), static_cast<UnixTime>(std::time(nullptr))); !ok)
    return tsa_error(ok.error().message);
  Bytes der = ossl::to_der(i2d_PKCS7, token);
  if (der.empty()) return ossl::fail("encoding the TimeStampToken");
  return der;
}

TimestampCheck verify_timestamp_token(ByteView token_der, ByteView data, const std::vector<Certificate>& anchors,
                                      UnixTime at) {
  TimestampCheck out;
  const unsigned char* p = token_der.data();
  ossl::Ptr<PKCS7> token(d2i_PKCS7(nullptr, &p, static_cast<long>(token_der.size())));
  ossl::Ptr<TS_TST_INFO> info(token ? PKCS7_to_TS_TST_INFO(token.get()) : nullptr);
  ossl::clear_errors();
  if (!token || !info || p != token_der.data() + token_der.size()) {
    out.detail = "the token is not a DER TimeStampToken (RFC 3161 §2.4.2)";
    return out;
  }
  out.info.gen_time = to_unix(TS_TST_INFO_get_time(info.get()));
  out.info.policy_oid = oid_text(TS_TST_INFO_get_policy_id(info.get()));
  Imprint imprint = read_imprint(info.get());
  out.info.hash = imprint.name;
  ossl::Ptr<X509> signer = token_signer(token.get());
  ossl::clear_errors();
  if (signer) out.info.tsa_subject = Certificate::adopt(ossl::up_ref(signer.get()).release()).subject();
  if (!imprint.md) {
    out.detail = "the token's imprint uses an unknown hash algorithm " + imprint.name;
    return out;
  }
  if (imprint.value != digest(imprint.md, data)) {
    out.detail = "the token does not cover this signature: its " + imprint.name +
                 " imprint is not the hash of this signature's value (copied from another signature?)";
    return out;
  }
  if (!signer) {
    out.detail = "the token does not carry the TSA certificate";
    return out;
  }
  if (!signature_verifies(token.get())) {
    ossl::clear_errors();
    out.detail = "the token's signature does not verify with the TSA certificate it carries";
    return out;
  }
  out.verdict = TimestampVerdict::untrusted;
  if (!has_timestamping_eku(signer.get())) {
    out.detail = "TSA certificate " + out.info.tsa_subject + " lacks the critical extendedKeyUsage timeStamping";
    return out;
  }
  std::vector<Certificate> untrusted;
  if (STACK_OF(X509)* certs = token_certs(token.get()))
    for (int i = 0; i < sk_X509_num(certs); ++i)
      untrusted.push_back(Certificate::adopt(ossl::up_ref(sk_X509_value(certs, i)).release()));
  Certificate leaf = Certificate::adopt(ossl::up_ref(signer.get()).release());
  ChainResult chain = verify_chain(leaf, untrusted, anchors, at, true, true);
  if (chain.code != Errc::ok) {
    out.detail = "TSA " + out.info.tsa_subject + " does not chain to a --tsa-anchor at " + format_time(at) + " (" +
                 chain.reason + ")";
    return out;
  }
  ossl::Ptr<X509_STORE> store(X509_STORE_new());
  for (const auto& a : anchors) X509_STORE_add_cert(store.get(), a.raw());
  if (auto ok = openssl_token_check(token.get(), std::move(store), at); !ok) {
    out.verdict = TimestampVerdict::failed;
    out.detail = "the token does not verify: " + ok.error().message;
    return out;
  }
  out.verdict = TimestampVerdict::trusted;
  out.info.chain = std::move(chain.chain);
  out.detail = "timestamped at " + format_time(out.info.gen_time) + " by " + out.info.tsa_subject;
  return out;
}

}  // namespace onboard::x509
