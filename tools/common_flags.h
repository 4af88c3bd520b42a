// What every key-using tool hands its operation from the shared flags (SPEC §12 "Common to all").
#pragma once

#include "onboard/cli/cli.h"
#include "onboard/ops/ops.h"

namespace onboard::tools {

/// --json, --force and the key options, with warnings (e.g. pin-value in a URI) going to `env`.
inline ops::Common make_common(const cli::CommonFlags& flags, const Env& env) {
  ops::Common common{flags.json, flags.force, flags.keys};
  common.keys.env = &env;
  return common;
}

}  // namespace onboard::tools
