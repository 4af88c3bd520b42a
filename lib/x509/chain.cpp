// Chain building and checking with OpenSSL's verifier, at a given time.
#include "ossl.h"
#include "onboard/x509/x509.h"

namespace onboard::x509 {

ChainResult verify_chain(const Certificate& leaf, const std::vector<Certificate>& untrusted,
                         const std::vector<Certificate>& anchors, UnixTime at, bool partial,
                         bool check_time) {
  ChainResult result;
  ossl::Ptr<X509_STORE> store(X509_STORE_new());
  for (const auto& a : anchors) X509_STORE_add_cert(store.get(), a.raw());
  ossl::Ptr<STACK_OF(X509)> chain(sk_X509_new_null());
  for (const auto& c : untrusted) {
    X509_up_ref(c.raw());
    sk_X509_push(chain.get(), c.raw());
  }
  ossl::Ptr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.raw(), chain.get()) != 1) {
    result.code = Errc::internal;
    result.reason = ossl::error("X509_STORE_CTX_init").message;
    return result;
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // set_time turns on X509_V_FLAG_USE_CHECK_TIME, which OpenSSL honours before NO_CHECK_TIME.
  if (check_time) X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at));
  unsigned long flags = X509_V_FLAG_X509_STRICT;
  if (partial) flags |= X509_V_FLAG_PARTIAL_CHAIN;
  if (!check_time) flags |= X509_V_FLAG_NO_CHECK_TIME;
  X509_VERIFY_PARAM_set_flags(param, flags);
  int ok = X509_verify_cert(ctx.get());
  ossl::clear_errors();
  if (STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get())) {
    for (int i = 0; i < sk_X509_num(built); ++i) {
      auto c = Certificate::parse_der(ossl::cert_to_der(sk_X509_value(built, i)));
      if (c) result.chain.push_back(std::move(*c));
    }
  }
  if (ok == 1) return result;
  int err = X509_STORE_CTX_get_error(ctx.get());
  result.reason = X509_verify_cert_error_string(err);
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
      result.code = Errc::expired;
      break;
    case X509_V_ERR_CERT_REVOKED:
      result.code = Errc::revoked;
      break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      result.code = Errc::untrusted;
      break;
    default:
      result.code = Errc::verify_failed;
  }
  return result;
}

}  // namespace onboard::x509
