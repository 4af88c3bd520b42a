#!/usr/bin/env bash
# Crash safety (issue 6, SPEC §10/§11): a batch killed with SIGKILL mid-run is completed by a
# re-run; every output verifies; no partial or temporary file is left in the output directory.
# Output files are linked into place only when complete (O_TMPFILE), and a re-run removes
# complete files a killed --force run left under a `.tmp-PID-` name.
source "$SRC/tests/lib.sh"
make_pki
N=${CRASH_ROWS:-400}

# Start "$@" in the background, SIGKILL it once DIR holds at least MIN files (or it ends).
kill_midway() {
  local dir=$1 min=$2; shift 2
  "$@" >killed.out 2>killed.err &
  local pid=$! i
  for i in $(seq 1 600); do
    [ "$(ls "$dir" 2>/dev/null | wc -l)" -ge "$min" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.01
  done
  kill -KILL $pid 2>/dev/null && KILLED=1 || KILLED=0
  wait $pid 2>/dev/null
  return 0
}

# ---- mint-idevid --manifest with new file keys ----
{ echo "product_instance_uri,serial_number"; for i in $(seq 1 "$N"); do echo "urn:acme.example:x1:$i,$i"; done; } >devices.csv
mkdir keys
mint=(mint-idevid --manifest devices.csv --out-dir out --ca-cert ca.pem --ca-key ca.key
      --device-key-template 'file:keys/{serial_number}.key' --new-key)
kill_midway out 20 "$BIN/${mint[0]}" "${mint[@]:1}"
done_before=$(ls out | wc -l)
if [ "$KILLED" = 1 ] && [ "$done_before" -lt "$N" ]; then pass; else fail "mint-idevid was not killed mid-run ($done_before of $N done)"; fi
expect_no_temp out "mint-idevid killed: no temporary file"
expect_no_temp keys "mint-idevid killed: no temporary key file"
# A --force run killed between its two steps leaves a complete file under a temporary name
# (simulated: a dead process's name); the re-run must remove it.
cp out/1.pem "out/.tmp-999999999-1-1.pem"
run "${mint[@]}" --results results.jsonl
expect_rc 0 "mint-idevid re-run completes the manifest"
expect_eq "$(ls out/*.pem | wc -l)" "$N" "one certificate per row"
expect_eq "$(grep -c '"status":"skipped"' results.jsonl)" "$done_before" "rows done before the kill are skipped"
expect_no_temp out "mint-idevid re-run: stale temporary files removed"
bad=0
cat ca.pem >untrusted.pem
openssl verify -CAfile root.pem -untrusted untrusted.pem out/*.pem >verify.txt 2>&1 || bad=1
expect_eq "$(grep -c ': OK$' verify.txt)" "$N" "openssl verify: every certificate"
for i in 1 $((N / 2)) "$N"; do
  expect_eq "$(openssl x509 -in "out/$i.pem" -noout -pubkey)" "$(openssl pkey -in "keys/$i.key" -pubout)" "certificate $i holds key $i"
done
[ "$(stat -c %a keys/1.key)" = 600 ] && pass || fail "key files 0600"

# ---- sign-ticket --manifest ----
# Signing is fast (well under a millisecond a ticket): grow the batch until the kill lands mid-run.
if [ -x "$BIN/sign-ticket" ]; then
  cat ca.pem root.pem >bundle.pem
  printf 'manufacturer_name: Acme\nserial_number: "{serial}"\nproduct_instance_uri: "urn:acme.example:x1:{serial}"\nauthorities:\n  - bundle.pem\n' >tpl.yaml
  for M in 3000 12000 40000; do
    rm -rf tickets
    { echo "id,serial"; seq 1 "$M" | sed 's/.*/dev-&,&/'; } >tickets.csv
    sign=(sign-ticket --manifest tickets.csv --ticket-template tpl.yaml --out-dir tickets --key signer.key --cert signer.pem --chain chain.pem)
    kill_midway tickets 1 "$BIN/${sign[0]}" "${sign[@]:1}"
    done_before=$(ls tickets 2>/dev/null | wc -l)
    [ "$KILLED" = 1 ] && [ "$done_before" -gt 0 ] && [ "$done_before" -lt "$M" ] && break
  done
  if [ "$KILLED" = 1 ] && [ "$done_before" -lt "$M" ]; then pass; else fail "sign-ticket was not killed mid-run ($done_before of $M done)"; fi
  expect_no_temp tickets "sign-ticket killed: no temporary file"
  run "${sign[@]}" --results tresults.jsonl
  expect_rc 0 "sign-ticket re-run completes the manifest"
  expect_eq "$(ls tickets | grep -c '\.ticket\.json$')" "$M" "one ticket per row"
  expect_eq "$(grep -c '"status":"skipped"' tresults.jsonl)" "$done_before" "tickets done before the kill are skipped"
  expect_no_temp tickets "sign-ticket re-run: no temporary file"
  if [ -x "$BIN/verify-ticket" ]; then
    run verify-ticket tickets/*.ticket.json --trust-anchor root.pem
    expect_rc 0 "verify-ticket: every ticket valid"
  fi
fi
finish
