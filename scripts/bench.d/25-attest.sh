#!/usr/bin/env bash
# Issue 13: attested enrollments per second on swtpm (mint-idevid --new-key --attest: IAK and
# IDevID from the TCG templates, EK certificate from NV chained to --ek-ca, MakeCredential /
# ActivateCredential, TPM2_Certify and its checks, then the IDevID), next to plain TPM keygen +
# mint (mint-idevid --device-key tpm2:... --new-key), same CA (file key), same swtpm, same run.
# One whole process per enrollment (a line station enrolls one device at a time); the keys are
# evicted between runs, outside the timing (swtpm's NV holds only a few persistent keys).
# Env: N (default 20 runs of each).
set -euo pipefail
: "${BIN:?}" "${SRC:?}"
N=${N:-20}
W=$(mktemp -d "${BENCH_DIR:-/tmp}/bench-attest.XXXXXX")
cleanup() { [ -f "$W/tpm/pid" ] && "$SRC/scripts/dev-tpm" stop "$W/tpm"; rm -rf "$W"; }
trap cleanup EXIT
cd "$W"
unset TPM2OPENSSL_TCTI TPM2TOOLS_TCTI
if ! "$BIN/mint-idevid" --help | grep -q -- '--attest'; then echo "attest: mint-idevid has no --attest; skipped"; exit 0; fi

"$BIN/create-authority" --profile root-ca --subject "/O=Bench/CN=Root" --key root.key --new-key --out root.pem >/dev/null
"$BIN/create-authority" --profile issuing-ca --crl-url http://crl.example.com/root.crl --subject "/O=Bench/CN=Device CA" \
  --key ca.key --new-key --ca-cert root.pem --ca-key root.key --out ca.pem >/dev/null
"$BIN/create-authority" --profile root-ca --subject "/O=Bench TPM/CN=EK CA" --key ekca.key --new-key --out ekca.pem >/dev/null
"$SRC/scripts/dev-tpm" start "$W/tpm" --ek-ca ekca.pem,ekca.key >/dev/null
TCTI="swtpm:host=127.0.0.1,port=$(cat "$W/tpm/port")"
DEV=0x81020000 IAK=0x81020001
evict() {
  local h
  for h in "$@"; do tpm2_evictcontrol -T "$TCTI" -C o -c "$h" >/dev/null 2>&1 || true; done
  tpm2_flushcontext -T "$TCTI" -t >/dev/null 2>&1 || true
}
now() { date +%s.%N; }
# timed KIND ARGS...: N runs of mint-idevid; prints the total seconds
timed() {
  local kind=$1 total=0 i t0 t1; shift
  for i in $(seq 1 "$N"); do
    t0=$(now)
    "$BIN/mint-idevid" --tcti "$TCTI" --ca-cert ca.pem --ca-key ca.key --product-instance-uri "urn:bench.example.com:x1:$kind-$i" \
      --serial-number "$i" --model X1 --device-key "tpm2:handle=$DEV" --new-key --out "$kind-$i.pem" "$@" >/dev/null 2>"$kind.err" ||
      { echo "$kind run $i failed: $(cat "$kind.err")" >&2; exit 1; }
    t1=$(now)
    total=$(echo "$total + $t1 - $t0" | bc)
    evict $DEV $IAK
  done
  openssl verify -CAfile root.pem -untrusted ca.pem "$kind-$N.pem" >/dev/null
  echo "$total"
}

plain=$(timed plain)
attested=$(timed attested --attest --ek-ca ekca.pem --iak-handle $IAK)
awk -v n="$N" -v p="$plain" -v a="$attested" 'BEGIN {
  printf "plain TPM keygen + mint (swtpm)   %6.1f enrollments/s   (%d runs, %.0f ms each, whole process)\n", n / p, n, 1000 * p / n
  printf "attested enrollment (swtpm)       %6.1f enrollments/s   (%d runs, %.0f ms each, whole process)   %.1fx the time of plain\n", n / a, n, 1000 * a / n, a / p
}'
