#!/usr/bin/env bash
# Secrets hygiene for PKCS#11 PINs (SPEC §4, §11): a pin-value in a key URI works but warns, and
# neither it nor a pin-source PIN ever appears in output, errors or results; a wrong PIN is
# reported without the PIN. Needs SoftHSM2 (skipped otherwise).
source "$SRC/tests/lib.sh"
[ -f "$SRC/tests/hw.sh" ] || { echo "SKIP: no PKCS#11 backend on this branch"; exit 77; }
source "$SRC/tests/hw.sh"
HSM_PIN="P1N-s3cret-4d2a9e"
start_hsm line1
make_pki
WRONG="P1N-wr0ng-77e1b3"
printf '%s\n' "$WRONG" >wrong.pin
leaks() {
  local hit
  hit=$(grep -rlaF -e "$HSM_PIN" -e "$WRONG" --exclude=wrong.pin --exclude-dir=hsm . 2>/dev/null)
  if [ -n "$hit" ] || grep -qF -e "$HSM_PIN" -e "$WRONG" <<<"$OUT$ERR"; then fail "$1: a PIN appears in ${hit:-output}"; else pass; fi
}
uri="pkcs11:token=line1;object=dev1?module-path=$HSM_MODULE"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:1 --serial-number 1 \
  --device-key "$uri&pin-source=file:$PIN_FILE" --new-key --out dev1.pem --json
expect_rc 0 "HSM key with pin-source"
leaks "pin-source"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:2 --serial-number 2 \
  --device-key "pkcs11:token=line1;object=dev2?module-path=$HSM_MODULE&pin-value=$HSM_PIN" --new-key --out dev2.pem
expect_rc 0 "pin-value still works"
expect_err "warning: .*pin-value" "pin-value warns"
leaks "pin-value"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:3 --serial-number 3 \
  --device-key "$uri&pin-value=$WRONG" --new-key --out dev3.pem
expect_rc 4 "wrong PIN"
expect_err "wrong PIN" "wrong PIN named"
leaks "wrong pin-value"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:3 --serial-number 3 \
  --device-key "$uri" --pin-source file:wrong.pin --new-key --out dev3.pem
expect_rc 4 "wrong PIN from --pin-source"
leaks "wrong --pin-source"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:3 --serial-number 3 \
  --device-key "$uri&pin-value=$WRONG&pin-value=$HSM_PIN" --new-key --out dev3.pem
expect_rc 2 "pin-value twice"
leaks "pin-value twice (every pin-value redacted)"
PKCS11_PIN=$HSM_PIN run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:4 \
  --serial-number 4 --device-key "pkcs11:token=line1;object=dev4?module-path=$HSM_MODULE" --new-key --out dev4.pem
expect_rc 0 "PIN from env PKCS11_PIN"
leaks "env PKCS11_PIN"
finish
