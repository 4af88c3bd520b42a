# The key conformance suite (tests/unit/keys) against swtpm (persistent handles and TSS2 key files).
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
[ -x "$BIN/keys_test" ] || { echo "SKIP: keys_test not built"; exit 77; }
start_tpm
ONBOARD_TEST_TPM2=1 "$BIN/keys_test" --gtest_filter='*tpm2*' >gtest.txt 2>&1
rc=$?
grep -E '^\[  (PASSED|FAILED|SKIPPED) ' gtest.txt
[ "$rc" -eq 0 ] && pass || { cat gtest.txt >&2; fail "keys_test against tpm2 (exit $rc)"; }
# handles: 7 tests x 3 key types minus 2 PSS skips; files: 6 (p256). 25 must run and pass (a skip would hide a backend).
n=$(grep -c '^\[       OK \].*tpm2' gtest.txt)
expect_eq "$n" 25 "tpm2 conformance cases passed"
finish
