#!/usr/bin/env bash
# sign-ticket batch speed: N (2,000) DeviceIdentityTickets with a P-256 file key in one process,
# next to `openssl speed ecdsap256` measured in the same run (issue 4 target: >= 25% of it).
# Printed twice: output on the disk ($TMPDIR) and on tmpfs (/dev/shm), because creating a file
# on a busy ext4 can cost more than signing; and as wall time and as CPU time (user+sys), because
# on a shared machine wall time includes waiting for a CPU.
set -euo pipefail
: "${BIN:?}" "${SRC:?}"
N=${N:-2000}
T=$(mktemp -d "${TMPDIR:-/tmp}/onboard-bench.XXXXXX")
SHM=$(mktemp -d /dev/shm/onboard-bench.XXXXXX 2>/dev/null || true)
trap 'rm -rf "$T" ${SHM:+"$SHM"}' EXIT
cd "$T"
"$BIN/create-authority" --profile root-ca --subject "/O=Bench/CN=Root" --key root.key --new-key --out root.pem >/dev/null
"$BIN/create-authority" --profile issuing-ca --crl-url http://crl.example.com/root.crl --subject "/O=Bench/CN=CA" --key ca.key --new-key \
  --issuer-cert root.pem --issuer-key root.key --out ca.pem >/dev/null
"$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/ca.crl --subject "/O=Bench/CN=Signer" --key signer.key --new-key \
  --issuer-cert ca.pem --issuer-key ca.key --out signer.pem >/dev/null
cat ca.pem root.pem >bundle.pem
cat >tpl.yaml <<'YAML'
manufacturer_name: Bench Devices
model_name: X1
serial_number: "{serial}"
manufacture_date: 2026-05-01
product_instance_uri: "urn:bench.example:x1:{serial}"
authorities:
  - bundle.pem
YAML
{ echo "id,serial"; for i in $(seq 1 "$N"); do echo "d$i,$((10000000 + i))"; done; } >m.csv

raw=$(openssl speed -seconds 2 ecdsap256 2>/dev/null | awk '/nistp256/ { print $(NF-1) }' | tail -1)
printf 'openssl speed ecdsap256: %.0f sign/s\n' "$raw"
# bench_into DIR LABEL: one batch run writing into DIR; prints wall and CPU rates and ratios
bench_into() {
  local dir=$1 label=$2 times
  TIMEFORMAT='%R %U %S'
  times=$( { time "$BIN/sign-ticket" --manifest m.csv --ticket-template tpl.yaml --out-dir "$dir/out" --key signer.key \
    --cert signer.pem --chain bundle.pem --results "$dir/results.jsonl" >/dev/null; } 2>&1 )
  local ok; ok=$(grep -c '"status":"ok"' "$dir/results.jsonl")
  [ "$ok" -eq "$N" ] || { echo "only $ok of $N tickets signed" >&2; exit 1; }
  awk -v n="$N" -v raw="$raw" -v label="$label" -v t="$times" 'BEGIN {
    split(t, a, " "); wall = a[1]; cpu = a[2] + a[3]
    printf "sign-ticket, %s: %d tickets in %.2f s wall = %.0f tickets/s (%.1f%% of raw); CPU %.2f s = %.0f tickets/s (%.1f%% of raw)\n",
      label, n, wall, n / wall, 100 * n / wall / raw, cpu, n / cpu, 100 * n / cpu / raw }'
}
bench_into "$T" "output on disk (${TMPDIR:-/tmp})"
[ -n "$SHM" ] && bench_into "$SHM" "output on tmpfs (/dev/shm)"
# What the file system alone costs: create N files of a ticket's size with a shell builtin.
mkdir "$T/plain"
ticket=$(cat "$T/out/d1.ticket.json")
start=$(date +%s.%N)
for i in $(seq 1 "$N"); do printf '%s' "$ticket" >"$T/plain/f$i"; done
end=$(date +%s.%N)
awk -v n="$N" -v s="$start" -v e="$end" 'BEGIN { printf "baseline: creating %d files of that size on disk takes %.2f s (%.0f/s)\n", n, e - s, n / (e - s) }'
echo "target: >= 25% of the raw sign rate (P-256 file key, 2-certificate x5c, 1 authority in the payload)"
