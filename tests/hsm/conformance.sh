# The key conformance suite (tests/unit/keys) against a SoftHSM2 token.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
[ -x "$BIN/keys_test" ] || { echo "SKIP: keys_test not built"; exit 77; }
start_hsm conformance
PKCS11_PIN=$HSM_PIN ONBOARD_TEST_PKCS11_TOKEN=conformance "$BIN/keys_test" --gtest_filter='*pkcs11*' >gtest.txt 2>&1
rc=$?
grep -E '^\[  (PASSED|FAILED|SKIPPED) ' gtest.txt
[ "$rc" -eq 0 ] && pass || { cat gtest.txt >&2; fail "keys_test against pkcs11 (exit $rc)"; }
# 7 tests x 3 key types, RSA-PSS only for RSA: 19 must run and pass (a skip would hide a backend).
n=$(grep -c '^\[       OK \].*pkcs11' gtest.txt)
expect_eq "$n" 19 "pkcs11 conformance cases passed"
finish
