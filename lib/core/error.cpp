#include <unistd.h>

#include <ctime>
#include <iostream>

#include "onboard/core/core.h"

namespace onboard {

void Env::warn(const std::string& msg) const {
  if (err) *err << tool << ": warning: " << msg << "\n";
}

Env real_env(std::string tool) {
  Env env;
  env.tool = std::move(tool);
  env.now = [] { return static_cast<UnixTime>(std::time(nullptr)); };
  env.out = &std::cout;
  env.err = &std::cerr;
  env.err_is_tty = ::isatty(STDERR_FILENO) == 1;
  return env;
}

}  // namespace onboard
