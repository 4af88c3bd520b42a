#!/usr/bin/env bash
# countersign-ticket: validates first, appends one signature, never changes a byte of the
# existing document; refusals and bad input write nothing (SPEC §7, §8, §11).
source "$SRC/tests/lib.sh"
source "$SRC/tests/verify_lib.sh"
make_pki
make_distributor
cat ca.pem root.pem >bundle.pem
device_yaml 1
"$BIN/sign-ticket" --ticket dev-1.yaml --key signer.key --cert signer.pem --chain chain.pem --authority bundle.pem --out t.json >/dev/null

run countersign-ticket t.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem --out t2.json
expect_rc 0 "countersign a valid ticket"
expect_out "t2.json: signature #1 added by .*CN=Dist Signer" "report line"
# Every byte before the closing "]}\n" is unchanged; the new signature follows a comma.
n=$(( $(stat -c %s t.json) - 3 ))
expect_eq "$(head -c "$n" t2.json | sha256sum)" "$(head -c "$n" t.json | sha256sum)" "existing bytes unchanged"
expect_eq "$(tail -c +$(( n + 1 )) t2.json | head -c 14)" ',{"protected":' "one signature object appended"
expect_eq "$(grep -o '"protected"' t2.json | wc -l)" "2" "two signatures"
expect_eq "$(protected_header t2.json 1 | sed -E 's/.*"cty":"([^"]*)".*/\1/')" "$DEVICE_CTY" "cty equals the existing one"
protected_header t2.json 1 | grep -q '"opc-uri"' && fail "no opc-uri without --composite-instance-uri" || pass
run verify-ticket t2.json --trust-anchor root.pem --trust-anchor droot.pem --policy all
expect_rc 0 "both signatures accepted"

# A second signature by the same certificate adds nothing: refused (SPEC §13.2) ...
run countersign-ticket t2.json --key signer.key --cert signer.pem --chain chain.pem --trust-anchor droot.pem \
  --composite-instance-uri urn:builder.example:line:7 --out t3.json
expect_rc 3 "a second signature by the same certificate"
expect_err "t2.json: signature #0 is already by --cert signer.pem" "names the signature and the certificate"
expect_no_file t3.json "nothing written"
# ... a renewed certificate (same subject, same key) may sign: a third signature carrying opc-uri
"$BIN/create-authority" --profile ticket-signer --subject "/O=Acme/CN=Acme Ticket Signer" --key signer.key \
  --issuer-cert ca.pem --issuer-key ca.key --crl-url http://crl.example.com/ca.crl --out renewed.pem >/dev/null
run countersign-ticket t2.json --key signer.key --cert renewed.pem --chain chain.pem --trust-anchor droot.pem \
  --composite-instance-uri urn:builder.example:line:7 --out t3.json
expect_rc 0 "countersign with --composite-instance-uri (valid through the Distributor)"
expect_eq "$(protected_header t3.json 2 | sed -E 's/.*"opc-uri":"([^"]*)".*/\1/')" "urn:builder.example:line:7" "opc-uri set"
n=$(( $(stat -c %s t2.json) - 3 ))
expect_eq "$(head -c "$n" t3.json | sha256sum)" "$(head -c "$n" t2.json | sha256sum)" "existing bytes unchanged (3rd)"

# Refusals: nothing written
run countersign-ticket t.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor droot.pem --out r.json
expect_rc 10 "refuses an untrusted ticket"
expect_err "refusing to countersign: t.json: not valid" "says why"
expect_no_file r.json "nothing written on refusal"
document "$(printf '{"ManufacturerName":"Evil","ProductInstanceUri":"urn:acme.example:x1:1"}' | b64url)" \
  "$(sed -E 's/.*"signatures":\[(.*)\]\}$/\1/' t.json)" >tampered.json
run countersign-ticket tampered.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem --out r.json
expect_rc 1 "refuses a tampered ticket"
expect_no_file r.json "nothing written"
run countersign-ticket tampered.json --key dsigner.key --cert dsigner.pem --chain droot.pem --insecure-skip-verify --out r.json
expect_rc 0 "--insecure-skip-verify signs anyway"
expect_err "warning: --insecure-skip-verify" "and warns"
expect_no_temp . "no temporary files"

# Bad input
run countersign-ticket t.json --cert dsigner.pem --chain droot.pem --trust-anchor root.pem --out x.json
expect_rc 2 "missing --key"
run countersign-ticket t.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem
expect_rc 2 "missing --out"
run countersign-ticket t.json --key dsigner.key --cert dsigner.pem --chain droot.pem --out x.json
expect_rc 2 "no trust and no --insecure-skip-verify"
run countersign-ticket missing.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem --out x.json
expect_rc 5 "unreadable ticket"
echo '{"payload":"x"' >bad.json
run countersign-ticket bad.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem --out x.json
expect_rc 3 "malformed ticket"
run countersign-ticket t.json --key signer.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem --out x.json
expect_rc 4 "key not matching the certificate"
run countersign-ticket t.json --key ca.key --cert ca.pem --trust-anchor root.pem --out x.json
expect_rc 3 "a CA certificate as signer"
run countersign-ticket t.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem \
  --composite-instance-uri "not a uri" --out x.json
expect_rc 3 "bad --composite-instance-uri"
expect_no_file x.json "nothing written on bad input"
sum=$(sha256sum t2.json)
run countersign-ticket t.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem --out t2.json
expect_rc 5 "output exists"
expect_eq "$(sha256sum t2.json)" "$sum" "existing output untouched"
finish
