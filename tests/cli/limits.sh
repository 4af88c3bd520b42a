#!/usr/bin/env bash
# Input limits (SECURITY.md "Limits on input"): each is enforced with exit 3 (malformed input)
# and a message naming the limit. Ticket limits in the verify tests (signatures) and in
# tests/unit/{batch,ticket}/limits_test.cpp (rows, line length, counts, depth).
source "$SRC/tests/lib.sh"
make_pki

# Any input file: 16 MiB.
{ cat ca.pem; head -c $((16 * 1024 * 1024)) /dev/zero | tr '\0' '#'; } >huge.pem
run mint-idevid --ca-cert huge.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:1 --serial-number 1 \
  --device-key d.key --new-key --out d.pem
expect_rc 3 "16 MiB input limit"
expect_err "larger than 16777216 bytes" "names the size limit"
expect_no_file d.key "nothing created"

# Certificates in one PEM file: 1000.
for i in $(seq 1 1001); do cat root.pem; done >many.pem
run mint-idevid --ca-cert ca.pem --ca-chain many.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:1 \
  --serial-number 1 --device-key d.key --new-key --out d.pem
expect_rc 3 "1000 certificates per file"
expect_err "more than 1000 certificates" "names the certificate count limit"

# --ca-chain: 8 certificates with the CA.
for i in $(seq 1 8); do cat root.pem; done >chain8.pem
run mint-idevid --ca-cert ca.pem --ca-chain chain8.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:1 \
  --serial-number 1 --device-key d.key --new-key --out d.pem
expect_rc 3 "chain length limit"
expect_err "longer than the limit of 8" "names the chain limit"
run mint-idevid --ca-cert ca.pem --ca-chain root.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:1 \
  --serial-number 1 --device-key d.key --new-key --out d.pem
expect_rc 0 "a short chain is fine"

# Private key file: 1 MiB.
{ cat ca.key; head -c $((1024 * 1024)) /dev/zero | tr '\0' '#'; } >big.key
run mint-idevid --ca-cert ca.pem --ca-key big.key --product-instance-uri urn:acme.example:x1:2 --serial-number 2 \
  --device-key d2.key --new-key --out d2.pem
expect_rc 3 "key file size limit"
expect_err "larger than 1048576 bytes" "names the key size limit"

# Manifest line: 64 KiB, checked while reading (a file without newlines is not loaded whole).
{ echo "product_instance_uri,serial_number"; head -c $((8 * 1024 * 1024)) /dev/zero | tr '\0' 'a'; } >long.csv
run mint-idevid --manifest long.csv --out-dir out --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:k{serial_number}.key' --new-key
expect_rc 3 "manifest line limit"
expect_err "line 2 longer than 65536 bytes" "names the line limit"
# Row id → file stem: 128 characters.
{ echo "id,product_instance_uri,serial_number"; echo "$(printf 'i%.0s' $(seq 1 129)),urn:acme.example:x1:3,3"; } >longid.csv
run mint-idevid --manifest longid.csv --out-dir out --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:k{serial_number}.key' --new-key
expect_rc 3 "id length limit"
expect_err "longer than 128" "names the id limit"
# ProductInstanceUri: 255 characters.
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri "urn:$(printf 'u%.0s' $(seq 1 252))" \
  --serial-number 4 --device-key d4.key --new-key --out d4.pem
expect_rc 3 "URI length limit"

if [ -x "$BIN/verify-ticket" ]; then
  cat ca.pem root.pem >bundle.pem
  printf 'manufacturer_name: Acme\nproduct_instance_uri: urn:acme.example:x1:9\nauthorities:\n  - bundle.pem\n' >t.yaml
  "$BIN/sign-ticket" --ticket t.yaml --key signer.key --cert signer.pem --chain chain.pem --out t.json >/dev/null
  # Ticket document: 1 MiB by default, --max-size to change it.
  { head -c $((1024 * 1024)) /dev/zero | tr '\0' ' '; cat t.json; } >padded.json
  run verify-ticket padded.json --trust-anchor root.pem
  expect_rc 3 "1 MiB ticket limit"
  expect_err "larger than 1048576 bytes|over the limit of 1048576 \(--max-size\)" "names the ticket size limit"
  run verify-ticket t.json --trust-anchor root.pem --max-size 100
  expect_rc 3 "--max-size"
  run verify-ticket t.json --trust-anchor root.pem
  expect_rc 0 "the ticket itself verifies"
  # JSON nesting: 64 levels.
  deep=$(printf '[%.0s' $(seq 1 100))
  printf '{"payload":"e30","signatures":[],"x":%s1%s}\n' "$deep" "${deep//[/]}" >deep.json
  run verify-ticket deep.json --trust-anchor root.pem
  expect_rc 3 "JSON depth limit"
  expect_err "nesting deeper than 64" "names the depth limit"
  # YAML authorities: 64 entries.
  { printf 'manufacturer_name: Acme\nproduct_instance_uri: urn:acme.example:x1:9\nauthorities:\n'; for i in $(seq 1 65); do echo "  - bundle.pem"; done; } >many.yaml
  run sign-ticket --ticket many.yaml --key signer.key --cert signer.pem --chain chain.pem --out many.json
  expect_rc 3 "authorities limit"
  expect_err "more than 64 entries" "names the authorities limit"
  # x5c / --chain: 8 certificates.
  for i in $(seq 1 8); do cat ca.pem; done >chain9.pem
  run sign-ticket --ticket t.yaml --key signer.key --cert signer.pem --chain chain9.pem --out t9.json
  expect_rc 3 "x5c limit"
  expect_err "x5c would hold 9 certificates, more than the limit of 8" "names the x5c limit"
fi
finish
