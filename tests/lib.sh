# Shared helpers for the end-to-end test scripts (tests/{cli,hsm,tpm,label}/*.sh).
# Each script: `source "$SRC/tests/lib.sh"`; then runs the real binaries in $BIN inside $T.
# Exit 0 = pass, 77 = skipped (with a reason), anything else = fail.
set -uo pipefail
: "${BIN:?BIN must point to build/bin}" "${SRC:?SRC must point to the source tree}"
T=$(mktemp -d /tmp/onboard-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
FAILS=0
CHECKS=0

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
pass() { CHECKS=$((CHECKS + 1)); }

# run TOOL ARGS...: runs $BIN/TOOL, stores exit code in RC, stdout in OUT, stderr in ERR.
run() {
  local tool=$1; shift
  "$BIN/$tool" "$@" >"$T/.out" 2>"$T/.err"
  RC=$?
  OUT=$(cat "$T/.out")
  ERR=$(cat "$T/.err")
}
# expect_rc N DESCRIPTION: checks RC from the last run.
expect_rc() {
  if [ "$RC" -eq "$1" ]; then pass; else fail "$2: exit $RC, expected $1 (stderr: $ERR)"; fi
}
# expect_err REGEX DESCRIPTION: checks stderr of the last run (one line, TOOL: error: ...).
expect_err() {
  if grep -Eq -- "$1" <<<"$ERR"; then pass; else fail "$2: stderr '$ERR' does not match /$1/"; fi
  local lines; lines=$(grep -c . <<<"$ERR" || true)
  if [ "$RC" -ne 0 ] && ! grep -Eq '^[a-z-]+: error: ' <<<"$ERR"; then fail "$2: stderr has no 'TOOL: error:' line"; fi
  [ "${lines:-0}" -le 3 ] || fail "$2: stderr has $lines lines, expected one error line"
}
expect_out() {
  if grep -Eq -- "$1" <<<"$OUT"; then pass; else fail "$2: stdout '$OUT' does not match /$1/"; fi
}
expect_file() { if [ -s "$1" ]; then pass; else fail "$2: $1 missing or empty"; fi; }
expect_no_file() { if [ ! -e "$1" ]; then pass; else fail "$2: $1 exists but should not"; fi; }
# No temporary or partial files left in a directory.
expect_no_temp() {
  if ls -a "$1" | grep -q '^\.tmp-'; then fail "$2: temporary file left in $1"; else pass; fi
}
expect_eq() { if [ "$1" = "$2" ]; then pass; else fail "$3: got '$1', expected '$2'"; fi; }

# A small Manufacturer PKI with file keys: root.pem/root.key, ca.pem/ca.key, signer.pem/signer.key,
# and chain.pem = ca.pem + root.pem (the signer's issuers up to the root: --chain, SPEC §13.2).
make_pki() {
  "$BIN/create-authority" --profile root-ca --subject "/O=Acme/CN=Acme Root" --key root.key --new-key --out root.pem >/dev/null &&
  "$BIN/create-authority" --profile issuing-ca --subject "/O=Acme/CN=Acme Device CA" --key ca.key --new-key \
    --ca-cert root.pem --ca-key root.key --crl-url http://crl.example.com/root.crl --out ca.pem >/dev/null &&
  "$BIN/create-authority" --profile ticket-signer --subject "/O=Acme/CN=Acme Ticket Signer" --key signer.key --new-key \
    --ca-cert ca.pem --ca-key ca.key --crl-url http://crl.example.com/device-ca.crl --out signer.pem >/dev/null &&
  cat ca.pem root.pem >chain.pem || { echo "make_pki failed" >&2; exit 1; }
}

finish() {
  if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS of $((CHECKS + FAILS)) checks failed" >&2
    exit 1
  fi
  echo "$CHECKS checks passed"
  exit 0
}
