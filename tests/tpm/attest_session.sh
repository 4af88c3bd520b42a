# keys::tpm2::AttestSession (SPEC §13.7, the device side) against real swtpms: one with EK
# certificates made by swtpm_setup --create-ek-cert (swtpm_localca), one without any.
# The cases are the gtests tests/unit/keys/tpm2_attest_test.cpp (each key type: EK read and
# matched, template attributes, ActivateCredential round trip with tpm2_makecredential -T none,
# certify checked with OpenSSL, persist, dropped session, occupied handle, no EK certificate).
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
[ -x "$BIN/keys_test" ] || { echo "SKIP: keys_test not built"; exit 77; }
command -v swtpm_setup >/dev/null && command -v tpm2_makecredential >/dev/null ||
  { echo "SKIP: swtpm_setup/tpm2-tools not installed"; exit 77; }
mkdir -p "$T/tpm"
swtpm_setup --tpm2 --tpmstate "$T/tpm" --create-ek-cert --overwrite >"$T/swtpm_setup.log" 2>&1 ||
  { cat "$T/swtpm_setup.log" >&2; echo "swtpm_setup --create-ek-cert failed" >&2; exit 1; }
start_tpm  # keeps the state swtpm_setup wrote
NOEK_TCTI=$(eval "$("$SRC/scripts/dev-tpm" start "$T/noek")"; echo "$TPM2OPENSSL_TCTI") ||
  { echo "dev-tpm start (second TPM) failed" >&2; exit 1; }
trap '"$SRC/scripts/dev-tpm" stop "$T/noek" >/dev/null 2>&1; stop_tpm; rm -rf "$T"' EXIT

ONBOARD_TEST_TPM2_ATTEST=1 ONBOARD_TEST_TPM2_NOEK_TCTI=$NOEK_TCTI \
  "$BIN/keys_test" --gtest_filter='*AttestSession*' >gtest.txt 2>&1
rc=$?
grep -E '^\[  (PASSED|FAILED|SKIPPED) ' gtest.txt
[ "$rc" -eq 0 ] && pass || { cat gtest.txt >&2; fail "keys_test AttestSession against swtpm (exit $rc)"; }
# 7 cases x 3 key types + 2 without a TPM + 2 EK-certificate cases: all 25 must run (a skip hides one).
n=$(grep -c '^\[       OK \]' gtest.txt)
expect_eq "$n" 25 "AttestSession cases passed"
expect_eq "$(grep -c '^\[  SKIPPED \]' gtest.txt)" 0 "AttestSession cases skipped"
# Nothing of ours was left persistent (swtpm_setup's EKs at 0x81010001/0x81010016 stay).
left=$(tpm2_getcap handles-persistent 2>/dev/null | grep -c '0x810001' || true)
expect_eq "$left" 0 "persistent handles left by the tests"
finish
