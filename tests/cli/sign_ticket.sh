#!/usr/bin/env bash
# sign-ticket, one ticket: output shape, every bad-input exit code (SPEC §8), nothing written on error.
source "$SRC/tests/lib.sh"
make_pki
cat ca.pem root.pem >bundle.pem
# payload_of FILE: the decoded payload JSON of a ticket
payload_of() {
  local p; p=$(sed -E 's/^\{"payload":"([^"]*)".*/\1/' "$1")
  while [ $(( ${#p} % 4 )) -ne 0 ]; do p="$p="; done
  printf '%s' "$p" | basenc --base64url -d
}
cat >dev.yaml <<'YAML'
# test device
manufacturer_name: Acme
model_name: X1
serial_number: "16273849"
manufacture_date: 2024-05-01
product_instance_uri: urn:acme.example:x1:16273849
YAML

run sign-ticket --ticket dev.yaml --key signer.key --cert signer.pem --chain chain.pem --authority bundle.pem --out t.json
expect_rc 0 "sign a ticket"
expect_out "t.json: DeviceIdentityTicket for urn:acme.example:x1:16273849 signed by .*CN=Acme Ticket Signer \(ES256" "report line"
expect_file t.json "ticket written"
expect_eq "$(wc -l <t.json)" "1" "compact: one line with a newline at the end"
expect_eq "$(tail -c1 t.json | od -An -c | tr -d ' ')" '\n' "newline at end"
grep -q '^{"payload":"[A-Za-z0-9_-]*","signatures":\[{"protected":"[A-Za-z0-9_-]*","signature":"[A-Za-z0-9_-]*"}\]}$' t.json &&
  pass || fail "general serialization, one signature, no header"
payload=$(payload_of t.json)
expect_eq "$(sed -E 's/"Authorities":\[[^]]*\]\]?\}\],?//' <<<"$payload")" \
  '{"ManufacturerName":"Acme","ModelName":"X1","SerialNumber":"16273849","ManufactureDate":"2024-05-01T00:00:00Z","ProductInstanceUri":"urn:acme.example:x1:16273849"}' \
  "payload is SPEC §5 compact JSON"
grep -q "\"AuthorityCertificate\":\"$(sed '1d;/END/,$d' ca.pem | tr -d '\n')" <<<"$payload" && pass || fail "Authorities from --authority"
sum=$(sha256sum t.json)

run sign-ticket --ticket dev.yaml --key signer.key --cert signer.pem --chain chain.pem --out t.json
expect_rc 5 "output exists"
expect_err "t.json: already exists" "refuses to overwrite"
expect_eq "$(sha256sum t.json)" "$sum" "existing ticket untouched"
run sign-ticket --ticket dev.yaml --key signer.key --cert signer.pem --chain chain.pem --out t.json --force
expect_rc 0 "--force overwrites"
expect_err "warning: the ticket lists no Authorities" "warns about a ticket without Authorities"

run sign-ticket --ticket dev.yaml --cert signer.pem --chain chain.pem --out x.json
expect_rc 2 "missing --key"
expect_err "^sign-ticket: error: --key is required" "names the missing flag"
run sign-ticket --key signer.key --cert signer.pem --chain chain.pem --out x.json
expect_rc 2 "missing --ticket"
run sign-ticket --ticket dev.yaml --key signer.key --cert signer.pem --chain chain.pem --out x.json --alg HS256
expect_rc 2 "--alg HS256"
expect_err "HMAC" "HS256 reason"
run sign-ticket --ticket dev.yaml --key signer.key --cert signer.pem --chain chain.pem --out x.json --alg RS256
expect_rc 2 "--alg not fitting the key"
expect_err "does not fit the signer's key" "alg/key reason"
run sign-ticket --ticket dev.yaml --key signer.key --cert signer.pem --chain chain.pem --out x.json --alg ES512
expect_rc 2 "--alg accepted but not emitted"

printf 'manufacturer_name: Acme\nproduct_instance_uri: [urn:x\n' >bad.yaml
run sign-ticket --ticket bad.yaml --key signer.key --cert signer.pem --chain chain.pem --out x.json
expect_rc 3 "malformed YAML"
expect_err "^sign-ticket: error: bad.yaml:[0-9]+:[0-9]+: YAML syntax" "YAML error names file:line:column"
printf 'manufacturer_name: Acme\nproduct_instance_uri: urn:a:1\ncolour: red\n' >unknown.yaml
run sign-ticket --ticket unknown.yaml --key signer.key --cert signer.pem --chain chain.pem --out x.json
expect_rc 3 "unknown key"
expect_err "unknown.yaml:3:1: unknown key 'colour'" "unknown key named with its position"
printf 'manufacturer_name: Acme\nmodel_name: X1\n' >missing.yaml
run sign-ticket --ticket missing.yaml --key signer.key --cert signer.pem --chain chain.pem --out x.json
expect_rc 3 "missing required field"
expect_err "missing.yaml:1:1: missing required key 'product_instance_uri'" "missing field named"
printf 'manufacturer_name: Acme\nproduct_instance_uri: not a uri\n' >baduri.yaml
run sign-ticket --ticket baduri.yaml --key signer.key --cert signer.pem --chain chain.pem --out x.json
expect_rc 3 "bad ProductInstanceUri"
expect_err "baduri.yaml:2:23: product_instance_uri" "URI error position"
printf 'manufacturer_name: Acme\ncomposite_instance_uri: urn:c:1\n' >comp.yaml
run sign-ticket --ticket comp.yaml --key signer.key --cert signer.pem --chain chain.pem --out x.json
expect_rc 3 "composite YAML"
expect_err "build-composite-ticket" "points to build-composite-ticket"
run sign-ticket --ticket dev.yaml --key ca.key --cert signer.pem --chain chain.pem --out x.json
expect_rc 4 "cert/key mismatch"
expect_err "--key ca.key does not match the public key of --cert" "mismatch reason"
run sign-ticket --ticket dev.yaml --key ca.key --cert ca.pem --out x.json
expect_rc 3 "CA certificate as signer"
expect_err "is a CA certificate" "CA signer reason"
run sign-ticket --ticket dev.yaml --key signer.key --cert signer.pem --chain root.pem --out x.json
expect_rc 3 "chain that does not link"
expect_err "did not issue" "chain reason"
run sign-ticket --ticket dev.yaml --key signer.key --cert signer.pem --chain chain.pem --authority signer.pem --out x.json
expect_rc 3 "authority bundle that is not a CA"
run sign-ticket --ticket nothere.yaml --key signer.key --cert signer.pem --chain chain.pem --out x.json
expect_rc 5 "unreadable YAML"
run sign-ticket --ticket dev.yaml --key nokey.pem --cert signer.pem --chain chain.pem --out x.json
expect_rc 4 "missing key file"
expect_no_file x.json "nothing written by any failed run"
expect_no_temp . "no temporary files left"

printf 'manufacturer_name: Acme\nproduct_instance_uri: urn:acme.example:x1:2\nauthorities:\n  - bundle.pem\n' >auth.yaml
run sign-ticket --ticket auth.yaml --key signer.key --cert signer.pem --chain chain.pem --out - --json
expect_rc 0 "ticket to stdout"
grep -q '^{"payload":"' <<<"$OUT" && pass || fail "stdout holds the ticket"
printf '%s\n' "$OUT" >stdout.json
grep -q '"AuthorityCertificate"' <<<"$(payload_of stdout.json)" && pass || fail "Authorities from the YAML"
run sign-ticket --ticket auth.yaml --key signer.key --cert signer.pem --chain chain.pem --out j.json --json
expect_out '^\{"out":"j.json","type":"DeviceIdentityTicketType","product_instance_uri":"urn:acme.example:x1:2","alg":"ES256"' "--json report"

"$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/ca.crl --subject "/O=Acme/CN=RSA Signer" --key rsa.key --new-key --key-type rsa2048 \
  --issuer-cert ca.pem --issuer-key ca.key --out rsa.pem >/dev/null
run sign-ticket --ticket dev.yaml --key rsa.key --cert rsa.pem --chain chain.pem --alg PS256 --out ps.json
expect_rc 0 "PS256 with an RSA signer"
run sign-ticket --ticket dev.yaml --key rsa.key --cert rsa.pem --chain chain.pem --out rs.json
expect_out "\(RS256" "RSA default is RS256 (Part 21 §8.1)"
finish
