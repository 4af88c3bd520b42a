#!/usr/bin/env bash
# Secrets hygiene (SPEC §4, §11, issue 6): passphrases never appear in any output, error message
# or results file; new private key files are 0600 whatever the umask; keys are refused in a
# world-writable directory.
source "$SRC/tests/lib.sh"
PASS="Pa55phrase-9f3e1a77"
printf '%s\n' "$PASS" >pass.txt
chmod 600 pass.txt
WRONG="Wr0ng-pass-c0ffee42"
printf '%s\n' "$WRONG" >wrong.txt
# leaks WHAT: fail when the last stdout/stderr or any file written so far (results, certificates,
# keys) carries a secret.
leaks() {
  local hit
  hit=$(grep -rlaF -e "$PASS" -e "$WRONG" --exclude=pass.txt --exclude=wrong.txt --exclude=big.txt . 2>/dev/null)
  if [ -n "$hit" ] || grep -qF -e "$PASS" -e "$WRONG" <<<"$OUT$ERR"; then fail "$1: a secret appears in ${hit:-output}"; else pass; fi
}

umask 000
run create-authority --profile root-ca --subject "/O=Acme/CN=Root" --key root.key --new-key --pass-source file:pass.txt --out root.pem
expect_rc 0 "encrypted root key"
expect_eq "$(stat -c %a root.key)" "600" "new key file is 0600 under umask 000"
grep -q "ENCRYPTED PRIVATE KEY" root.key && pass || fail "key file is encrypted"
leaks "create-authority"
umask 022

run create-authority --profile issuing-ca --crl-url http://crl.example.com/root.crl --subject "/O=Acme/CN=CA" --key ca.key --new-key --issuer-cert root.pem \
  --issuer-key root.key --pass-source file:wrong.txt --out ca.pem
expect_rc 4 "wrong passphrase"
expect_err "cannot decrypt|passphrase" "wrong passphrase named"
leaks "wrong passphrase"
run create-authority --profile issuing-ca --crl-url http://crl.example.com/root.crl --subject "/O=Acme/CN=CA" --key ca.key --new-key --issuer-cert root.pem \
  --issuer-key root.key --out ca.pem
expect_rc 4 "encrypted key without --pass-source"
leaks "no passphrase"
export ONBOARD_TEST_PASS="$PASS"
run create-authority --profile issuing-ca --crl-url http://crl.example.com/root.crl --subject "/O=Acme/CN=CA" --key ca.key --new-key --issuer-cert root.pem \
  --issuer-key root.key --pass-source env:ONBOARD_TEST_PASS --json --out ca.pem
expect_rc 0 "passphrase from env:"
expect_eq "$(stat -c %a ca.key)" "600" "issuing CA key 0600"
leaks "env: passphrase, --json"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --pass-source fd:3 --product-instance-uri urn:acme.example:x1:1 \
  --serial-number 1 --device-key dev.key --new-key --out dev.pem 3<pass.txt
expect_rc 0 "passphrase from fd:"
leaks "fd: passphrase"

# batch: results file and stdout
printf 'product_instance_uri,serial_number\nurn:acme.example:x1:2,2\nurn:acme.example:x1:3,3\n' >m.csv
mkdir keys
run mint-idevid --manifest m.csv --out-dir out --ca-cert ca.pem --ca-key ca.key --pass-source file:pass.txt \
  --device-key-template 'file:keys/{serial_number}.key' --new-key --results results.jsonl
expect_rc 0 "batch with an encrypted CA key"
expect_eq "$(stat -c %a keys/2.key)" "600" "batch key 0600"
leaks "batch"
run mint-idevid --manifest m.csv --out-dir out2 --ca-cert ca.pem --ca-key ca.key --pass-source file:wrong.txt \
  --device-key-template 'file:keys2/{serial_number}.key' --new-key --results results2.jsonl
expect_rc 4 "batch, wrong passphrase"
leaks "batch, wrong passphrase"

# A secret source that holds too much is refused (64 KiB limit), and not echoed.
head -c 70000 /dev/zero | tr '\0' 'x' >big.txt
run create-authority --profile root-ca --subject /CN=R --key big.key --new-key --pass-source file:big.txt --out big.pem
expect_rc 4 "oversized passphrase file"
expect_no_file big.key "nothing created"

# World-writable directories (no sticky bit): anyone could swap the key file.
mkdir -m 777 ww
chmod 777 ww
run create-authority --profile root-ca --subject /CN=R --key ww/r.key --new-key --out r.pem
expect_rc 5 "key in a world-writable directory"
expect_err "world-writable" "world-writable named"
expect_no_file ww/r.key "no key written there"
expect_no_file r.pem "no certificate either"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --pass-source file:pass.txt --product-instance-uri urn:acme.example:x1:9 \
  --serial-number 9 --device-key ww/d.key --new-key --out d.pem
expect_rc 5 "device key in a world-writable directory"
expect_no_file ww/d.key "no device key written"

# An existing key is never overwritten by --new-key, even with --force.
sum=$(sha256sum dev.key)
run mint-idevid --ca-cert ca.pem --ca-key ca.key --pass-source file:pass.txt --product-instance-uri urn:acme.example:x1:1 \
  --serial-number 1 --device-key dev.key --new-key --force --out dev.pem
expect_rc 5 "--new-key over an existing key"
expect_eq "$(sha256sum dev.key)" "$sum" "existing key untouched"
finish
