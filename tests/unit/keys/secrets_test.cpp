// Secrets hygiene of key URIs (SPEC §4, §11): no PIN in any message, however the URI is wrong.
#include <gtest/gtest.h>

#include "onboard/keys/keys.h"

using namespace onboard;

namespace {
std::string shown(const std::string& text) {
  auto uri = keys::parse_key_uri(text);
  return uri ? uri->text : uri.error().message;
}
}  // namespace

TEST(KeyUriSecrets, PinValueNeverShown) {
  const std::string pin = "Sekr1t-PIN-0a9b8c";
  for (const std::string& text : {
           "pkcs11:token=t;object=o?pin-value=" + pin,
           "pkcs11:token=t;object=o?pin-value=x&pin-value=" + pin,           // given twice
           "pkcs11:token=t;object=o?pin-value=" + pin + "&pin-source=file:/p",  // both
           "pkcs11:token=t;object=o;type=privatepin-value=" + pin,          // inside another value (fuzzer)
           "pkcs11:object=o?pin-value=" + pin,                                // token missing
       }) {
    EXPECT_EQ(shown(text).find(pin), std::string::npos) << shown(text);
  }
}
