#!/usr/bin/env bash
# sign-ticket --manifest: one ticket per row, JSONL results, validation before signing,
# resume by skipping verified tickets, --continue-on-error, --force (SPEC §10).
source "$SRC/tests/lib.sh"
make_pki
cat ca.pem root.pem >bundle.pem
cat >tpl.yaml <<'YAML'
manufacturer_name: Acme
model_name: "{model}"
serial_number: {serial}
product_instance_uri: "urn:acme.example:{model}:{serial}"
authorities:
  - bundle.pem
YAML
{ echo "id,model,serial"; for i in 1 2 3 4 5; do echo "dev-$i,x1,100$i"; done; } >m.csv
signer=(--key signer.key --cert signer.pem --chain chain.pem)

run sign-ticket --manifest m.csv --ticket-template tpl.yaml --out-dir out "${signer[@]}"
expect_rc 0 "batch of 5"
expect_eq "$(grep -c '"status":"ok"' <<<"$OUT")" "5" "five ok results"
expect_out '^\{"row":1,"id":"dev-1","status":"ok","outputs":\{"ticket":"out/dev-1.ticket.json"\}\}$' "JSONL result line"
expect_file out/dev-5.ticket.json "ticket per row"
expect_eq "$ERR" "sign-ticket: 5 ok, 0 skipped, 0 failed of 5 rows" "only the summary on stderr off a terminal"
sum=$(cat out/*.json | sha256sum)

run sign-ticket --manifest m.csv --ticket-template tpl.yaml --out-dir out "${signer[@]}"
expect_rc 0 "re-run"
expect_eq "$(grep -c '"status":"skipped"' <<<"$OUT")" "5" "re-run skips verified tickets"
expect_eq "$(cat out/*.json | sha256sum)" "$sum" "skipped tickets untouched"

sig_of() { sed -E 's/.*"signature":"([^"]*)".*/\1/' "$1"; }
sed -i "s/$(sig_of out/dev-3.ticket.json)/$(sig_of out/dev-4.ticket.json)/" out/dev-3.ticket.json  # a copied signature
run sign-ticket --manifest m.csv --ticket-template tpl.yaml --out-dir out "${signer[@]}" --continue-on-error
expect_rc 5 "a tampered existing ticket is not skipped"
expect_out '"row":3.*"status":"failed".*"error":\{"code":5,"message":".*exists but is not this row' "row 3 reported"
expect_eq "$(grep -c '"status":"skipped"' <<<"$OUT")" "4" "--continue-on-error goes on"
run sign-ticket --manifest m.csv --ticket-template tpl.yaml --out-dir out "${signer[@]}"
expect_eq "$(grep -c . <<<"$OUT")" "3" "without --continue-on-error the run stops at the first failure"
run sign-ticket --manifest m.csv --ticket-template tpl.yaml --out-dir out "${signer[@]}" --force --results res.jsonl
expect_rc 0 "--force re-signs"
expect_eq "$(grep -c '"status":"ok"' res.jsonl)" "5" "--results file"

{ echo "id,model,serial"; echo "a,x1,1"; echo "b,x1,bad serial"; echo "c,x1,3"; } >bad.csv
run sign-ticket --manifest bad.csv --ticket-template tpl.yaml --out-dir out2 "${signer[@]}"
expect_rc 3 "a bad row fails validation"
expect_err "bad.csv: row 2 \(line 3\): tpl.yaml:4:23: product_instance_uri" "names the row and the template position"
expect_no_file out2/a.ticket.json "nothing signed when any row is invalid"
{ echo "id,model"; echo "a,x1"; } >nocol.csv
run sign-ticket --manifest nocol.csv --ticket-template tpl.yaml --out-dir out2 "${signer[@]}"
expect_rc 3 "missing column"
expect_err "uses column 'serial', which is missing" "missing column named"
{ echo "id,model,serial"; echo "a,x1,1"; echo "b,x1,1"; } >dup.csv
run sign-ticket --manifest dup.csv --ticket-template tpl.yaml --out-dir out2 "${signer[@]}"
expect_rc 3 "duplicate ProductInstanceUri"
run sign-ticket --manifest m.csv --out-dir out2 "${signer[@]}"
expect_rc 2 "--manifest without --ticket-template"
run sign-ticket --manifest m.csv --ticket-template tpl.yaml --out-dir out2 --key ca.key --cert signer.pem --chain chain.pem
expect_rc 4 "batch cert/key mismatch"
expect_no_file out2/dev-1.ticket.json "nothing written"

printf '{"serial":"7","model":"x2"}\n{"serial":"8","model":"x2"}\n' >m.jsonl
run sign-ticket --manifest m.jsonl --ticket-template tpl.yaml --out-dir out3 "${signer[@]}"
expect_rc 0 "JSON Lines manifest"
expect_file out3/7.ticket.json "id falls back to the SerialNumber"
expect_no_temp out "no temporary files left"
finish
