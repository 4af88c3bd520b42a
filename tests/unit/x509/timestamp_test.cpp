// RFC 3161 tokens made in-process by OpenSSL's own responder (TS_RESP_create_response) and judged
// by x509::verify_timestamp_token: the TSA chain is built from the certificates the token carries,
// whatever their order.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>

#include <ctime>
#include <memory>

#include "ossl.h"
#include "pki.h"
#include "onboard/x509/timestamp.h"

using namespace onboard;
using namespace onboard::testing;

namespace {

template <class T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};
template <class T, void (*F)(T*)>
using Own = std::unique_ptr<T, Free<T, F>>;

struct Tsa {
  TestPki f;
  Party root = f.make(x509::Profile::root_ca, "/O=T/CN=TSA Root", nullptr);
  Party intermediate = f.make(x509::Profile::issuing_ca, "/O=T/CN=TSA CA", &root);
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  x509::Certificate cert = issue_tsa();

  x509::Certificate issue_tsa() {
    unsigned char* der = nullptr;
    int n = i2d_PUBKEY(key, &der);
    Bytes spki(der, der + n);
    OPENSSL_free(der);
    x509::CertSpec s;
    s.profile = x509::Profile::tsa;
    s.subject = "/O=T/CN=TSA";
    s.not_before = kT0;
    s.not_after = kT0 + 15 * kYear;
    auto c = x509::issue(s, spki, &intermediate.cert, *intermediate.key);
    if (!c) throw std::runtime_error(c.error().message);
    return *c;
  }
  ~Tsa() { EVP_PKEY_free(key); }

  /// A TimeStampToken over `data`, carrying the TSA certificate and the intermediate.
  Bytes token(ByteView data) {
    auto req = x509::make_timestamp_request(data);
    if (!req) throw std::runtime_error(req.error().message);
    Own<TS_RESP_CTX, TS_RESP_CTX_free> ctx(TS_RESP_CTX_new());
    TS_RESP_CTX_set_signer_cert(ctx.get(), cert.raw());
    TS_RESP_CTX_set_signer_key(ctx.get(), key);
    ossl::Ptr<ASN1_OBJECT> policy(OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1));
    TS_RESP_CTX_set_def_policy(ctx.get(), policy.get());
    TS_RESP_CTX_add_md(ctx.get(), EVP_sha256());  // the digests the responder accepts in a request
    STACK_OF(X509)* certs = sk_X509_new_null();
    sk_X509_push(certs, intermediate.cert.raw());
    TS_RESP_CTX_set_certs(ctx.get(), certs);
    sk_X509_free(certs);
    ossl::Ptr<BIO> in(BIO_new_mem_buf(req->der.data(), static_cast<int>(req->der.size())));
    Own<TS_RESP, TS_RESP_free> resp(TS_RESP_create_response(ctx.get(), in.get()));
    if (!resp || ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp.get()))) != 0)
      throw std::runtime_error("the responder did not grant the request");
    return ossl::to_der(i2d_PKCS7, TS_RESP_get_token(resp.get()));
  }
};

}  // namespace

TEST(Timestamp, IntermediateCarriedFirstInTheTokenStillChains) {
  Tsa tsa;
  const std::string data = "the signature's base64url value";
  Bytes issued = tsa.token(as_bytes(data));
  // RFC 5652 certificates is a SET: any order is valid, and another TSA may put the intermediate
  // first. Reorder them so (the signature does not cover this set) and check the premise.
  const unsigned char* p = issued.data();
  Own<PKCS7, PKCS7_free> p7(d2i_PKCS7(nullptr, &p, static_cast<long>(issued.size())));
  ASSERT_TRUE(p7);
  STACK_OF(X509)* carried = p7->d.sign->cert;
  ASSERT_EQ(sk_X509_num(carried), 2);
  if (X509_cmp(sk_X509_value(carried, 0), tsa.intermediate.cert.raw()) != 0) {
    X509* first = sk_X509_shift(carried);
    sk_X509_push(carried, first);
  }
  Bytes token = ossl::to_der(i2d_PKCS7, p7.get());
  p = token.data();
  Own<PKCS7, PKCS7_free> again(d2i_PKCS7(nullptr, &p, static_cast<long>(token.size())));
  ASSERT_TRUE(again);
  ASSERT_EQ(X509_cmp(sk_X509_value(again->d.sign->cert, 0), tsa.intermediate.cert.raw()), 0);

  UnixTime now = static_cast<UnixTime>(std::time(nullptr));
  auto check = x509::verify_timestamp_token(token, as_bytes(data), {tsa.root.cert}, now);
  EXPECT_EQ(check.verdict, x509::TimestampVerdict::trusted) << check.detail;
  ASSERT_EQ(check.info.chain.size(), 3u) << check.detail;
  EXPECT_EQ(check.info.policy_oid, "1.3.6.1.4.1.99999.1");
  // Over other data the token fails; under another anchor it is sound but not trusted.
  EXPECT_EQ(x509::verify_timestamp_token(token, as_bytes(std::string("other")), {tsa.root.cert}, now).verdict,
            x509::TimestampVerdict::failed);
  Tsa other;
  EXPECT_EQ(x509::verify_timestamp_token(token, as_bytes(data), {other.root.cert}, now).verdict,
            x509::TimestampVerdict::untrusted);
}
