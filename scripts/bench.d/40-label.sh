#!/usr/bin/env bash
# print-label: labels per second for a batch of 500 PNG labels, each decoded back (ZXing)
# before it is written. Target (issue 5): at least 200 labels/s. Prints the figure.
set -euo pipefail
: "${BIN:?}"
W=$(mktemp -d /tmp/onboard-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
N=${LABELS:-500}
{ echo "id,product_instance_uri,serial_number"
  for i in $(seq 1 "$N"); do echo "d$i,https://id.example.com/x1/$((16270000 + i)),$((16270000 + i))"; done; } >"$W/m.csv"
start=$(date +%s.%N)
TIMEFORMAT='%U %S'
cpu=$( { time "$BIN/print-label" --manifest "$W/m.csv" --out-dir "$W/out" --format png --text "SN {serial_number}" \
         >"$W/results.jsonl" 2>"$W/stderr"; } 2>&1 )
end=$(date +%s.%N)
ok=$(grep -c '"status":"ok"' "$W/results.jsonl")
[ "$ok" -eq "$N" ] || { echo "print-label: only $ok of $N labels ok" >&2; exit 1; }
# Wall clock is what a user sees; CPU time says what the machine's load hid.
awk -v n="$N" -v s="$start" -v e="$end" -v cpu="$cpu" 'BEGIN {
  t = e - s; split(cpu, c, " "); u = c[1] + c[2]
  printf "print-label: %d PNG labels with decode-back in %.2f s = %.0f labels/s (target >= 200); CPU %.2f s = %.0f labels/CPU-s\n", n, t, n / t, u, n / u }'
