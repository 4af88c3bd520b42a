// gtest matchers for Expected<T> / Status (onboard::core): a failed expectation prints the
// error's code and message instead of the bytes of a tl::expected.
//   EXPECT_THAT(ops::create_authority(req, env), IsOk());
//   EXPECT_THAT(parse_time("x"), HasErrc(Errc::malformed));
//   EXPECT_THAT(r, HasErrc(Errc::file, ::testing::HasSubstr("exists")));
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "onboard/core/core.h"

namespace onboard {

inline const char* errc_name(Errc c) {
  switch (c) {
    case Errc::ok: return "ok";
    case Errc::verify_failed: return "verify_failed";
    case Errc::usage: return "usage";
    case Errc::malformed: return "malformed";
    case Errc::key: return "key";
    case Errc::file: return "file";
    case Errc::untrusted: return "untrusted";
    case Errc::expired: return "expired";
    case Errc::revoked: return "revoked";
    case Errc::mismatch: return "mismatch";
    case Errc::internal: return "internal";
  }
  return "?";
}
inline void PrintTo(Errc c, std::ostream* os) { *os << "Errc::" << errc_name(c) << " (" << static_cast<int>(c) << ")"; }
inline void PrintTo(const Error& e, std::ostream* os) {
  PrintTo(e.code, os);
  *os << " \"" << e.message << "\"";
}

}  // namespace onboard

namespace tl {
// Found by ADL for Expected<T> = tl::expected<T, onboard::Error>.
template <class T>
void PrintTo(const expected<T, onboard::Error>& e, std::ostream* os) {
  if (e) {
    *os << "ok";
  } else {
    *os << "error ";
    onboard::PrintTo(e.error(), os);
  }
}
}  // namespace tl

namespace onboard::testing {

/// The Expected holds a value (or, for Status, no error).
MATCHER(IsOk, negation ? "is an error" : "is ok") {
  if (arg) return true;
  *result_listener << "error " << ::testing::PrintToString(arg.error());
  return false;
}

/// The Expected holds an error with this code (and, optionally, a message matching `msg`).
MATCHER_P(HasErrc, code, std::string(negation ? "is not an error with " : "is an error with ") + ::testing::PrintToString(code)) {
  if (arg) {
    *result_listener << "is ok";
    return false;
  }
  *result_listener << "error " << ::testing::PrintToString(arg.error());
  return arg.error().code == code;
}
MATCHER_P2(HasErrc, code, msg,
           std::string(negation ? "is not an error with " : "is an error with ") + ::testing::PrintToString(code) +
               " whose message " + ::testing::DescribeMatcher<std::string>(msg)) {
  if (arg) {
    *result_listener << "is ok";
    return false;
  }
  *result_listener << "error " << ::testing::PrintToString(arg.error());
  return arg.error().code == code && ::testing::Matches(msg)(arg.error().message);
}

}  // namespace onboard::testing
