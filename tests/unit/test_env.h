// An Env for in-process tests of an ops function (DESIGN rule 6): a pinned clock and captured
// stdout/stderr streams, so a test sees exactly what the tool would print.
#pragma once

#include <sstream>
#include <string>

#include "onboard/core/core.h"

namespace onboard::testing {

constexpr UnixTime kPinnedNow = 1767225600;  // 2026-01-01T00:00:00Z

struct TestEnv {
  std::ostringstream out, err;
  UnixTime now = kPinnedNow;  ///< change it to move the clock
  Env env;
  explicit TestEnv(std::string tool = "test") {
    env.tool = std::move(tool);
    env.now = [this] { return now; };
    env.out = &out;
    env.err = &err;
  }
  TestEnv(const TestEnv&) = delete;
  TestEnv& operator=(const TestEnv&) = delete;
  operator Env&() { return env; }
  /// Forget what was printed so far.
  void clear() {
    out.str("");
    err.str("");
  }
};

}  // namespace onboard::testing
