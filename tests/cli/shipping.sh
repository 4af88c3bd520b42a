#!/usr/bin/env bash
# Shipping (issue 11, SPEC §13.4): directories and ticket-list.json as inputs of verify-ticket and
# countersign-ticket, countersign batches into --out-dir (resume, --continue-on-error), a list in
# gives the countersigned list out, verify --quiet/summary/--json payload, exit codes over many
# tickets, build-composite-ticket re-runs, bad inputs.
source "$SRC/tests/lib.sh"
source "$SRC/tests/verify_lib.sh"
make_pki
make_distributor
cat ca.pem root.pem >bundle.pem
N=${SHIPPING_N:-200}
printf 'manufacturer_name: Acme\nmodel_name: X1\nserial_number: "{serial}"\nproduct_instance_uri: "urn:acme.example:x1:{serial}"\nauthorities:\n  - bundle.pem\n' >tpl.yaml
{ echo "id,serial"; for i in $(seq 1 "$N"); do echo "d$i,$((1000 + i))"; done; } >m.csv
"$BIN/sign-ticket" --manifest m.csv --ticket-template tpl.yaml --out-dir in --key signer.key --cert signer.pem \
  --chain chain.pem >/dev/null 2>&1 || { echo "sign-ticket batch failed" >&2; exit 1; }
dist=(--key dsigner.key --cert dsigner.pem --chain droot.pem)
both=(--trust-anchor root.pem --trust-anchor droot.pem)

# ---- a directory countersigned into --out-dir, then verified --quiet
run countersign-ticket in --out-dir out "${dist[@]}" --trust-anchor root.pem
expect_rc 0 "a directory of $N tickets countersigned"
expect_eq "$(grep -c '"status":"ok"' <<<"$OUT")" "$N" "one ok result per ticket"
expect_out '^\{"row":1,"id":"d1.ticket.json","status":"ok","outputs":\{"ticket":"out/d1.ticket.json"\}\}$' "result names the output"
expect_eq "$ERR" "countersign-ticket: $N ok, 0 skipped, 0 failed of $N rows" "batch summary"
expect_eq "$(ls out | wc -l)" "$N" "one output per input"
expect_eq "$(cd in && ls)" "$(cd out && ls)" "outputs keep the input file names"
n=$(( $(stat -c %s in/d7.ticket.json) - 3 ))  # without the closing ]}\n
expect_eq "$(head -c "$n" out/d7.ticket.json | sha256sum)" "$(head -c "$n" in/d7.ticket.json | sha256sum)" \
  "payload and existing signature copied byte for byte"
"$BIN/verify-ticket" out --quiet "${both[@]}" --policy all >quiet.txt 2>&1
expect_eq "$?" "0" "verify-ticket DIR --quiet: every ticket valid"
expect_eq "$(wc -l <quiet.txt)" "$((N + 1))" "one line per ticket + the summary (2>&1)"
grep -Eq '^out/d1.ticket.json: VALID until [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' quiet.txt && pass || fail "quiet line: $(head -1 quiet.txt)"
expect_eq "$(tail -1 quiet.txt)" "$N valid, 0 invalid of $N tickets" "summary line last"
run verify-ticket out --quiet "${both[@]}"
expect_eq "$ERR" "$N valid, 0 invalid of $N tickets" "the summary goes to stderr"
expect_eq "$(grep -c . <<<"$OUT")" "$N" "the ticket lines go to stdout"

# resume: a re-run skips what exists and verifies; a foreign file is not skipped
sum=$(cat out/* | sha256sum)
run countersign-ticket in --out-dir out "${dist[@]}" --trust-anchor root.pem
expect_rc 0 "re-run"
expect_eq "$(grep -c '"status":"skipped"' <<<"$OUT")" "$N" "re-run skips every verified output"
expect_eq "$(cat out/* | sha256sum)" "$sum" "skipped outputs untouched"
cp in/d3.ticket.json out/d3.ticket.json
run countersign-ticket in --out-dir out "${dist[@]}" --trust-anchor root.pem --continue-on-error
expect_rc 5 "an output that is not ours is not skipped"
expect_out '"id":"d3.ticket.json","status":"failed","outputs":\{\},"error":\{"code":5,"message":"out/d3.ticket.json: exists but is not in/d3.ticket.json countersigned' "names the row"
rm out/d3.ticket.json

# ---- mixed inputs, several files: need --out-dir
run countersign-ticket in/d1.ticket.json in/d2.ticket.json "${dist[@]}" --trust-anchor root.pem --out x.json
expect_rc 2 "two tickets and --out"
expect_err "several tickets .* need --out-dir DIR" "says --out-dir is needed"
run countersign-ticket in "${dist[@]}" --trust-anchor root.pem
expect_rc 2 "a directory without --out-dir"
expect_err "need --out-dir DIR" "says --out-dir is needed, not --out"
mkdir -p other && cp in/d1.ticket.json other/
run countersign-ticket in/d1.ticket.json other "${dist[@]}" --trust-anchor root.pem --out-dir clash
expect_rc 2 "two inputs with one file name"
expect_err "same file name" "says why"
expect_no_file clash/d1.ticket.json "nothing written"

# ---- a ticket list in: the countersigned list out
device_yaml 1; device_yaml 2
for n in 1 2; do
  "$BIN/sign-ticket" --ticket dev-$n.yaml --key signer.key --cert signer.pem --chain chain.pem --authority bundle.pem --out t$n.json >/dev/null
done
printf 'manufacturer_name: Builder\nmodel_name: Cell\nserial_number: C1\ncomposite_instance_uri: urn:dist.example:cell:1\n' >cell.yaml
"$BIN/build-composite-ticket" --composite cell.yaml --member t1.json --member t2.json --key dsigner.key --cert dsigner.pem \
  --chain droot.pem --trust-anchor root.pem --out-dir cell >/dev/null || fail "build-composite-ticket"
"$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/droot.crl --subject "/O=Dist/CN=Shipper" \
  --key ship.key --new-key --issuer-cert droot.pem --issuer-key droot.key --out ship.pem >/dev/null
ship=(--key ship.key --cert ship.pem --chain droot.pem)
run verify-ticket cell/ticket-list.json "${both[@]}" --quiet
expect_rc 0 "verify-ticket reads the ticket-list.json build-composite-ticket writes"
expect_out '^cell/ticket-list.json#/Devices/1: VALID until' "a list member is named LIST#/Devices/N"
expect_out '^cell/ticket-list.json#/Composites/0: VALID until' "the composite member too"
run countersign-ticket cell/ticket-list.json --out-dir shipped "${ship[@]}" "${both[@]}"
expect_rc 0 "a list countersigned"
expect_out '"outputs":\{"list":"shipped/ticket-list.json"\}' "the list keeps its file name"
run verify-ticket shipped/ticket-list.json "${both[@]}" --policy all --require-signer ship.pem --quiet
expect_rc 0 "verify-ticket accepts the countersigned list"
expect_eq "$(grep -c ': VALID' <<<"$OUT")" "3" "every member valid"
expect_eq "$ERR" "3 valid, 0 invalid of 3 tickets" "summary over the members"
member() { sed -E 's/^\{"Devices":\["(.*)"\],"Composites".*/\1/; s/","/\n/g' "$1" | sed -n "$2p"; }
a=$(member cell/ticket-list.json 1); b=$(member shipped/ticket-list.json 1)
expect_eq "${b:0:$(( ${#a} - 4 ))}" "${a:0:$(( ${#a} - 4 ))}" "list member: payload and signatures byte for byte"
run countersign-ticket cell/ticket-list.json --out shipped-one.json "${ship[@]}" "${both[@]}"
expect_rc 0 "one list with --out"
expect_out "shipped-one.json: a signature on each of 3 tickets added by" "report line"
run verify-ticket shipped-one.json "${both[@]}" --require-signer ship.pem --quiet
expect_rc 0 "the list written with --out verifies"
run countersign-ticket cell/ticket-list.json --out-dir shipped "${ship[@]}" "${both[@]}"
expect_rc 0 "list re-run"
expect_out '"status":"skipped"' "a verified list output is skipped"

# ---- mixed valid/invalid directories: exit codes over many tickets (SPEC §8)
mkdir mixed && cp in/d1.ticket.json in/d2.ticket.json mixed/
run verify-ticket mixed --trust-anchor root.pem --at 2099-01-01T00:00:00Z --quiet
expect_rc 11 "all expired: that reason's code"
expect_out '^mixed/d1.ticket.json: INVALID \(.*expired' "quiet INVALID line with the reason"
expect_err "^0 valid, 2 invalid of 2 tickets" "summary"
echo '{"payload":' >mixed/d3.json
run verify-ticket mixed --trust-anchor root.pem --quiet
expect_rc 3 "one malformed among valid ones: 3"
expect_err "^2 valid, 1 invalid of 3 tickets$" "summary counts"
cp out/d5.ticket.json mixed/d5.json
run verify-ticket mixed --trust-anchor droot.pem --policy all --quiet
expect_rc 1 "mixed reasons: 1"
run verify-ticket mixed/d1.ticket.json mixed/d2.ticket.json --trust-anchor root.pem
expect_rc 0 "all valid: 0"
expect_err "^2 valid, 0 invalid of 2 tickets$" "non-quiet ends with the summary too"

# ---- --json: one object per ticket, with the decoded payload
run verify-ticket mixed/d1.ticket.json shipped/ticket-list.json "${both[@]}" --json
expect_rc 0 "--json over a file and a list"
expect_eq "$(grep -c '^{"ticket":' <<<"$OUT")" "4" "JSON Lines: one object per ticket"
expect_out '"payload":\{"product_instance_uri":"urn:acme.example:x1:1001","manufacturer_name":"Acme","model_name":"X1",.*"serial_number":"1001","manufacture_date":null,"authorities":\[\{"subject":"O=Acme,CN=Acme Device CA"' "payload fields"
expect_out '"composite_instance_uri":"urn:dist.example:cell:1".*"devices":\["urn:acme.example:x1:1","urn:acme.example:x1:2"\]' "composite fields"
run verify-ticket mixed --trust-anchor root.pem --json --quiet
expect_rc 2 "--quiet with --json"

# ---- bad inputs
echo '{"Devices":["x",1]}' >badlist.json
run verify-ticket badlist.json --trust-anchor root.pem
expect_rc 3 "a list with a non-string member"
expect_err "badlist.json: ticket list: Devices\[1\] is not a string" "names the path and the index"
echo '{"Devices":["x"],"Extra":[]}' >badlist2.json
run countersign-ticket badlist2.json --out-dir bad-out "${ship[@]}" "${both[@]}"
expect_rc 3 "countersign of a bad list"
expect_err "badlist2.json: ticket list: unknown member" "names the path"
expect_no_file bad-out "nothing written"
run verify-ticket shipped/ticket-list.json nothere.json --trust-anchor root.pem
expect_rc 5 "an unreadable input"
expect_err "nothere.json: cannot read" "names it"
head -c $(( (64 << 20) + 1 )) /dev/zero | tr '\0' ' ' >huge.json
run verify-ticket huge.json --trust-anchor root.pem
expect_rc 3 "an input over 64 MiB (the ticket list limit)"
expect_err "huge.json: larger than 67108864 bytes" "names the limit"
rm huge.json
mkdir empty
run verify-ticket empty --trust-anchor root.pem
expect_rc 5 "a directory without tickets"
expect_err "empty: no \*.json files" "says so"
run countersign-ticket - --out-dir x "${ship[@]}" "${both[@]}" </dev/null
expect_rc 2 "stdin into --out-dir"
expect_no_file x "nothing written"

# ---- countersign: an invalid ticket in the batch
mkdir partly && cp in/d1.ticket.json in/d2.ticket.json partly/ && cp mixed/d3.json partly/d0.json
run countersign-ticket partly --out-dir partly-out "${dist[@]}" --trust-anchor root.pem
expect_rc 3 "stops at the malformed ticket"
expect_no_file partly-out/d1.ticket.json "stopped before the next one"
run countersign-ticket partly --out-dir partly-out "${dist[@]}" --trust-anchor root.pem --continue-on-error
expect_rc 3 "--continue-on-error: exit status reflects the failure"
expect_file partly-out/d2.ticket.json "the valid ones are countersigned"
expect_no_file partly-out/d0.json "not the malformed one"

# ---- build-composite-ticket re-run
sum=$(cat cell/* | sha256sum)
run build-composite-ticket --composite cell.yaml --member t1.json --member t2.json --key dsigner.key --cert dsigner.pem \
  --chain droot.pem --trust-anchor root.pem --out-dir cell
expect_rc 0 "re-run with the same inputs"
expect_out "every output exists and verifies; skipped" "says it skipped"
expect_eq "$(cat cell/* | sha256sum)" "$sum" "files unchanged"
cp t1.json cell/urn_acme.example_x1_1.ticket.json
run build-composite-ticket --composite cell.yaml --member t1.json --member t2.json --key dsigner.key --cert dsigner.pem \
  --chain droot.pem --trust-anchor root.pem --out-dir cell
expect_rc 5 "an output that does not verify is not skipped"
expect_err "urn_acme.example_x1_1.ticket.json: exists but is not this composite's output" "names it"
finish
