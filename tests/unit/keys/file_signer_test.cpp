// File backend and the Signer base: key types, SPKI, signing, passphrases, key files' mode.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "backend.h"
#include "temp_dir.h"
#include "onboard/keys/keys.h"
#include "ossl.h"

using namespace onboard;
using onboard::testing::TempDir;
namespace fs = std::filesystem;

namespace {
bool verifies(const keys::Signer& s, ByteView msg, const Bytes& sig, const char* md, bool pss = false) {
  auto pub = keys::parse_public_key(s.public_key_der());
  EXPECT_TRUE(pub);
  ossl::Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  EVP_DigestVerifyInit_ex(ctx.get(), &pctx, md, nullptr, nullptr, pub->get(), nullptr);
  if (pss) EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), msg.data(), msg.size()) == 1;
}
}  // namespace

class FileKeyTypes : public ::testing::TestWithParam<keys::KeyType> {};

TEST_P(FileKeyTypes, GenerateOpenSignVerify) {
  TempDir d;
  keys::KeyContext ctx({});
  auto uri = keys::parse_key_uri("file:" + d.file("k.pem"));
  ASSERT_TRUE(uri);
  auto made = ctx.generate(*uri, GetParam());
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ((*made)->key_type(), GetParam());
  struct stat st;
  ASSERT_EQ(::stat(d.file("k.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto opened = ctx.open(*uri);
  ASSERT_TRUE(opened) << opened.error().message;
  // The fast SPKI path must equal OpenSSL's own encoding.
  EXPECT_EQ((*opened)->public_key_der(), ossl::spki_der(dynamic_cast<const keys::PkeySigner&>(**opened).pkey()));
  EXPECT_EQ((*opened)->public_key_der(), (*made)->public_key_der());

  std::string msg(3000, 'm');
  keys::Hash h = keys::default_hash(GetParam());
  auto sig = (*opened)->sign(as_bytes(msg), keys::default_params(GetParam()));
  ASSERT_TRUE(sig) << sig.error().message;
  const char* md = h == keys::Hash::none ? nullptr : h == keys::Hash::sha384 ? "SHA384" : "SHA256";
  EXPECT_TRUE(verifies(**opened, as_bytes(msg), *sig, md));
  std::string tampered = msg;
  tampered[10] ^= 1;
  EXPECT_FALSE(verifies(**opened, as_bytes(tampered), *sig, md));
}

INSTANTIATE_TEST_SUITE_P(AllTypes, FileKeyTypes,
                         ::testing::Values(keys::KeyType::p256, keys::KeyType::p384, keys::KeyType::rsa2048,
                                           keys::KeyType::ed25519));

TEST(FileKeys, WrongKeyDoesNotVerify) {
  TempDir d;
  keys::KeyContext ctx({});
  auto a = ctx.generate(*keys::parse_key_uri(d.file("a.pem")), keys::KeyType::p256);
  auto b = ctx.generate(*keys::parse_key_uri(d.file("b.pem")), keys::KeyType::p256);
  ASSERT_TRUE(a && b);
  auto sig = (*a)->sign(as_bytes("hello"), {});
  ASSERT_TRUE(sig);
  EXPECT_FALSE(verifies(**b, as_bytes("hello"), *sig, "SHA256"));
}

TEST(FileKeys, RsaPss) {
  TempDir d;
  keys::KeyContext ctx({});
  auto k = ctx.generate(*keys::parse_key_uri(d.file("r.pem")), keys::KeyType::rsa2048);
  ASSERT_TRUE(k);
  auto sig = (*k)->sign(as_bytes("pss"), {keys::Hash::sha256, keys::Padding::pss});
  ASSERT_TRUE(sig);
  EXPECT_TRUE(verifies(**k, as_bytes("pss"), *sig, "SHA256", true));
  EXPECT_FALSE(verifies(**k, as_bytes("pss"), *sig, "SHA256", false));
}

TEST(FileKeys, RefusesToOverwriteAKey) {
  TempDir d;
  keys::KeyContext ctx({});
  auto uri = *keys::parse_key_uri(d.file("k.pem"));
  ASSERT_TRUE(ctx.generate(uri, keys::KeyType::p256));
  auto again = ctx.generate(uri, keys::KeyType::p256);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::file);
}

TEST(FileKeys, RefusesWorldWritableDirectory) {
  TempDir d;
  fs::create_directory(d.path / "open");
  ::chmod((d.path / "open").c_str(), 0777);
  keys::KeyContext ctx({});
  auto r = ctx.generate(*keys::parse_key_uri(d.file("open/k.pem")), keys::KeyType::p256);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("world-writable"), std::string::npos);
}

TEST(FileKeys, EncryptedKeyNeedsPassphrase) {
  TempDir d;
  ::setenv("ONBOARD_TEST_PASS", "correct horse", 1);
  keys::KeyOptions with_pass;
  with_pass.pass_source = "env:ONBOARD_TEST_PASS";
  with_pass.new_key_pass_source = "env:ONBOARD_TEST_PASS";
  keys::KeyContext make(with_pass);
  auto uri = *keys::parse_key_uri(d.file("enc.pem"));
  ASSERT_TRUE(make.generate(uri, keys::KeyType::p256));
  EXPECT_NE(read_file(d.file("enc.pem"))->find("ENCRYPTED PRIVATE KEY"), std::string::npos);

  keys::KeyContext none({});
  auto r = none.open(uri);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::key);
  EXPECT_NE(r.error().message.find("--pass-source"), std::string::npos);

  ::setenv("ONBOARD_TEST_WRONG", "wrong", 1);
  keys::KeyOptions wrong;
  wrong.pass_source = "env:ONBOARD_TEST_WRONG";
  keys::KeyContext bad(wrong);
  auto w = bad.open(uri);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, Errc::key);
  EXPECT_EQ(w.error().message.find("wrong\""), std::string::npos);  // never echoes the secret

  EXPECT_TRUE(make.open(uri));
}

TEST(FileKeys, PassSourceDoesNotEncryptNewKeys) {
  TempDir d;
  ::setenv("ONBOARD_TEST_PASS", "correct horse", 1);
  keys::KeyOptions opts;
  opts.pass_source = "env:ONBOARD_TEST_PASS";  // for opening a CA key, not for new device keys
  keys::KeyContext ctx(opts);
  ASSERT_TRUE(ctx.generate(*keys::parse_key_uri(d.file("dev.pem")), keys::KeyType::p256));
  EXPECT_EQ(read_file(d.file("dev.pem"))->find("ENCRYPTED"), std::string::npos);
}

TEST(FileKeys, MalformedAndMissing) {
  TempDir d;
  keys::KeyContext ctx({});
  auto missing = ctx.open(*keys::parse_key_uri(d.file("none.pem")));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::key);
  ASSERT_TRUE(write_file_atomic(d.file("junk.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
  auto junk = ctx.open(*keys::parse_key_uri(d.file("junk.pem")));
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, Errc::malformed);
}

TEST(FileKeys, FastP256KeyFileIsOpenSslsOwnEncoding) {
  TempDir d;
  keys::KeyContext ctx({});
  auto uri = *keys::parse_key_uri(d.file("p.pem"));
  auto made = ctx.generate(uri, keys::KeyType::p256);
  ASSERT_TRUE(made);
  ossl::Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), dynamic_cast<const keys::PkeySigner&>(**made).pkey(), nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  EXPECT_EQ(*read_file(d.file("p.pem")), std::string(data, static_cast<std::size_t>(len)));
}

// A tpm2:file= key is a TSS2 PEM of a few hundred bytes: more than 64 KiB is refused before it is
// parsed or any TPM is asked (SECURITY.md limits).
TEST(Tpm2KeyFile, LargerThan64KiBIsRefusedUnread) {
  TempDir d;
  std::string marker = "-----BEGIN TSS2 PRIVATE KEY-----\n";
  std::ofstream(d.file("big.pem")) << marker << std::string(64 * 1024 + 1 - marker.size(), 'A');
  keys::KeyContext ctx({});
  auto uri = keys::parse_key_uri("tpm2:file=" + d.file("big.pem"));
  ASSERT_TRUE(uri) << uri.error().message;
  auto s = ctx.open(*uri);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::key) << s.error().message;
  EXPECT_NE(s.error().message.find("larger than 65536 bytes"), std::string::npos) << s.error().message;
  std::ofstream(d.file("junk.pem")) << "not a key\n";
  auto junk = ctx.open(*keys::parse_key_uri("tpm2:file=" + d.file("junk.pem")));
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, Errc::malformed) << junk.error().message;
}
