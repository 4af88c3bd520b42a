#!/usr/bin/env bash
# verify-ticket: round trip, validity extension, trust cases, policy, required signer, reports,
# bad input (SPEC §8).
source "$SRC/tests/lib.sh"
source "$SRC/tests/verify_lib.sh"
make_pki
make_distributor
cat ca.pem root.pem >bundle.pem
"$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/ca.crl --subject "/O=Acme/CN=Acme Short Signer" --key short.key --new-key \
  --issuer-cert ca.pem --issuer-key ca.key --not-after 2030-01-01T00:00:00Z --out short.pem >/dev/null
device_yaml 1
"$BIN/sign-ticket" --ticket dev-1.yaml --key signer.key --cert signer.pem --chain chain.pem --authority bundle.pem --out t.json >/dev/null
"$BIN/sign-ticket" --ticket dev-1.yaml --key short.key --cert short.pem --chain chain.pem --authority bundle.pem --out s.json >/dev/null
"$BIN/countersign-ticket" s.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem --out s2.json >/dev/null

# Round trip
run verify-ticket t.json --trust-anchor root.pem
expect_rc 0 "a ticket sign-ticket wrote verifies"
expect_out "^t.json: VALID — DeviceIdentityTicketType urn:acme.example:x1:1" "verdict line"
expect_out "#0 ES256 by .*CN=Acme Ticket Signer: ACCEPTED, trusted via trust anchor .*CN=Acme Root" "who signed"
expect_out "valid until [0-9]{4}-[0-9]{2}-[0-9]{2}T.*carried by signature #0" "valid until"
expect_out "action: .*countersign" "what to do before which date"
run verify-ticket --trust-anchor root.pem t.json
expect_rc 0 "a TICKET after a repeatable flag is still a ticket"
run verify-ticket t.json --ticket-authority signer.pem
expect_rc 0 "the signer as a ticket authority"
expect_out "trusted via ticket authority" "ticket authority named"

# Validity extension: after the short signer expired, valid through the Distributor's signature
run verify-ticket s2.json --trust-anchor root.pem --trust-anchor droot.pem --at 2031-06-01T00:00:00Z
expect_rc 0 "valid through the countersignature"
expect_out "#0 .*REJECTED \(expired: .*Acme Short Signer expired on 2030-01-01T00:00:00Z\)" "manufacturer signature expired"
expect_out "carried by signature #1 \(.*Dist Signer\)" "carried by the Distributor"
run verify-ticket s.json --trust-anchor root.pem --trust-anchor droot.pem --at 2031-06-01T00:00:00Z
expect_rc 11 "without the countersignature: expired"
expect_err "s.json: not valid: .*expired" "names the reason"
run verify-ticket s2.json --trust-anchor root.pem --trust-anchor droot.pem --at 2031-06-01T00:00:00Z --policy all
expect_rc 11 "--policy all needs every signature"
run verify-ticket s2.json --trust-anchor root.pem --trust-anchor droot.pem --policy all
expect_rc 0 "--policy all now"
expect_out "valid until 2030-01-01T00:00:00Z: policy all, limited by signature #0" "all: the first expiry limits"
run verify-ticket s2.json --trust-anchor root.pem --at 2031-06-01T00:00:00Z
expect_rc 1 "expired + untrusted: mixed reasons give 1"

# Trust
run verify-ticket t.json --trust-anchor droot.pem
expect_rc 10 "chain to an untrusted root"
expect_err "no trusted certificate: the chain ends at .*Acme Root" "precise reason (x5c holds the chain up to the root)"
run verify-ticket t.json --trust-anchor root.pem --source device
expect_rc 10 "trust-anchor signer with --source device"
expect_err "only through a --ticket-authority signer" "explains --source device"
run verify-ticket t.json --ticket-authority signer.pem --source device
expect_rc 0 "ticket authority with --source device"
run verify-ticket s2.json --trust-anchor root.pem --trust-anchor droot.pem --require-signer dsigner.pem
expect_rc 0 "--require-signer met"
run verify-ticket t.json --trust-anchor root.pem --trust-anchor droot.pem --require-signer dsigner.pem
expect_rc 10 "--require-signer not met"
expect_err "required signer .*Dist Signer" "names the required signer"

# Reports: JSON, many tickets, stdin
run verify-ticket t.json s2.json --trust-anchor root.pem --trust-anchor droot.pem --json
expect_rc 0 "two tickets"
expect_eq "$(grep -c '^{"ticket":' <<<"$OUT")" "2" "one JSON object per ticket"
expect_out '"valid":true,"code":0' "JSON verdict"
expect_out '"signatures":\[\{"index":0,"alg":"ES256"' "JSON signatures"
"$BIN/verify-ticket" - --trust-anchor root.pem <t.json >stdin.out 2>&1 && pass || fail "stdin"
grep -q '^-: VALID' stdin.out && pass || fail "stdin named -"
run verify-ticket t.json s.json --trust-anchor root.pem --at 2031-06-01T00:00:00Z
expect_rc 11 "one of two tickets expired"
expect_err "1 of 2 tickets are not valid" "batch summary"

# Bad input
run verify-ticket t.json
expect_rc 2 "no trust given"
expect_err "give trust" "says what is missing"
run verify-ticket --trust-anchor root.pem
expect_rc 2 "no ticket"
run verify-ticket t.json --trust-anchor root.pem --policy most
expect_rc 2 "bad --policy"
run verify-ticket t.json --trust-anchor root.pem --at tomorrow
expect_rc 2 "bad --at"
run verify-ticket missing.json --trust-anchor root.pem
expect_rc 5 "unreadable ticket"
expect_err "missing.json: cannot read" "names the file"
echo '{"payload":' >bad.json
run verify-ticket bad.json --trust-anchor root.pem
expect_rc 3 "malformed ticket"
run verify-ticket t.json --trust-anchor nothere.pem
expect_rc 5 "unreadable trust anchor"
head -c 2097152 /dev/zero | tr '\0' ' ' >big.json
run verify-ticket big.json --trust-anchor root.pem
expect_rc 3 "2 MiB document"
expect_err "larger than|over the limit" "size limit named"
finish
