# Certificates per second from one mint-idevid batch with the CA key in SoftHSM2 / swtpm,
# next to the raw signing rate of the same key measured in the same run (bench/sign_rate.cpp:
# EVP_DigestSign through libp11 / the tpm2 provider over a TBS-sized message). Target: the
# batch reaches >= 80% of the raw rate. Every row names a CSR (the same file, loaded and
# proof-of-possession checked per row as distinct CSRs would be), so the batch measures
# issuance, not device key generation. "hsm-inl" is the same batch with --inline (certificates in
# the results, no per-row files): target >= 60% of the raw rate.
# Env: HSM_ROWS (default 1000), TPM_ROWS (default 500).
set -euo pipefail
: "${BIN:?}" "${SRC:?}"
W=$(mktemp -d /tmp/onboard-bench.XXXXXX)
cleanup() { [ -f "$W/tpm/pid" ] && "$SRC/scripts/dev-tpm" stop "$W/tpm"; rm -rf "$W"; }
trap cleanup EXIT
cd "$W"
unset PKCS11_PIN PKCS11_MODULE_PATH TPM2OPENSSL_TCTI
HSM_ROWS=${HSM_ROWS:-1000}
TPM_ROWS=${TPM_ROWS:-500}

now() { date +%s.%N; }
manifest() {  # manifest N FILE
  { echo "id,product_instance_uri,serial_number,csr"
    seq "$1" | awk '{printf "d%05d,urn:example:bench:%05d,%05d,dev.csr\n", $1, $1, $1}'; } >"$2"
}
# batch LABEL CA-CERT CA-KEY ROWS RAW-RATE [--inline]
# --inline: the certificates go into the results (no per-row files), so the loop is the CA's work.
batch() {
  local label=$1 cert=$2 key=$3 rows=$4 raw=$5 t0 t1 rate
  local out=(--out-dir "out-$label")
  [ "${6:-}" = --inline ] && out=(--inline)
  manifest "$rows" "m-$label.csv"
  t0=$(now)
  "$BIN/mint-idevid" --manifest "m-$label.csv" "${out[@]}" --ca-cert "$cert" --ca-key "$key" \
    --results "r-$label.jsonl" 2>/dev/null
  t1=$(now)
  local ok; ok=$(grep -c '"status":"ok"' "r-$label.jsonl")
  [ "$ok" -eq "$rows" ] || { echo "$label: only $ok of $rows rows ok" >&2; exit 1; }
  rate=$(awk -v n="$rows" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", n/(b-a)}')
  awk -v l="$label" -v n="$rows" -v a="$t0" -v b="$t1" -v r="$rate" -v raw="$raw" 'BEGIN{
    printf "%-8s raw signing %6d/s   batch mint-idevid %6d certs/s (%d rows in %.2f s, whole process)   ratio %3.0f%%\n",
      l, raw, r, n, b-a, 100*r/raw}'
}
raw_rate() { "$BIN/sign-rate" "$1" "$2" | sed -E 's/.*: ([0-9]+)\/s$/\1/'; }

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout dev.key -subj /CN=bench-device -out dev.csr 2>/dev/null

# SoftHSM2
eval "$("$SRC/scripts/dev-hsm" init "$W/hsm" --label bench --pin 135790)"
export PKCS11_PIN=135790
"$BIN/create-authority" --profile root-ca --subject "/O=Bench/CN=HSM CA" --new-key \
  --key "pkcs11:token=bench;object=ca" --out hsm-ca.pem >/dev/null
raw=$(raw_rate "pkcs11:token=bench;object=ca" 3000)
batch softhsm hsm-ca.pem "pkcs11:token=bench;object=ca" "$HSM_ROWS" "$raw"
batch hsm-inl hsm-ca.pem "pkcs11:token=bench;object=ca" "$HSM_ROWS" "$raw" --inline

# swtpm
eval "$("$SRC/scripts/dev-tpm" start "$W/tpm")"
"$BIN/create-authority" --profile root-ca --subject "/O=Bench/CN=TPM CA" --new-key \
  --key tpm2:handle=0x81000001 --out tpm-ca.pem >/dev/null
raw=$(raw_rate tpm2:handle=0x81000001 1000)
batch swtpm tpm-ca.pem tpm2:handle=0x81000001 "$TPM_ROWS" "$raw"
