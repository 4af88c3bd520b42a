// The one table of signature schemes (keys::default_params, check_params,
// signature_algorithm_der) and the Signer interface's prepared contexts: pinned per key type,
// and the AlgorithmIdentifiers checked against what OpenSSL's own X509_sign writes.
// EC_GROUP/EC_KEY (deprecated in 3.0) are the one way to make a key on an unnamed curve.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "backend.h"
#include "temp_dir.h"
#include "onboard/keys/keys.h"
#include "ossl.h"

using namespace onboard;
using keys::Hash;
using keys::KeyType;
using keys::Padding;
using onboard::testing::TempDir;

namespace {

struct Row {
  KeyType type;
  bool pss;
  keys::SignParams params;
  const char* algorithm_der_hex;
};

// SPEC §3/§6: P-256 → ECDSA SHA-256, P-384 → ECDSA SHA-384, RSA → SHA-256 PKCS#1 v1.5 or PSS
// (salt 32), Ed25519 → no pre-hash. The DER is the X.509 signatureAlgorithm.
const Row kTable[] = {
    {KeyType::p256, false, {Hash::sha256, Padding::none}, "300a06082a8648ce3d040302"},
    {KeyType::p384, false, {Hash::sha384, Padding::none}, "300a06082a8648ce3d040303"},
    {KeyType::rsa2048, false, {Hash::sha256, Padding::pkcs1}, "300d06092a864886f70d01010b0500"},
    {KeyType::rsa3072, false, {Hash::sha256, Padding::pkcs1}, "300d06092a864886f70d01010b0500"},
    {KeyType::rsa4096, false, {Hash::sha256, Padding::pkcs1}, "300d06092a864886f70d01010b0500"},
    {KeyType::rsa2048, true, {Hash::sha256, Padding::pss},
     "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d0609608648"
     "0165030402010500a203020120"},
    {KeyType::ed25519, false, {Hash::none, Padding::none}, "300506032b6570"},
};

class Table : public ::testing::TestWithParam<Row> {};

TEST_P(Table, ParamsAndAlgorithmIdentifierArePinned) {
  const Row& r = GetParam();
  EXPECT_EQ(keys::default_params(r.type, r.pss), r.params) << keys::params_name(keys::default_params(r.type, r.pss));
  EXPECT_EQ(keys::default_hash(r.type), r.params.hash);
  EXPECT_TRUE(keys::check_params(r.type, r.params));
  auto der = keys::signature_algorithm_der(r.type, r.params);
  ASSERT_TRUE(der) << der.error().message;
  EXPECT_EQ(hex_encode(*der), r.algorithm_der_hex);
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, Table, ::testing::ValuesIn(kTable));

// The AlgorithmIdentifier OpenSSL writes into a certificate it signs itself with these params.
Bytes openssl_signature_algorithm(EVP_PKEY* key, const keys::SignParams& p) {
  ossl::Ptr<X509> x(X509_new());
  EXPECT_EQ(X509_set_pubkey(x.get(), key), 1);
  ossl::Ptr<EVP_MD_CTX> md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  const char* name = p.hash == Hash::sha256 ? "SHA256" : p.hash == Hash::sha384 ? "SHA384" : p.hash == Hash::sha512 ? "SHA512" : nullptr;
  EXPECT_EQ(EVP_DigestSignInit_ex(md.get(), &pctx, name, nullptr, nullptr, key, nullptr), 1);
  if (p.padding == Padding::pss) {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
  }
  EXPECT_GT(X509_sign_ctx(x.get(), md.get()), 0);
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_get0_signature(&sig, &alg, x.get());
  return ossl::to_der(i2d_X509_ALGOR, alg);
}

TEST(SignParams, AlgorithmIdentifiersMatchOpenSsl) {
  TempDir d;
  keys::KeyContext ctx({});
  for (KeyType t : {KeyType::p256, KeyType::p384, KeyType::rsa2048, KeyType::ed25519}) {
    auto key = ctx.generate(*keys::parse_key_uri(d.file(keys::key_type_name(t) + ".pem")), t);
    ASSERT_TRUE(key) << key.error().message;
    EVP_PKEY* pkey = dynamic_cast<const keys::PkeySigner&>(**key).pkey();
    std::vector<keys::SignParams> all = {keys::default_params(t)};
    if (t == KeyType::rsa2048)
      for (Hash h : {Hash::sha256, Hash::sha384, Hash::sha512})
        for (Padding p : {Padding::pkcs1, Padding::pss}) all.push_back({h, p});
    if (t == KeyType::p256) all.push_back({Hash::sha512, Padding::none});
    for (const auto& p : all) {
      auto ours = keys::signature_algorithm_der(t, p);
      ASSERT_TRUE(ours) << keys::params_name(p);
      EXPECT_EQ(hex_encode(*ours), hex_encode(openssl_signature_algorithm(pkey, p)))
          << keys::key_type_name(t) << " " << keys::params_name(p);
    }
  }
}

TEST(SignParams, CheckRefusesSchemesAKeyCannotMake) {
  for (auto [t, p] : std::vector<std::pair<KeyType, keys::SignParams>>{
           {KeyType::p256, {Hash::sha256, Padding::pss}},
           {KeyType::p384, {Hash::none, Padding::none}},
           {KeyType::rsa2048, {Hash::sha256, Padding::none}},
           {KeyType::rsa3072, {Hash::none, Padding::pkcs1}},
           {KeyType::ed25519, {Hash::sha256, Padding::none}},
           {KeyType::ed25519, {Hash::none, Padding::pss}}}) {
    auto ok = keys::check_params(t, p);
    ASSERT_FALSE(ok) << keys::key_type_name(t) << " " << keys::params_name(p);
    EXPECT_EQ(ok.error().code, Errc::usage);
    EXPECT_NE(ok.error().message.find(keys::key_type_name(t)), std::string::npos) << ok.error().message;
    auto der = keys::signature_algorithm_der(t, p);
    ASSERT_FALSE(der);
    EXPECT_EQ(der.error().code, Errc::usage);
  }
}

class Signing : public ::testing::TestWithParam<KeyType> {
 protected:
  TempDir d_;
  keys::KeyContext ctx_{{}};
  std::unique_ptr<keys::Signer> make(const std::string& name) {
    auto k = ctx_.generate(*keys::parse_key_uri(d_.file(name)), GetParam());
    EXPECT_TRUE(k) << k.error().message;
    return k ? std::move(*k) : nullptr;
  }
};

TEST_P(Signing, PreparedContextSignsManyAndVerifies) {
  auto key = make("a.pem");
  auto other = make("b.pem");
  ASSERT_TRUE(key && other);
  auto params = keys::default_params(GetParam());
  auto ctx = key->prepare(params);
  ASSERT_TRUE(ctx) << ctx.error().message;
  EXPECT_EQ((*ctx)->params(), params);
  auto again = key->prepare(params);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->get(), ctx->get());  // one context per params, kept by the signer
  auto pub = keys::parse_public_key(key->public_key_der());
  auto other_pub = keys::parse_public_key(other->public_key_der());
  ASSERT_TRUE(pub && other_pub);
  for (int i = 0; i < 5; ++i) {
    Bytes msg(100 + i, static_cast<std::uint8_t>(i));
    auto sig = (*ctx)->sign(msg);
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_TRUE(keys::verify(pub->get(), msg, *sig, params));
    auto direct = key->sign(msg, params);
    ASSERT_TRUE(direct);
    EXPECT_TRUE(keys::verify(pub->get(), msg, *direct, params));
    Bytes tampered = msg;
    tampered[i] ^= 0x80;
    auto bad = keys::verify(pub->get(), tampered, *sig, params);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::verify_failed);
    auto wrong = keys::verify(other_pub->get(), msg, *sig, params);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, Errc::verify_failed);
  }
}

TEST_P(Signing, ParamsNotFittingTheKeyAreRefused) {
  auto key = make("a.pem");
  ASSERT_TRUE(key);
  keys::SignParams wrong = GetParam() == KeyType::ed25519 ? keys::SignParams{Hash::sha256, Padding::none}
                                                          : keys::SignParams{Hash::none, Padding::none};
  auto sig = key->sign(as_bytes("x"), wrong);
  ASSERT_FALSE(sig);
  EXPECT_EQ(sig.error().code, Errc::usage);
  EXPECT_NE(sig.error().message.find(key->description()), std::string::npos) << sig.error().message;
  auto ctx = key->prepare(wrong);
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().code, Errc::usage);
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, Signing,
                         ::testing::Values(KeyType::p256, KeyType::p384, KeyType::rsa2048, KeyType::ed25519));

TEST(Signing, RsaPssAndPkcs1AreNotInterchangeable) {
  TempDir d;
  keys::KeyContext ctx({});
  auto key = ctx.generate(*keys::parse_key_uri(d.file("r.pem")), KeyType::rsa2048);
  ASSERT_TRUE(key);
  auto pub = keys::parse_public_key((*key)->public_key_der());
  ASSERT_TRUE(pub);
  Bytes msg(500, 0x42);
  auto pss = keys::default_params(KeyType::rsa2048, true);
  auto pkcs1 = keys::default_params(KeyType::rsa2048);
  auto a = (*key)->sign(msg, pss);
  auto b = (*key)->sign(msg, pkcs1);
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(keys::verify(pub->get(), msg, *a, pss));
  EXPECT_TRUE(keys::verify(pub->get(), msg, *b, pkcs1));
  EXPECT_FALSE(keys::verify(pub->get(), msg, *a, pkcs1));
  EXPECT_FALSE(keys::verify(pub->get(), msg, *b, pss));
  // PSS is randomised (salt = 32 bytes); PKCS#1 v1.5 is deterministic.
  EXPECT_NE(*a, *(*key)->sign(msg, pss));
  EXPECT_EQ(*b, *(*key)->sign(msg, pkcs1));
}

// A Signer that only implements sign() gets the default prepare(), which signs through it.
class Wrapped : public keys::Signer {
 public:
  explicit Wrapped(const keys::Signer& inner) : inner_(inner) {}
  std::string description() const override { return "wrapped " + inner_.description(); }
  keys::KeyType key_type() const override { return inner_.key_type(); }
  const Bytes& public_key_der() const override { return inner_.public_key_der(); }
  Expected<Bytes> sign(ByteView message, const keys::SignParams& params) const override {
    ++calls;
    return inner_.sign(message, params);
  }
  mutable int calls = 0;

 private:
  const keys::Signer& inner_;
};

TEST(Signing, DefaultPrepareSignsThroughSign) {
  TempDir d;
  keys::KeyContext ctx({});
  auto key = ctx.generate(*keys::parse_key_uri(d.file("w.pem")), KeyType::p256);
  ASSERT_TRUE(key);
  Wrapped w(**key);
  auto c = w.prepare(keys::default_params(KeyType::p256));
  ASSERT_TRUE(c) << c.error().message;
  auto sig = (*c)->sign(as_bytes("m"));
  ASSERT_TRUE(sig);
  EXPECT_EQ(w.calls, 1);
  auto pub = keys::parse_public_key(w.public_key_der());
  EXPECT_TRUE(keys::verify(pub->get(), as_bytes("m"), *sig, keys::default_params(KeyType::p256)));
  auto refused = w.prepare({Hash::sha256, Padding::pss});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::usage);
}

}  // namespace

// A key on a curve of its own is refused, even when it has P-384's size: only the named curves
// P-256 and P-384 are keys of ours (SPEC §4). The custom curve here is P-384's, with 2G as generator.
TEST(KeyType, UnnamedCurveOfP384SizeIsNotP384) {
  EXPECT_EQ(*keys::key_type_of(ossl::Ptr<EVP_PKEY>(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384")).get()),
            keys::KeyType::p384);
  EC_GROUP* named = EC_GROUP_new_by_curve_name(NID_secp384r1);
  ossl::Ptr<BIGNUM> p(BN_new()), a(BN_new()), b(BN_new());
  ASSERT_EQ(EC_GROUP_get_curve(named, p.get(), a.get(), b.get(), nullptr), 1);
  EC_GROUP* custom = EC_GROUP_new_curve_GFp(p.get(), a.get(), b.get(), nullptr);
  EC_POINT* g2 = EC_POINT_new(named);
  ASSERT_EQ(EC_POINT_dbl(named, g2, EC_GROUP_get0_generator(named), nullptr), 1);
  ASSERT_EQ(EC_GROUP_set_generator(custom, g2, EC_GROUP_get0_order(named), EC_GROUP_get0_cofactor(named)), 1);
  EC_KEY* ec = EC_KEY_new();
  ASSERT_EQ(EC_KEY_set_group(ec, custom), 1);
  ASSERT_EQ(EC_KEY_generate_key(ec), 1);
  ossl::Ptr<EVP_PKEY> key(EVP_PKEY_new());
  ASSERT_EQ(EVP_PKEY_assign_EC_KEY(key.get(), ec), 1);  // owns ec now
  EC_POINT_free(g2);
  EC_GROUP_free(custom);
  EC_GROUP_free(named);
  ASSERT_EQ(EVP_PKEY_get_bits(key.get()), 384);
  auto t = keys::key_type_of(key.get());
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::key);
  EXPECT_NE(t.error().message.find("not a named one"), std::string::npos) << t.error().message;
}
