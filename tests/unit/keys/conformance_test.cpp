// One conformance suite for every key backend (DESIGN rule 5): generate, reopen, sign,
// verify with the public key alone (default library context), reject tampered input and the
// wrong key, issue certificates, JWS-sized payloads.
//
// file: always runs. pkcs11: runs when ONBOARD_TEST_PKCS11_TOKEN names a token of the module in
// PKCS11_MODULE_PATH (PIN in PKCS11_PIN), as tests/hsm/conformance.sh sets up with SoftHSM2.
// tpm2: runs when ONBOARD_TEST_TPM2=1 and TPM2OPENSSL_TCTI points at a TPM, as
// tests/tpm/conformance.sh sets up with swtpm. Otherwise those cases are skipped.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <filesystem>

#include "onboard/keys/keys.h"
#include "ossl.h"
#include "onboard/x509/x509.h"

using namespace onboard;
namespace fs = std::filesystem;

namespace {

enum class Where { file, pkcs11, tpm2_handle, tpm2_file };

struct Case {
  Where where;
  keys::KeyType type;
};

std::string case_name(const testing::TestParamInfo<Case>& info) {
  const char* w[] = {"file", "pkcs11", "tpm2handle", "tpm2file"};
  return std::string(w[static_cast<int>(info.param.where)]) + "_" + keys::key_type_name(info.param.type);
}

std::string random_hex(int bytes) {
  unsigned char b[8];
  RAND_bytes(b, bytes);
  return hex_encode(ByteView(b, static_cast<std::size_t>(bytes)));
}

bool verify(const Bytes& spki, ByteView msg, const Bytes& sig, const keys::SignParams& p) {
  auto pub = keys::parse_public_key(spki);
  if (!pub) return false;
  ossl::Ptr<EVP_MD_CTX> md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  const char* name = p.hash == keys::Hash::sha256 ? "SHA256" : p.hash == keys::Hash::sha384 ? "SHA384" : nullptr;
  bool ok = EVP_DigestVerifyInit_ex(md.get(), &pctx, name, nullptr, nullptr, pub->get(), nullptr) == 1;
  if (ok && p.padding == keys::Padding::pss)
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  ok = ok && EVP_DigestVerify(md.get(), sig.data(), sig.size(), msg.data(), msg.size()) == 1;
  ossl::clear_errors();
  return ok;
}

// SPKI of a fresh software key (the "wrong key" and device keys).
std::optional<Bytes> software_public_key(keys::KeyType type) {
  EVP_PKEY* k = nullptr;
  switch (type) {
    case keys::KeyType::p256: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case keys::KeyType::p384: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case keys::KeyType::ed25519: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
    default: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}); break;
  }
  if (!k) return std::nullopt;
  ossl::Ptr<EVP_PKEY> key(k);
  Bytes out = ossl::spki_der(key.get());
  if (out.empty()) return std::nullopt;
  return out;
}

class KeyConformance : public testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/onboard-keys-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    const Case& c = GetParam();
    switch (c.where) {
      case Where::file: uri_ = "file:" + (dir_ / "k.pem").string(); break;
      case Where::pkcs11: {
        const char* token = std::getenv("ONBOARD_TEST_PKCS11_TOKEN");
        if (!token) GTEST_SKIP() << "no ONBOARD_TEST_PKCS11_TOKEN (run tests/hsm/conformance.sh)";
        uri_ = std::string("pkcs11:token=") + token + ";object=conf-" + keys::key_type_name(c.type) + "-" + random_hex(6);
        break;
      }
      case Where::tpm2_handle:
      case Where::tpm2_file: {
        const char* on = std::getenv("ONBOARD_TEST_TPM2");
        if (!on || std::string(on) != "1") GTEST_SKIP() << "no ONBOARD_TEST_TPM2=1 (run tests/tpm/conformance.sh)";
        if (c.where == Where::tpm2_file) {
          uri_ = "tpm2:file=" + (dir_ / "k.tss2.pem").string();
        } else {
          unsigned short r = 0;
          RAND_bytes(reinterpret_cast<unsigned char*>(&r), sizeof r);
          char h[32];
          std::snprintf(h, sizeof h, "tpm2:handle=0x8101%04x", r);
          uri_ = h;
        }
        break;
      }
    }
    env_ = real_env("keys_test");
    options_.env = &env_;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<keys::Signer> generate(keys::KeyContext& kc) {
    auto uri = keys::parse_key_uri(uri_);
    EXPECT_TRUE(uri) << uri.error().message;
    if (!uri) return nullptr;
    auto key = kc.generate(*uri, GetParam().type);
    EXPECT_TRUE(key) << uri_ << ": " << key.error().message;
    return key ? std::move(*key) : nullptr;
  }

  fs::path dir_;
  std::string uri_;
  Env env_;
  keys::KeyOptions options_;
};

TEST_P(KeyConformance, GenerateReopenSignVerify) {
  keys::KeyContext kc(options_);
  auto key = generate(kc);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->key_type(), GetParam().type);
  const Bytes spki = key->public_key_der();
  ASSERT_FALSE(spki.empty());

  // A second process-like context opens the same key by its URI.
  keys::KeyContext again(options_);
  auto reopened = again.open(*keys::parse_key_uri(uri_));
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ((*reopened)->public_key_der(), spki);

  keys::SignParams params = keys::default_params(GetParam().type);
  for (std::size_t size : {std::size_t{1}, std::size_t{1024}, std::size_t{16 * 1024}, std::size_t{64 * 1024}}) {
    Bytes msg(size);
    RAND_bytes(msg.data(), static_cast<int>(size));
    auto sig = (*reopened)->sign(msg, params);
    ASSERT_TRUE(sig) << size << ": " << sig.error().message;
    EXPECT_TRUE(verify(spki, msg, *sig, params)) << "payload of " << size << " bytes";
    Bytes tampered = msg;
    tampered[size / 2] ^= 0x01;
    EXPECT_FALSE(verify(spki, tampered, *sig, params)) << "tampered payload of " << size << " bytes verified";
  }
}

TEST_P(KeyConformance, WrongKeyDoesNotVerify) {
  keys::KeyContext kc(options_);
  auto key = generate(kc);
  ASSERT_TRUE(key);
  auto other = software_public_key(GetParam().type);
  ASSERT_TRUE(other);
  Bytes msg = {'j', 'w', 's'};
  keys::SignParams params = keys::default_params(GetParam().type);
  auto sig = key->sign(msg, params);
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_TRUE(verify(key->public_key_der(), msg, *sig, params));
  EXPECT_FALSE(verify(*other, msg, *sig, params));
}

TEST_P(KeyConformance, RsaPss) {
  if (GetParam().type != keys::KeyType::rsa2048) GTEST_SKIP() << "RSA only";
  keys::KeyContext kc(options_);
  auto key = generate(kc);
  ASSERT_TRUE(key);
  Bytes msg(3000, 0x5a);
  keys::SignParams pss = keys::default_params(GetParam().type, true);
  auto sig = key->sign(msg, pss);
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_TRUE(verify(key->public_key_der(), msg, *sig, pss));
  EXPECT_FALSE(verify(key->public_key_der(), msg, *sig, keys::default_params(GetParam().type)));
}

TEST_P(KeyConformance, IssuesVerifiableCertificates) {
  keys::KeyContext kc(options_);
  auto ca_key = generate(kc);
  ASSERT_TRUE(ca_key);
  x509::CertSpec root;
  root.profile = x509::Profile::root_ca;
  root.subject = "/O=Conformance/CN=Root " + keys::key_type_name(GetParam().type);
  root.not_before = 1700000000;
  root.not_after = 2000000000;
  auto ca = x509::issue(root, ca_key->public_key_der(), nullptr, *ca_key);
  ASSERT_TRUE(ca) << ca.error().message;
  EXPECT_TRUE(ca->signed_by(*ca));

  auto device = software_public_key(keys::KeyType::p256);
  ASSERT_TRUE(device);
  x509::CertSpec leaf;
  leaf.profile = x509::Profile::idevid;
  leaf.manufacturer = "Conformance";
  leaf.serial_number = "SN-1";
  leaf.san_uris = {"urn:example:conformance:1"};
  leaf.hardware_module_name = x509::HardwareModuleName{"2.23.133.1.2", Bytes{'S', 'N'}};
  leaf.not_before = 1700000000;
  auto cert = x509::issue(leaf, *device, &*ca, *ca_key);
  ASSERT_TRUE(cert) << cert.error().message;
  EXPECT_TRUE(cert->signed_by(*ca));
  auto chain = x509::verify_chain(*cert, {}, {*ca}, 1800000000, false);
  EXPECT_EQ(chain.code, Errc::ok) << chain.reason;
}

TEST_P(KeyConformance, PreparedContextSignsRepeatedly) {
  keys::KeyContext kc(options_);
  auto key = generate(kc);
  ASSERT_TRUE(key);
  auto params = keys::default_params(GetParam().type);
  auto ctx = key->prepare(params);
  ASSERT_TRUE(ctx) << ctx.error().message;
  auto pub = keys::parse_public_key(key->public_key_der());
  ASSERT_TRUE(pub);
  for (int i = 0; i < 4; ++i) {
    Bytes msg(200, static_cast<std::uint8_t>(i));
    auto sig = (*ctx)->sign(msg);
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_TRUE(keys::verify(pub->get(), msg, *sig, params)) << "signature " << i;
    msg[0] ^= 1;
    EXPECT_FALSE(keys::verify(pub->get(), msg, *sig, params)) << "tampered message " << i << " verified";
  }
  auto refused = key->prepare({keys::Hash::none, keys::Padding::pss});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::usage);
}

TEST_P(KeyConformance, SignsCsrsAndCrls) {
  keys::KeyContext kc(options_);
  auto key = generate(kc);
  ASSERT_TRUE(key);
  auto pem = x509::make_csr_pem(*key, "/O=Conformance/CN=CSR", {"urn:example:conformance:csr"});
  ASSERT_TRUE(pem) << pem.error().message;
  auto csr = x509::parse_csr(*pem, "conformance.csr");
  ASSERT_TRUE(csr) << csr.error().message;
  EXPECT_EQ(csr->public_key, key->public_key_der());

  x509::CertSpec root;
  root.profile = x509::Profile::root_ca;
  root.subject = "/O=Conformance/CN=CRL issuer";
  root.not_before = 1700000000;
  root.not_after = 2000000000;
  auto ca = x509::issue(root, key->public_key_der(), nullptr, *key);
  ASSERT_TRUE(ca) << ca.error().message;
  x509::CrlSpec spec;
  spec.this_update = 1700000000;
  spec.next_update = 1800000000;
  auto crl = x509::make_crl(spec, *ca, *key);
  ASSERT_TRUE(crl) << crl.error().message;
  EXPECT_TRUE(crl->signed_by(*ca));
}

TEST_P(KeyConformance, RefusesToReplaceAnExistingKey) {
  keys::KeyContext kc(options_);
  auto key = generate(kc);
  ASSERT_TRUE(key);
  auto again = kc.generate(*keys::parse_key_uri(uri_), GetParam().type);
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().code == Errc::key || again.error().code == Errc::file) << again.error().message;
}

std::vector<Case> all_cases() {
  using K = keys::KeyType;
  return {{Where::file, K::p256},        {Where::file, K::p384},        {Where::file, K::rsa2048},
          {Where::file, K::ed25519},     {Where::pkcs11, K::p256},      {Where::pkcs11, K::p384},
          {Where::pkcs11, K::rsa2048},   {Where::tpm2_handle, K::p256}, {Where::tpm2_handle, K::p384},
          {Where::tpm2_handle, K::rsa2048}, {Where::tpm2_file, K::p256}};
}

INSTANTIATE_TEST_SUITE_P(Backends, KeyConformance, testing::ValuesIn(all_cases()), case_name);

}  // namespace
