// The JWS algorithm table (RFC 7518 §3, SPEC §6) and the key/alg binding rules.
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>

#include <array>

#include "alg.h"
#include "ossl.h"

namespace onboard::jws {
namespace detail {
namespace {

using keys::Hash;
constexpr std::array<AlgInfo, 10> kTable{{
    {Alg::ES256, "ES256", Family::ecdsa, Hash::sha256, 32, "P-256", true},
    {Alg::ES384, "ES384", Family::ecdsa, Hash::sha384, 48, "P-384", true},
    {Alg::ES512, "ES512", Family::ecdsa, Hash::sha512, 66, "P-521", false},
    {Alg::RS256, "RS256", Family::rsa_pkcs1, Hash::sha256, 0, "", true},
    {Alg::RS384, "RS384", Family::rsa_pkcs1, Hash::sha384, 0, "", false},
    {Alg::RS512, "RS512", Family::rsa_pkcs1, Hash::sha512, 0, "", false},
    {Alg::PS256, "PS256", Family::rsa_pss, Hash::sha256, 0, "", true},
    {Alg::PS384, "PS384", Family::rsa_pss, Hash::sha384, 0, "", false},
    {Alg::PS512, "PS512", Family::rsa_pss, Hash::sha512, 0, "", false},
    {Alg::EdDSA, "EdDSA", Family::eddsa, Hash::none, 0, "", true},
}};

// OpenSSL spells the NIST curves several ways depending on the provider.
bool curve_matches(const std::string& group, const std::string& curve) {
  if (curve == "P-256") return group == "prime256v1" || group == "P-256" || group == "secp256r1";
  if (curve == "P-384") return group == "secp384r1" || group == "P-384";
  if (curve == "P-521") return group == "secp521r1" || group == "P-521";
  return false;
}

std::string ec_group(const EVP_PKEY* key) {
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1) {
    ossl::clear_errors();
    return "unknown curve";
  }
  return group;
}

std::string describe_key(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC")) return "EC " + ec_group(key);
  if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS"))
    return "RSA " + std::to_string(EVP_PKEY_get_bits(key)) + " bits";
  if (EVP_PKEY_is_a(key, "ED25519")) return "Ed25519";
  if (EVP_PKEY_is_a(key, "ED448")) return "Ed448";
  return "an unsupported key type";
}

}  // namespace

const AlgInfo& info(Alg alg) {
  for (const auto& row : kTable)
    if (row.alg == alg) return row;
  return kTable[0];  // unreachable: every enumerator has a row
}

keys::SignParams sign_params(const AlgInfo& a) {
  switch (a.family) {
    case Family::rsa_pkcs1: return {a.hash, keys::Padding::pkcs1};
    case Family::rsa_pss: return {a.hash, keys::Padding::pss};
    case Family::ecdsa:
    case Family::eddsa: break;
  }
  return {a.hash, keys::Padding::none};
}

Expected<Bytes> ecdsa_der_to_raw(ByteView der, std::size_t half) {
  const unsigned char* p = der.data();
  ossl::Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) return ossl::fail("d2i_ECDSA_SIG", Errc::key);
  Bytes raw(2 * half);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), static_cast<int>(half)) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + half, static_cast<int>(half)) < 0)
    return ossl::fail("BN_bn2binpad", Errc::internal);
  return raw;
}

Expected<Bytes> ecdsa_raw_to_der(ByteView raw) {
  std::size_t half = raw.size() / 2;
  ossl::Ptr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return ossl::fail("ECDSA_SIG_set0", Errc::internal);
  }
  Bytes der = ossl::to_der(i2d_ECDSA_SIG, sig.get());
  if (der.empty()) return ossl::fail("i2d_ECDSA_SIG", Errc::internal);
  return der;
}

bool looks_like_der_ecdsa(ByteView sig) {
  if (sig.size() < 8 || sig[0] != 0x30) return false;
  const unsigned char* p = sig.data();
  ossl::Ptr<ECDSA_SIG> s(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
  ossl::clear_errors();
  return s && p == sig.data() + sig.size();
}

}  // namespace detail

using detail::Family;

Expected<Alg> parse_alg(std::string_view name) {
  for (const auto& row : detail::kTable)
    if (name == row.name) return row.alg;
  std::string n(name);
  if (n == "none") return fail(Errc::malformed, "alg \"none\" is refused: a ticket must be signed");
  if (n.starts_with("HS"))
    return fail(Errc::malformed, "alg \"" + n + "\" is refused: HMAC needs a shared secret and cannot identify a signer");
  return fail(Errc::malformed, "alg \"" + n + "\" is not supported (ES256, ES384, ES512, RS256, RS384, RS512, PS256, "
                                              "PS384, PS512, EdDSA)");
}

std::string alg_name(Alg alg) { return detail::info(alg).name; }
bool alg_emitted(Alg alg) { return detail::info(alg).emitted; }

Alg default_alg(keys::KeyType type) {
  // The row that signs as keys::default_params says: ES256, ES384, EdDSA, and RS256 for RSA keys
  // (Part 21 §8.1: RS256 is the default; PKCS#1 v1.5 is keys' default padding for RSA).
  keys::SignParams want = keys::default_params(type);
  for (const auto& row : detail::kTable)
    if (row.emitted && detail::sign_params(row) == want &&
        (row.family != Family::ecdsa || row.ec_half == (type == keys::KeyType::p384 ? 48u : 32u)))
      return row.alg;
  return Alg::RS256;  // unreachable: every key type has an emitted row
}

Status check_alg_fits(Alg alg, const x509::Certificate& cert) {
  const EVP_PKEY* key = X509_get0_pubkey(cert.raw());
  if (!key) {
    ossl::clear_errors();
    return fail(Errc::malformed, "the certificate's public key cannot be read");
  }
  const auto& a = detail::info(alg);
  bool fits = false;
  switch (a.family) {
    case Family::ecdsa: fits = EVP_PKEY_is_a(key, "EC") && detail::curve_matches(detail::ec_group(key), a.curve); break;
    case Family::rsa_pkcs1: fits = EVP_PKEY_is_a(key, "RSA"); break;
    case Family::rsa_pss: fits = EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS"); break;
    case Family::eddsa: fits = EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448"); break;
  }
  if (!fits)
    return fail(Errc::malformed, std::string("alg ") + a.name + " does not fit the signer's key (" +
                                     detail::describe_key(key) + ")");
  if ((a.family == Family::rsa_pkcs1 || a.family == Family::rsa_pss) && EVP_PKEY_get_bits(key) < 2048)
    return fail(Errc::malformed, "RSA key of " + std::to_string(EVP_PKEY_get_bits(key)) +
                                     " bits is refused (at least 2048, SPEC §6)");
  return {};
}

}  // namespace onboard::jws
