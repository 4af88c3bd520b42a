#!/usr/bin/env bash
# Issue 2 speed: mint-idevid batch (2,000 P-256 IDevIDs, new file keys, one process) against the
# per-device openssl command-line recipe (req -newkey + x509 -req with the SAN), same machine,
# same run, same file system. The recipe runs on RECIPE_N devices (default 200) and its rate is
# per device, so the comparison does not depend on N.
set -euo pipefail
N=${N:-2000}
RECIPE_N=${RECIPE_N:-200}
W=$(mktemp -d "${BENCH_DIR:-/tmp}/bench-mint.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
"$BIN/create-authority" --profile root-ca --subject "/O=Bench/CN=Root" --key root.key --new-key --out root.pem >/dev/null
"$BIN/create-authority" --profile issuing-ca --crl-url http://crl.example.com/root.crl --subject "/O=Bench/CN=Device CA" --key ca.key --new-key \
  --issuer-cert root.pem --issuer-key root.key --out ca.pem >/dev/null
{ echo product_instance_uri,serial_number,model
  for i in $(seq 1 "$N"); do echo "urn:bench.example.com:x1:snr-$i,$i,X1"; done; } > devices.csv
mkdir keys
now() { date +%s.%N; }

t0=$(now)
"$BIN/mint-idevid" --manifest devices.csv --out-dir certs --ca-cert ca.pem --ca-key ca.key \
  --device-key-template 'file:keys/{serial_number}.key' --new-key --results results.jsonl
t1=$(now)
ok=$(grep -c '"status":"ok"' results.jsonl)
[ "$ok" -eq "$N" ] || { echo "batch minted $ok of $N" >&2; exit 1; }
openssl verify -CAfile root.pem -untrusted ca.pem "certs/$N.pem" >/dev/null

mkdir recipe
t2=$(now)
for i in $(seq 1 "$RECIPE_N"); do
  printf 'subjectAltName=URI:urn:bench.example.com:x1:snr-%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nauthorityKeyIdentifier=keyid\n' "$i" > recipe/ext
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "recipe/$i.key" \
    -subj "/O=Bench/CN=X1/serialNumber=$i" -out "recipe/$i.csr" 2>/dev/null
  openssl x509 -req -in "recipe/$i.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 15)" \
    -days 36500 -extfile recipe/ext -out "recipe/$i.pem" 2>/dev/null
done
t3=$(now)

awk -v n="$N" -v rn="$RECIPE_N" -v b="$(echo "$t1 - $t0" | bc)" -v r="$(echo "$t3 - $t2" | bc)" 'BEGIN {
  br = n / b; rr = rn / r;
  printf "mint-idevid batch : %d devices in %.2f s = %.0f devices/s\n", n, b, br;
  printf "openssl recipe    : %d devices in %.2f s = %.1f devices/s\n", rn, r, rr;
  printf "ratio             : %.0fx (target >= 100x)\n", br / rr }'
