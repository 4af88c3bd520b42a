#include <openssl/sha.h>

#include <ctime>
#include <mutex>
#include <unordered_map>

#include "ossl.h"
#include "onboard/x509/x509.h"

namespace onboard::x509 {
namespace {

std::shared_ptr<X509> share(ossl::Ptr<X509> x) { return std::shared_ptr<X509>(x.release(), ossl::Deleter<X509>()); }

UnixTime to_unix(const ASN1_TIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<UnixTime>(timegm(&tm));
}

/// Recently parsed certificates by DER. OpenSSL 3.0 spends most of a ticket verification in
/// d2i_X509 (its public-key decoder lookup), and a batch of tickets carries the same x5c chains
/// over and over; certificates are immutable, so one parse per distinct DER is enough.
class ParseCache {
 public:
  std::shared_ptr<X509> find(const std::string& der) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = map_.find(der);
    return it == map_.end() ? nullptr : it->second;
  }
  void add(std::string der, std::shared_ptr<X509> x) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (map_.size() >= kMaxEntries) map_.clear();  // bounded: a batch has few distinct chains
    map_.emplace(std::move(der), std::move(x));
  }

 private:
  static constexpr std::size_t kMaxEntries = 256;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<X509>> map_;
};

ParseCache& parse_cache() {
  static ParseCache cache;
  return cache;
}

}  // namespace

Expected<Certificate> Certificate::parse_der(ByteView der, const std::string& where) {
  std::string key(der.begin(), der.end());
  if (auto hit = parse_cache().find(key)) return Certificate(std::move(hit));
  auto x = ossl::parse_cert_der(der, where);
  if (!x) return fail(std::move(x.error()));
  auto shared = share(std::move(*x));
  parse_cache().add(std::move(key), shared);
  return Certificate(std::move(shared));
}

Certificate Certificate::adopt(X509* owned) { return Certificate(share(ossl::Ptr<X509>(owned))); }

Expected<std::vector<Certificate>> Certificate::parse_pem(const std::string& text, const std::string& where) {
  auto xs = ossl::parse_certs_pem(text, where);
  if (!xs) return fail(std::move(xs.error()));
  std::vector<Certificate> out;
  for (auto& x : *xs) out.push_back(Certificate(share(std::move(x))));
  return out;
}

Expected<std::vector<Certificate>> Certificate::load_all(const std::string& path) {
  auto text = read_file(path);
  if (!text) return fail(std::move(text.error()));
  return parse_pem(*text, path);
}

Expected<Certificate> Certificate::load(const std::string& path) {
  auto all = load_all(path);
  if (!all) return fail(std::move(all.error()));
  if (all->size() != 1)
    return fail(Errc::malformed, path + ": expected one certificate, found " + std::to_string(all->size()));
  return std::move(all->front());
}

Bytes Certificate::der() const { return ossl::cert_to_der(x_.get()); }
std::string Certificate::pem() const { return ossl::cert_to_pem(x_.get()); }
std::string Certificate::subject() const { return ossl::name_to_string(X509_get_subject_name(x_.get())); }
Bytes Certificate::subject_der() const { return ossl::to_der(i2d_X509_NAME, X509_get_subject_name(x_.get())); }
std::string Certificate::subject_field(const std::string& short_name) const {
  int nid = OBJ_txt2nid(short_name.c_str());
  const X509_NAME* name = X509_get_subject_name(x_.get());
  int idx = nid == NID_undef ? -1 : X509_NAME_get_index_by_NID(name, nid, -1);
  if (idx < 0) return "";
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
  if (len < 0) return "";
  std::string value(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return value;
}

std::string Certificate::issuer() const { return ossl::name_to_string(X509_get_issuer_name(x_.get())); }

std::string Certificate::serial_hex() const {
  ossl::Ptr<BIGNUM> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x_.get()), nullptr));
  if (!bn) return "";
  char* hex = BN_bn2hex(bn.get());
  std::string s = hex ? hex : "";
  OPENSSL_free(hex);
  return s;
}

UnixTime Certificate::not_before() const { return to_unix(X509_get0_notBefore(x_.get())); }
UnixTime Certificate::not_after() const { return to_unix(X509_get0_notAfter(x_.get())); }

bool Certificate::is_ca() const {
  return X509_check_ca(x_.get()) != 0 && (X509_get_extension_flags(x_.get()) & EXFLAG_CA);
}

bool Certificate::self_signed() const { return X509_self_signed(x_.get(), 0) == 1; }

std::vector<std::string> Certificate::san_uris() const {
  std::vector<std::string> uris;
  ossl::Ptr<GENERAL_NAMES> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x_.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return uris;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    if (gn->type != GEN_URI) continue;
    const ASN1_IA5STRING* s = gn->d.uniformResourceIdentifier;
    uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                      static_cast<std::size_t>(ASN1_STRING_length(s)));
  }
  return uris;
}

Bytes Certificate::public_key_der() const {  // re-encodes the stored SPKI: no key decoding
  return ossl::to_der(i2d_X509_PUBKEY, X509_get_X509_PUBKEY(x_.get()));
}

bool Certificate::signed_by(const Certificate& issuer) const {
  EVP_PKEY* key = X509_get0_pubkey(issuer.raw());
  bool ok = key && X509_verify(x_.get(), key) == 1;
  ossl::clear_errors();
  return ok;
}

bool Certificate::allows_digital_signature() const {
  return (X509_get_key_usage(x_.get()) & KU_DIGITAL_SIGNATURE) != 0;  // UINT32_MAX when absent
}

bool Certificate::has_revocation_pointer() const {
  return X509_get_ext_by_NID(x_.get(), NID_crl_distribution_points, -1) >= 0 ||
         X509_get_ext_by_NID(x_.get(), NID_info_access, -1) >= 0;
}

bool Certificate::allows_cert_sign() const { return (X509_get_key_usage(x_.get()) & KU_KEY_CERT_SIGN) != 0; }

std::string Certificate::fingerprint() const {
  Bytes d = der();
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(d.data(), d.size(), md);
  return hex_encode(ByteView(md, sizeof md));
}

}  // namespace onboard::x509
