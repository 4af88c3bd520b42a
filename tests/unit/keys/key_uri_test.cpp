#include <gtest/gtest.h>

#include "onboard/keys/keys.h"

using namespace onboard;
using keys::KeyUri;

TEST(KeyUri, FileForms) {
  auto a = keys::parse_key_uri("file:keys/ca.pem");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->scheme, KeyUri::Scheme::file);
  EXPECT_EQ(a->path, "keys/ca.pem");
  // The path, or the error: never `->` on a failed parse (undefined, and it can look right).
  auto path_of = [](const char* text) {
    auto u = keys::parse_key_uri(text);
    return u ? u->path : "error: " + u.error().message;
  };
  EXPECT_EQ(path_of("ca.pem"), "ca.pem");
  EXPECT_EQ(path_of("/abs/ca.pem"), "/abs/ca.pem");
  EXPECT_EQ(path_of("file:///abs/ca.pem"), "/abs/ca.pem");  // RFC 8089: empty authority
  EXPECT_EQ(path_of("file:/abs/ca.pem"), "/abs/ca.pem");
  EXPECT_EQ(path_of("file://host/ca.pem"), "error: key URI file://host/ca.pem: file URIs with a host are not supported");
  EXPECT_FALSE(keys::parse_key_uri("gcpkms:whatever"));
  EXPECT_FALSE(keys::parse_key_uri(""));
  EXPECT_FALSE(keys::parse_key_uri("file:"));
}

TEST(KeyUri, Pkcs11Rfc7512) {
  auto u = keys::parse_key_uri(
      "pkcs11:token=Acme%20CA;object=root;id=%01%02;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->scheme, KeyUri::Scheme::pkcs11);
  EXPECT_EQ(u->token, "Acme CA");
  EXPECT_EQ(u->object, "root");
  EXPECT_EQ(*u->id, (Bytes{1, 2}));
  EXPECT_EQ(u->module_path, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_EQ(u->pin_source, "file:/run/pin");
}

TEST(KeyUri, Pkcs11PinValueIsRedacted) {
  auto u = keys::parse_key_uri("pkcs11:token=t;object=k?pin-value=123456");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->pin_value, "123456");
  EXPECT_EQ(u->text.find("123456"), std::string::npos);
}

TEST(KeyUri, Pkcs11Malformed) {
  for (auto bad : {"pkcs11:object=k", "pkcs11:token=t", "pkcs11:token=t;object=k;object=j", "pkcs11:token=t;object=%zz",
                   "pkcs11:token=t;object=k;slot-id=1", "pkcs11:token=t;object=k;type=cert", "pkcs11:token=t;object=k;bogus=1",
                   "pkcs11:token=t;object=k?pin-value=1&pin-source=file:x", "pkcs11:token=t;noequals",
                   "pkcs11:token;object=k", "pkcs11:token=t;object=k;=x", "pkcs11:token=t;object=k?module-path"}) {
    auto r = keys::parse_key_uri(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, Errc::usage) << bad;
    }
  }
}

TEST(KeyUri, Tpm2) {
  auto h = keys::parse_key_uri("tpm2:handle=0x81020000");
  ASSERT_TRUE(h);
  EXPECT_EQ(*h->handle, 0x81020000u);
  auto f = keys::parse_key_uri("tpm2:file=k.tss2.pem");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->path, "k.tss2.pem");
  for (auto bad : {"tpm2:handle=", "tpm2:handle=0x80000000", "tpm2:handle=zz", "tpm2:file=", "tpm2:foo"})
    EXPECT_FALSE(keys::parse_key_uri(bad)) << bad;
}

TEST(KeyType, Names) {
  for (auto n : {"p256", "p384", "rsa2048", "rsa3072", "rsa4096", "ed25519"})
    EXPECT_EQ(keys::key_type_name(*keys::parse_key_type(n)), n);
  EXPECT_FALSE(keys::parse_key_type("dsa"));
}

TEST(Secrets, Sources) {
  ::setenv("ONBOARD_TEST_SECRET", "s3cret", 1);
  EXPECT_EQ(keys::read_secret("env:ONBOARD_TEST_SECRET", "x")->value(), "s3cret");
  EXPECT_FALSE(keys::read_secret("env:ONBOARD_TEST_UNSET_VAR", "x"));
  auto literal = keys::read_secret("s3cret", "x");
  ASSERT_FALSE(literal);
  EXPECT_EQ(literal.error().code, Errc::usage);
}
