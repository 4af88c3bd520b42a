// PKCS#10 requests: proof of possession is checked before anything is issued (SPEC §3).
#include <openssl/pem.h>

#include "ossl.h"
#include "onboard/x509/x509.h"
#include "signing.h"

namespace onboard::x509 {

Expected<VerifiedCsr> parse_csr(const std::string& text, const std::string& where) {
  ossl::Ptr<X509_REQ> req;
  if (text.find("-----BEGIN") != std::string::npos) {
    ossl::Ptr<BIO> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    req.reset(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  } else {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(text.data());
    req.reset(d2i_X509_REQ(nullptr, &p, static_cast<long>(text.size())));
  }
  if (!req) {
    ossl::clear_errors();
    return fail(Errc::malformed, where + ": not a PKCS#10 certificate request (PEM or DER)");
  }
  EVP_PKEY* pub = X509_REQ_get0_pubkey(req.get());
  if (!pub) {
    ossl::clear_errors();
    return fail(Errc::malformed, where + ": request has no usable public key");
  }
  if (X509_REQ_verify(req.get(), pub) != 1) {
    ossl::clear_errors();
    return fail(Errc::malformed, where + ": self-signature does not verify (no proof of possession)");
  }
  VerifiedCsr out;
  out.public_key = ossl::to_der(i2d_X509_PUBKEY, X509_REQ_get_X509_PUBKEY(req.get()));  // as sent, no encoder
  out.subject = ossl::name_to_string(X509_REQ_get_subject_name(req.get()));
  out.subject_der = ossl::to_der(i2d_X509_NAME, X509_REQ_get_subject_name(req.get()));
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req.get());
  if (exts) {
    int idx = X509v3_get_ext_by_NID(exts, NID_subject_alt_name, -1);
    if (idx >= 0) {
      ossl::Ptr<GENERAL_NAMES> names(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(X509v3_get_ext(exts, idx))));
      for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
        if (gn->type == GEN_URI)
          out.san_uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier)),
                                    static_cast<std::size_t>(ASN1_STRING_length(gn->d.uniformResourceIdentifier)));
      }
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  }
  ossl::clear_errors();
  return out;
}

Expected<VerifiedCsr> load_csr(const std::string& path) {
  auto text = read_file(path, 1 << 20);
  if (!text) return fail(std::move(text.error()));
  return parse_csr(*text, path);
}

Expected<std::string> make_csr_pem(const keys::Signer& key, const std::string& subject,
                                   const std::vector<std::string>& uris) {
  ossl::Ptr<X509_REQ> req(X509_REQ_new());
  auto name = ossl::parse_name(subject);
  if (!name) return fail(std::move(name.error()));
  auto pub = keys::parse_public_key(key.public_key_der());
  if (!pub) return fail(std::move(pub.error()));
  if (X509_REQ_set_version(req.get(), 0) != 1 || X509_REQ_set_subject_name(req.get(), name->get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), pub->get()) != 1)
    return ossl::fail("building the request");
  if (!uris.empty()) {
    ossl::Ptr<GENERAL_NAMES> names(sk_GENERAL_NAME_new_null());
    for (const auto& u : uris) {
      GENERAL_NAME* gn = GENERAL_NAME_new();
      ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
      ASN1_STRING_set(ia5, u.data(), static_cast<int>(u.size()));
      GENERAL_NAME_set0_value(gn, GEN_URI, ia5);
      sk_GENERAL_NAME_push(names.get(), gn);
    }
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION* ext = X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get());
    sk_X509_EXTENSION_push(exts, ext);
    int ok = X509_REQ_add_extensions(req.get(), exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    if (ok != 1) return ossl::fail("adding subjectAltName to the request");
  }
  // Signed as x509::issue signs: keys picks the algorithm, the Signer signs the DER
  // CertificationRequestInfo, and the result is checked with the public key before it is written.
  auto alg = detail::signature_algorithm(key);
  if (!alg) return fail(std::move(alg.error()));
  if (X509_REQ_set1_signature_algo(req.get(), alg->algor.get()) != 1) return ossl::fail("setting the signature algorithm");
  Bytes info = ossl::to_der(i2d_re_X509_REQ_tbs, req.get());
  if (info.empty()) return ossl::fail("encoding the request");
  auto value = key.sign(info, alg->params);
  if (!value) return fail(std::move(value.error()).context("signing the request"));
  ossl::Ptr<ASN1_STRING> bits(ASN1_BIT_STRING_new());
  if (!bits || ASN1_BIT_STRING_set(bits.get(), value->data(), static_cast<int>(value->size())) != 1)
    return ossl::fail("storing the request's signature");
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  X509_REQ_set0_signature(req.get(), bits.release());
  if (X509_REQ_verify(req.get(), pub->get()) != 1)
    return ossl::fail("verifying the new request's signature with " + key.description() + "'s public key", Errc::key);
  ossl::Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), req.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace onboard::x509
