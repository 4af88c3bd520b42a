#include <openssl/err.h>
#include <openssl/pem.h>

#include "ossl.h"

namespace onboard::ossl {

Error error(const std::string& call, Errc code) {
  std::string reasons;
  const char *file = nullptr, *func = nullptr, *data = nullptr;
  int line = 0, flags = 0;
  while (unsigned long e = ERR_get_error_all(&file, &line, &func, &data, &flags)) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    // "error:0480006C:PEM routines::no start line" → keep the reason text only
    std::string s = buf;
    auto pos = s.rfind(':');
    std::string reason = pos == std::string::npos ? s : s.substr(pos + 1);
    if ((flags & ERR_TXT_STRING) && data && *data) reason += " (" + std::string(data) + ")";
    if (reasons.find(reason) == std::string::npos) reasons += (reasons.empty() ? "" : "; ") + reason;
  }
  return Error{code, call + " failed" + (reasons.empty() ? "" : ": " + reasons)};
}

void clear_errors() { ERR_clear_error(); }

Ptr<X509> up_ref(X509* x) {
  X509_up_ref(x);
  return Ptr<X509>(x);
}

Expected<std::vector<Ptr<X509>>> parse_certs_pem(const std::string& text, const std::string& where) {
  std::vector<Ptr<X509>> out;
  if (text.find("-----BEGIN") == std::string::npos) {
    // Not PEM: try one DER certificate.
    auto one = parse_cert_der(as_bytes(text), where);
    if (!one) return fail(Errc::malformed, where + ": not a PEM or DER certificate");
    out.push_back(std::move(*one));
    return out;
  }
  Ptr<BIO> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  for (;;) {
    X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (!x) break;
    out.push_back(Ptr<X509>(x));
    if (out.size() > kMaxCertificatesPerFile) {
      clear_errors();
      return fail(Errc::malformed, where + ": more than " + std::to_string(kMaxCertificatesPerFile) + " certificates (the limit)");
    }
  }
  unsigned long e = ERR_peek_last_error();
  bool clean_end = ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
  if (!clean_end && e != 0) {
    auto err = error("PEM_read_bio_X509", Errc::malformed);
    return fail(Errc::malformed, where + ": malformed PEM certificate (" + err.message + ")");
  }
  clear_errors();
  if (out.empty()) return fail(Errc::malformed, where + ": no certificate found in PEM");
  return out;
}

Expected<Ptr<X509>> parse_cert_der(ByteView der, const std::string& where) {
  const unsigned char* p = der.data();
  Ptr<X509> x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x || p != der.data() + der.size()) {
    clear_errors();
    return fail(Errc::malformed, where + ": not a DER X.509 certificate");
  }
  return x;
}

Expected<std::vector<Ptr<X509>>> load_certs(const std::string& path) {
  auto text = read_file(path);
  if (!text) return fail(std::move(text.error()));
  return parse_certs_pem(*text, path);
}

Expected<Ptr<X509>> load_cert(const std::string& path) {
  auto certs = load_certs(path);
  if (!certs) return fail(std::move(certs.error()));
  if (certs->size() != 1)
    return fail(Errc::malformed, path + ": expected one certificate, found " + std::to_string(certs->size()));
  return std::move(certs->front());
}

std::string cert_to_pem(X509* x) {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), x);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Bytes cert_to_der(X509* x) { return to_der(i2d_X509, x); }

Expected<Ptr<X509_NAME>> parse_name(const std::string& s) {
  if (s.empty() || s[0] != '/') return fail(Errc::usage, "subject '" + s + "' must look like /O=Org/CN=Name");
  Ptr<X509_NAME> name(X509_NAME_new());
  std::size_t pos = 1;
  while (pos <= s.size()) {
    // split on unescaped '/'
    std::string part;
    while (pos < s.size() && s[pos] != '/') {
      if (s[pos] == '\\' && pos + 1 < s.size()) ++pos;
      part += s[pos++];
    }
    ++pos;
    if (part.empty()) continue;
    auto eq = part.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == part.size())
      return fail(Errc::usage, "subject '" + s + "': component '" + part + "' is not TYPE=value");
    std::string type = part.substr(0, eq), value = part.substr(eq + 1);
    if (!X509_NAME_add_entry_by_txt(name.get(), type.c_str(), MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(value.data()),
                                    static_cast<int>(value.size()), -1, 0)) {
      clear_errors();
      return fail(Errc::usage, "subject '" + s + "': unknown attribute type or bad value '" + part + "'");
    }
  }
  if (X509_NAME_entry_count(name.get()) == 0) return fail(Errc::usage, "subject '" + s + "' is empty");
  return name;
}

std::string name_to_string(const X509_NAME* n) {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), n, 0, XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Bytes spki_der(const EVP_PKEY* key) { return to_der(i2d_PUBKEY, const_cast<EVP_PKEY*>(key)); }

}  // namespace onboard::ossl
