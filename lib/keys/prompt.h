// Private: asking for a PIN or passphrase on the terminal (SPEC §13.5).
#pragma once

#include <string>

#include "onboard/keys/keys.h"

namespace onboard::keys {

/// True when a person can be asked: stdin is a terminal and /dev/tty opens. Off a terminal
/// (pipes, scripts, CI) a missing secret stays an error instead of a prompt.
bool can_prompt();

/// Ask on /dev/tty with echo off: "WHAT: " (and with `confirm` "WHAT (again): ", which must
/// match). Errc::key when there is no terminal or nothing was entered; Errc::interrupted when
/// SIGINT/SIGTERM came in (the terminal is restored first, then the signal is passed on).
Expected<Secret> prompt_secret(const std::string& what, bool confirm = false);

}  // namespace onboard::keys
