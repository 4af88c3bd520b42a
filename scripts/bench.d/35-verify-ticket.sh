#!/usr/bin/env bash
# verify-ticket speed (issue 4): a batch of 2,000 tickets with two signatures each (3-certificate
# x5c chains) in one process, next to `openssl speed ecdsap256` verify rate from the same run
# (target >= 40% of raw verify rate / 2), and one process on one ticket (target < 10 ms).
set -euo pipefail
: "${BIN:?}" "${SRC:?}"
N=${N:-2000}
RUNS=${RUNS:-30}
T=$(mktemp -d /tmp/onboard-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
source "$SRC/scripts/bench.d/tickets.bash"
bench_chain "" Bench
bench_chain b Builder
bench_devices "$N"
printf 'manufacturer_name: Builder\ncomposite_instance_uri: urn:bench.example:cell:1\n' >cell.yaml
"$BIN/sign-ticket" --manifest m.csv --ticket-template tpl.yaml --out-dir one --key signer.key --cert signer.pem \
  --chain chain.pem --results results.jsonl 2>/dev/null
# The second signature on every ticket: one CompositeBuilder run countersigns all members.
members=(); for f in one/*.json; do members+=(--member "$f"); done
"$BIN/build-composite-ticket" --composite cell.yaml "${members[@]}" --key bsigner.key --cert bsigner.pem --chain bchain.pem \
  --trust-anchor root.pem --out-dir two >/dev/null
rm two/composite.ticket.json two/ticket-list.json
count=$(ls two | wc -l)
[ "$count" -eq "$N" ] || { echo "only $count of $N two-signature tickets" >&2; exit 1; }

# openssl speed divides by CPU time unless -elapsed: compare CPU with CPU and wall with wall
# (on a shared machine the two differ a lot).
TIMEFORMAT='%R %U %S'
{ time "$BIN/verify-ticket" two/*.json --trust-anchor root.pem --trust-anchor broot.pem --policy all --json \
    >verify.jsonl 2>verify.err; } 2>times.txt  # the summary line goes to verify.err, not into the times
[ "$(grep -c '"valid":true' verify.jsonl)" -eq "$N" ] || { echo "not every ticket verified" >&2; exit 1; }
read -r wall user sys <times.txt
cpu_rate=$(awk -v n="$N" -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", n / (u + s) }')
wall_rate=$(awk -v n="$N" -v w="$wall" 'BEGIN { printf "%.0f", n / w }')
raw_cpu=$(openssl speed -seconds 2 ecdsap256 2>/dev/null | awk '/nistp256/ { print $NF }' | tail -1)
raw_wall=$(openssl speed -elapsed -seconds 2 ecdsap256 2>/dev/null | awk '/nistp256/ { print $NF }' | tail -1)
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * a / (b / 2) }'; }
printf 'verify-ticket batch: %d tickets x 2 signatures (3-certificate chains), --policy all --json, one process\n' "$N"
printf '  CPU:  %.2f s user+sys = %s tickets/s; openssl speed ecdsap256 %.0f verify/s (CPU) -> %s%% of raw/2 (target >= 40%%)\n' \
  "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$cpu_rate" "$raw_cpu" "$(pct "$cpu_rate" "$raw_cpu")"
printf '  wall: %.2f s = %s tickets/s; openssl speed -elapsed %.0f verify/s -> %s%% of raw/2\n' \
  "$wall" "$wall_rate" "$raw_wall" "$(pct "$wall_rate" "$raw_wall")"

files=(two/*.json)
one=${files[0]}
wall_ms() {  # median wall time in ms of RUNS runs of a command
  local t=()
  for _ in $(seq 1 "$RUNS"); do
    local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); t+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] / 1000 }'
}
single=$(wall_ms "$BIN/verify-ticket" "$one" --trust-anchor root.pem --trust-anchor broot.pem)
baseline=$(wall_ms /bin/true)
ossl=$(wall_ms openssl version)
printf 'verify-ticket single ticket: median %s ms wall over %d runs (target < 10 ms)\n' "$single" "$RUNS"
printf '  for scale on this machine: /bin/true %s ms, openssl version %s ms (process start + OpenSSL init)\n' \
  "$baseline" "$ossl"
