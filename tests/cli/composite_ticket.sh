#!/usr/bin/env bash
# build-composite-ticket + verify-ticket device matching: a composite of three devices whose
# LDevIDs carry both URIs; partial match rejected (13); nested composites; bad input (SPEC §7, §8).
source "$SRC/tests/lib.sh"
source "$SRC/tests/verify_lib.sh"
make_pki
cat ca.pem root.pem >bundle.pem
CELL=urn:builder.example:cell:1
LINE=urn:builder.example:line:1
"$BIN/create-authority" --profile root-ca --subject "/O=Builder/CN=Builder Root" --key broot.key --new-key --out broot.pem >/dev/null
"$BIN/create-authority" --profile issuing-ca --crl-url http://crl.example.com/broot.crl --subject "/O=Builder/CN=Builder LDevID CA" --key bca.key --new-key \
  --issuer-cert broot.pem --issuer-key broot.key --out bca.pem >/dev/null
"$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/broot.crl --subject "/O=Builder/CN=Builder Ticket Signer" --key bsigner.key --new-key \
  --issuer-cert broot.pem --issuer-key broot.key --out bsigner.pem >/dev/null
cat bca.pem broot.pem >bbundle.pem
for n in 1 2 3 4; do
  device_yaml $n
  "$BIN/mint-idevid" --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:$n --serial-number $n \
    --device-key dev$n.key --new-key --out idev$n.pem >/dev/null
  "$BIN/sign-ticket" --ticket dev-$n.yaml --key signer.key --cert signer.pem --chain chain.pem --authority bundle.pem \
    --out t$n.json >/dev/null
  "$BIN/issue-ldevid" --ca-cert bca.pem --ca-key bca.key --product-instance-uri urn:acme.example:x1:$n \
    --composite-instance-uri $CELL --from-idevid idev$n.pem --out ldev$n.pem >/dev/null
done
printf 'manufacturer_name: Builder\nmodel_name: Cell\nserial_number: C1\ncomposite_instance_uri: %s\n' $CELL >cell.yaml
TRUST=(--trust-anchor root.pem --trust-anchor broot.pem)

run build-composite-ticket --composite cell.yaml --member t1.json --member t2.json --member t3.json \
  --key bsigner.key --cert bsigner.pem --chain broot.pem --authority bbundle.pem --trust-anchor root.pem --out-dir cell
expect_rc 0 "build a composite of three devices"
expect_out "composite $CELL with 3 device\(s\)" "report line"
for f in composite.ticket.json ticket-list.json urn_acme.example_x1_1.ticket.json urn_acme.example_x1_3.ticket.json; do
  expect_file "cell/$f" "$f written"
done
expect_eq "$(grep -o '\\"payload\\"' cell/ticket-list.json | wc -l)" "4" "ticket list holds 3 devices + 1 composite"
grep -q '^{"Devices":\["{\\"payload' cell/ticket-list.json && pass || fail "TicketListType shape"
payload_b64 cell/composite.ticket.json | b64url_decode >cell.payload
grep -q "\"Devices\":\[\"urn:acme.example:x1:1\",\"urn:acme.example:x1:2\",\"urn:acme.example:x1:3\"\]" cell.payload &&
  pass || fail "Devices filled from the members: $(cat cell.payload)"
expect_eq "$(protected_header cell/composite.ticket.json 0 | sed -E 's/.*"opc-uri":"([^"]*)".*/\1/')" "$CELL" "composite signature opc-uri"
expect_eq "$(protected_header cell/urn_acme.example_x1_2.ticket.json 1 | sed -E 's/.*"opc-uri":"([^"]*)".*/\1/')" "$CELL" \
  "member countersigned with opc-uri"
n=$(( $(stat -c %s t2.json) - 3 ))
expect_eq "$(head -c "$n" cell/urn_acme.example_x1_2.ticket.json | sha256sum)" "$(head -c "$n" t2.json | sha256sum)" \
  "member bytes unchanged"

# Round trip: every ticket written verifies
run verify-ticket cell/composite.ticket.json cell/urn_acme.example_x1_*.ticket.json "${TRUST[@]}" --policy all
expect_rc 0 "all written tickets verify"

# Device matching
M1=cell/urn_acme.example_x1_1.ticket.json
run verify-ticket $M1 "${TRUST[@]}" --device-cert ldev1.pem --composite-ticket cell/composite.ticket.json
expect_rc 0 "LDevID with both URIs matches"
expect_out "device: matched by ldev1.pem .*urn:acme.example:x1:1 and $CELL" "names the matching certificate"
run verify-ticket $M1 "${TRUST[@]}" --device-cert idev1.pem --composite-ticket cell/composite.ticket.json
expect_rc 13 "IDevID with only the ProductInstanceUri: partial match"
expect_err "partial match" "says partial match"
run verify-ticket $M1 "${TRUST[@]}" --device-cert idev1.pem --device-cert ldev1.pem --composite-ticket cell/composite.ticket.json
expect_rc 0 "the full match among several certificates"
expect_out "matched by ldev1.pem" "the right one reported"
run verify-ticket t1.json --trust-anchor root.pem --device-cert idev1.pem
expect_rc 0 "outside a composite the IDevID matches"
run verify-ticket t1.json --trust-anchor root.pem --device-cert idev2.pem
expect_rc 13 "another device's certificate"
expect_err "no URI subjectAltName equal to urn:acme.example:x1:1" "says why"
run verify-ticket t4.json "${TRUST[@]}" --device-cert ldev4.pem --composite-ticket cell/composite.ticket.json
expect_rc 13 "a device that is not in the composite"
run verify-ticket $M1 --trust-anchor root.pem --device-cert ldev1.pem --composite-ticket cell/composite.ticket.json
expect_rc 10 "the composite ticket itself must be trusted"
expect_err "composite-ticket" "names the composite ticket"

# Nested: an outer composite with the cell (via its ticket list) and device 4
printf 'manufacturer_name: Builder\ncomposite_instance_uri: %s\n' $LINE >line.yaml
# the cell's builder certificate already signed the cell's members: the same certificate again is refused ...
run build-composite-ticket --composite line.yaml --member cell/ticket-list.json --member t4.json \
  --key bsigner.key --cert bsigner.pem --chain broot.pem --authority bbundle.pem "${TRUST[@]}" --out-dir line
expect_rc 3 "outer composite by the certificate that already signed the members"
expect_err "is already by --cert bsigner.pem" "names the certificate"
expect_no_file line "nothing written"
# ... so the outer composite is signed with the builder's renewed certificate (same subject and key)
"$BIN/create-authority" --profile ticket-signer --subject "/O=Builder/CN=Builder Ticket Signer" --key bsigner.key \
  --issuer-cert broot.pem --issuer-key broot.key --crl-url http://crl.example.com/broot.crl --out bsigner2.pem >/dev/null
run build-composite-ticket --composite line.yaml --member cell/ticket-list.json --member t4.json \
  --key bsigner.key --cert bsigner2.pem --chain broot.pem --authority bbundle.pem "${TRUST[@]}" --out-dir line
expect_rc 0 "outer composite from a sub-composite's ticket list"
payload_b64 line/composite.ticket.json | b64url_decode >line.payload
grep -q "\"Devices\":\[\"urn:acme.example:x1:4\"\],\"Composites\":\[\"$CELL\"\]" line.payload && pass ||
  fail "outer Devices/Composites: $(cat line.payload)"
expect_eq "$(protected_header line/urn_acme.example_x1_1.ticket.json 2 | sed -E 's/.*"opc-uri":"([^"]*)".*/\1/')" "$LINE" \
  "sub-composite member countersigned with the outermost URI"
"$BIN/issue-ldevid" --ca-cert bca.pem --ca-key bca.key --product-instance-uri urn:acme.example:x1:1 \
  --composite-instance-uri $LINE --from-idevid idev1.pem --out ldev1-line.pem >/dev/null
run verify-ticket line/urn_acme.example_x1_1.ticket.json "${TRUST[@]}" --device-cert ldev1-line.pem \
  --composite-ticket line/composite.ticket.json
expect_rc 0 "nested member matches with the outermost URI"
run verify-ticket line/urn_acme.example_x1_1.ticket.json "${TRUST[@]}" --device-cert ldev1.pem \
  --composite-ticket line/composite.ticket.json
expect_rc 13 "inner composite URI only: partial match for the outer composite"

# Bad input: nothing written
run build-composite-ticket --composite cell.yaml --member t1.json --member t1.json --key bsigner.key --cert bsigner.pem --chain broot.pem \
  --trust-anchor root.pem --out-dir dup
expect_rc 3 "duplicated ProductInstanceUri"
expect_err "same ProductInstanceUri urn:acme.example:x1:1" "names the duplicate"
expect_no_file dup/composite.ticket.json "nothing written"
run build-composite-ticket --composite cell.yaml --member t1.json --key bsigner.key --cert bsigner.pem --chain broot.pem \
  --trust-anchor broot.pem --out-dir untrusted
expect_rc 10 "an untrusted member"
expect_no_file untrusted/composite.ticket.json "nothing written"
run build-composite-ticket --composite cell.yaml --member t1.json --key bsigner.key --cert bsigner.pem --chain broot.pem \
  --trust-anchor root.pem --out-dir cell
expect_rc 5 "outputs exist"
run build-composite-ticket --member t1.json --key bsigner.key --cert bsigner.pem --chain broot.pem --trust-anchor root.pem --out-dir x
expect_rc 2 "missing --composite"
run build-composite-ticket --composite cell.yaml --member nothere.json --key bsigner.key --cert bsigner.pem --chain broot.pem \
  --trust-anchor root.pem --out-dir x
expect_rc 5 "unreadable member"
printf 'manufacturer_name: Builder\ncomposite_instance_uri: [\n' >bad.yaml
run build-composite-ticket --composite bad.yaml --member t1.json --key bsigner.key --cert bsigner.pem --chain broot.pem \
  --trust-anchor root.pem --out-dir x
expect_rc 3 "malformed composite YAML"
expect_err "bad.yaml:" "names the file"
expect_no_file x/composite.ticket.json "nothing written"
finish
