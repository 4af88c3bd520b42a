# When the PKCS#11 module is asked to log in again (seen through OpenSC's pkcs11-spy, a real
# pass-through module that logs every call to the real SoftHSM2 module):
# - a wrong PIN is tried once, never again: some tokens lock a PIN after a few failures;
# - CKR_USER_PIN_NOT_INITIALIZED is retried with a fresh C_Initialize each time (hsm.parallel,
#   issue 14: SoftHSM2 can load a token file another process is rewriting with an empty PIN blob),
#   5 times, then reported; a token whose user PIN was never set is such a token for good.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
SPY=$(ls /usr/lib/x86_64-linux-gnu/pkcs11-spy.so /usr/lib/*/pkcs11/pkcs11-spy.so 2>/dev/null | head -1)
[ -n "$SPY" ] || { echo "SKIP: OpenSC's pkcs11-spy.so not installed"; exit 77; }
start_hsm mfg
token_without_user_pin nopin
expect_eq "$?" 0 "setup: token 'nopin' initialised without a user PIN"

# spied ARGS...: create-authority through the spy; CALLS = C_Login count, INITS = C_Initialize count
spied() {
  rm -f spy.log out.pem
  # Under ASan (scripts/test): the spy leaks, and it is unloaded before LeakSanitizer reports, so
  # its leaks cannot be suppressed by name (tests/lsan.supp); this test counts calls, the others
  # check our leaks.
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    PKCS11SPY="$HSM_MODULE" PKCS11SPY_OUTPUT="$T/spy.log" PKCS11_MODULE_PATH="$SPY" \
    run create-authority --profile root-ca --subject /O=Acme/CN=Root --out out.pem --force "$@"
  CALLS=$(grep -c "C_Login" spy.log)
  INITS=$(grep -c "C_Initialize" spy.log)
}

spied --key "pkcs11:token=mfg;object=root" --new-key --pin-source "file:$PIN_FILE"
expect_rc 0 "setup: a key made through the spy"
expect_eq "$CALLS" 1 "the right PIN: one C_Login"

echo 999999 >wrong.pin
spied --key "pkcs11:token=mfg;object=root" --pin-source file:wrong.pin
expect_rc 4 "wrong PIN"
expect_err "token 'mfg'.*wrong PIN \(CKR_PIN_INCORRECT\)" "wrong PIN named"
expect_eq "$CALLS" 1 "a wrong PIN is tried once, never retried"
expect_eq "$INITS" 1 "no restart of the module after a wrong PIN"

spied --key "pkcs11:token=nopin;object=root" --new-key --pin-source "file:$PIN_FILE"
expect_rc 4 "token without a user PIN"
expect_err "token 'nopin': login failed: the user PIN of this token is not initialised" "says the user PIN is not set"
expect_eq "$CALLS" 6 "CKR_USER_PIN_NOT_INITIALIZED: the login and 5 retries"
expect_eq "$INITS" 6 "each retry starts the module anew (C_Initialize)"
expect_no_file out.pem "nothing written"
finish
