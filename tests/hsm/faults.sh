# A token that fails mid-operation (tests/pkcs11_fault: SoftHSM2 behind a module that makes one
# chosen call fail with CKR_DEVICE_ERROR, as a failing HSM would): one error line naming the step,
# exit 4, nothing created on the token, no file written.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
FAULT=$BIN/../lib/pkcs11_fault.so
[ -f "$FAULT" ] || { echo "SKIP: tests/pkcs11_fault was not built"; exit 77; }
start_hsm mfg
token_without_user_pin nopin
expect_eq "$?" 0 "setup: token 'nopin' initialised without a user PIN"

# faulty SPEC ARGS...: create-authority through the faulty module; SPEC is PKCS11_FAULT_FAIL
faulty() {
  local spec=$1; shift
  rm -rf "$T/counts" && mkdir "$T/counts"
  PKCS11_FAULT_MODULE="$HSM_MODULE" PKCS11_FAULT_FAIL="$spec" PKCS11_FAULT_COUNT="$T/counts" PKCS11_MODULE_PATH="$FAULT" \
    run create-authority --profile root-ca --subject /O=Acme/CN=Root --out out.pem "$@"
}

# Healthy through the module: a key with a chosen id.
faulty "" --key "pkcs11:token=mfg;object=ok;id=%70" --new-key --pin-source "file:$PIN_FILE"
expect_rc 0 "a key made through the fault module when nothing fails"
rm -f out.pem

# The token fails while we look for a free CKA_ID (the second search: the first looks for the label).
faulty C_FindObjectsInit:2 --key "pkcs11:token=mfg;object=k2;id=%71" --new-key --pin-source "file:$PIN_FILE"
expect_rc 4 "the token fails during key generation"
expect_err "token 'mfg': generating p256 key 'k2': C_FindObjectsInit failed \(CKR_DEVICE_ERROR\)" "names the step and the call"
expect_no_file out.pem "no certificate when key generation fails"
p11tool --login --pin "$HSM_PIN" --token-label mfg --list-objects | grep -q "label: *k2" &&
  fail "no object k2 on the token" || pass

# C_Initialize fails when the module is started anew after CKR_USER_PIN_NOT_INITIALIZED (the
# hsm.parallel retry): that failure is the one reported, not the login's.
faulty C_Initialize:2 --key "pkcs11:token=nopin;object=k3" --new-key --pin-source "file:$PIN_FILE"
expect_rc 4 "the module cannot be started again"
expect_err "pkcs11_fault.so: C_Initialize failed: Device error" "the restart's failure is reported"
expect_eq "$(stat -c %s "$T/counts/C_Initialize")" 2 "no further start after the failed one"
expect_no_file out.pem "nothing written"
finish
