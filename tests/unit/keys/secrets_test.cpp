// Secrets hygiene of key URIs (SPEC §4, §11): no PIN in any message, however the URI is wrong.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

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

// fd:N (SPEC §4): the secret is read from an open descriptor up to EOF, first line only; more than
// the limit (64 KiB) is refused rather than cut; a closed descriptor is an error.
TEST(Secrets, FromFileDescriptor) {
  auto from_fd = [](const std::string& content) {
    std::FILE* f = std::tmpfile();
    EXPECT_NE(f, nullptr);
    EXPECT_EQ(std::fwrite(content.data(), 1, content.size(), f), content.size());
    std::fflush(f);
    ::lseek(fileno(f), 0, SEEK_SET);
    auto s = keys::read_secret("fd:" + std::to_string(fileno(f)), "PIN");
    std::fclose(f);
    return s;
  };
  auto s = from_fd("1234\nignored\n");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->value(), "1234");
  auto limit = from_fd(std::string(64 * 1024, 'x'));
  ASSERT_TRUE(limit) << limit.error().message;
  EXPECT_EQ(limit->value().size(), 64u * 1024);
  auto big = from_fd(std::string(64 * 1024 + 1, 'x'));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::malformed);
  auto closed = keys::read_secret("fd:987", "PIN");
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().code, Errc::key);
}
