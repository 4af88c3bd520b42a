# Helpers for tests/hsm/*.sh and tests/tpm/*.sh: a SoftHSM2 token and an swtpm started in $T
# through scripts/dev-hsm and scripts/dev-tpm, stopped again on exit. Source after tests/lib.sh.
# Outer settings must not leak into the tests.
unset PKCS11_PIN PKCS11_PIN_SOURCE PKCS11_MODULE_PATH SOFTHSM2_CONF TPM2OPENSSL_TCTI TPM2TOOLS_TCTI TPM2_PKCS11_TCTI

HSM_PIN=246810
HSM_MODULE=/usr/lib/softhsm/libsofthsm2.so

# start_hsm LABEL...: tokens in $T/hsm; exports SOFTHSM2_CONF and PKCS11_MODULE_PATH (not the PIN).
start_hsm() {
  command -v softhsm2-util >/dev/null && [ -r "$HSM_MODULE" ] || { echo "SKIP: SoftHSM2 not installed"; exit 77; }
  local args=() l
  for l in "$@"; do args+=(--label "$l"); done
  eval "$("$SRC/scripts/dev-hsm" init "$T/hsm" "${args[@]}" --pin "$HSM_PIN")" || { echo "dev-hsm init failed" >&2; exit 1; }
  unset PKCS11_PIN_SOURCE  # tests name their PIN source themselves
  PIN_FILE=$T/hsm/user.pin
}

# token_without_user_pin LABEL: initialise SoftHSM2's free slot with an SO PIN only (no user PIN
# was ever set on it: C_Login says CKR_USER_PIN_NOT_INITIALIZED). After start_hsm.
token_without_user_pin() {
  local slot
  slot=$(softhsm2-util --show-slots | awk '/^Slot [0-9]+/{s=$2} /Initialized: *no/{print s; exit}')
  [ -n "$slot" ] || { echo "no free SoftHSM2 slot" >&2; return 1; }
  pkcs11-tool --module "$HSM_MODULE" --slot "$slot" --init-token --label "$1" --so-pin 12345678 >/dev/null 2>&1
}

# start_tpm: swtpm on a free loopback port with state in $T/tpm; exports the TCTI variables.
start_tpm() {
  command -v swtpm >/dev/null && command -v tpm2_readpublic >/dev/null || { echo "SKIP: swtpm/tpm2-tools not installed"; exit 77; }
  [ -r /usr/lib/x86_64-linux-gnu/ossl-modules/tpm2.so ] || [ -n "$(find /usr/lib -name tpm2.so -path '*ossl-modules*' 2>/dev/null)" ] ||
    { echo "SKIP: tpm2-openssl not installed"; exit 77; }
  trap 'stop_tpm; rm -rf "$T"' EXIT
  eval "$("$SRC/scripts/dev-tpm" start "$T/tpm")" || { echo "dev-tpm start failed" >&2; exit 1; }
}
stop_tpm() {
  [ -f "$T/tpm/pid" ] && "$SRC/scripts/dev-tpm" stop "$T/tpm"
  return 0
}

# pkcs11-tool against the test module.
p11tool() { pkcs11-tool --module "$HSM_MODULE" "$@" 2>/dev/null; }
