# The one batch runner under every per-device tool (SPEC §13.3): --check (every bad row, nothing
# created), the results schema for each tool, --inline, --manifest -, the summary line,
# --continue-on-error, and SIGINT/SIGTERM between rows with a resuming re-run.
source "$SRC/tests/lib.sh"
make_pki

# Every results line must be exactly the schema; prints the number of lines checked.
check_schema() {
  python3 - "$1" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    keys = list(r)
    assert keys[:4] == ["row", "id", "status", "outputs"], keys
    assert isinstance(r["row"], int) and r["row"] >= 1, r
    assert isinstance(r["id"], str) and r["id"], r
    assert r["status"] in ("ok", "skipped", "failed"), r
    assert isinstance(r["outputs"], dict) and all(isinstance(v, str) for v in r["outputs"].values()), r
    if r["status"] == "failed":
        assert keys == ["row", "id", "status", "outputs", "error"], keys
        assert set(r["error"]) == {"code", "message"} and isinstance(r["error"]["code"], int), r
    else:
        assert keys == ["row", "id", "status", "outputs"], keys
    n += 1
print(n)
PY
}

# ---- --check: three bad rows (missing value, bad URI, past not_after), all reported, nothing created
cat >bad.csv <<'CSV'
product_instance_uri,serial_number,not_after
urn:acme.example:x1:1,1,
urn:acme.example:x1:2,,
relative/uri,3,
urn:acme.example:x1:4,4,
urn:acme.example:x1:5,5,2001-01-01T00:00:00Z
CSV
mint=(mint-idevid --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:keys/{serial_number}.key' --new-key)
run "${mint[@]}" --manifest bad.csv --out-dir out --check
expect_rc 3 "--check with bad rows"
for r in 2 3 5; do grep -q "bad.csv: row $r (line $((r + 1))): " <<<"$ERR" && pass || fail "--check names row $r: $ERR"; done
grep -q "row 2 .*serial number is empty" <<<"$ERR" && pass || fail "missing value explained"
grep -q "row 5 .*in the past" <<<"$ERR" && pass || fail "past not_after explained"
grep -Eq "row (1|4) " <<<"$ERR" && fail "good rows reported: $ERR" || pass
expect_eq "$(tail -1 <<<"$ERR")" "mint-idevid: error: bad.csv: 3 of 5 rows are bad; nothing was made" "last line counts the bad rows"
expect_no_file out "--check: no out-dir"; expect_no_file keys "--check: no key directory"
expect_eq "$OUT" "" "--check: no results"
# without --check the same validation stops the run before anything is made
mkdir keys
run "${mint[@]}" --manifest bad.csv --out-dir out
expect_rc 3 "bad rows stop the run"
expect_eq "$(grep -c 'bad.csv: row' <<<"$ERR")" 3 "all three bad rows reported"
expect_no_file out "no out-dir"; expect_eq "$(ls keys | wc -l)" 0 "no key files"
# a clean manifest passes --check and still creates nothing
grep -v -e ',,' -e relative -e 2001 bad.csv >good.csv
run "${mint[@]}" --manifest good.csv --out-dir out --check
expect_rc 0 "--check on good rows"
expect_err "good.csv: 2 rows, all valid" "--check says so"
expect_no_file out "--check: still no out-dir"; expect_eq "$(ls keys | wc -l)" 0 "--check: still no keys"

# ---- mint-idevid: results schema, summary, --manifest -, --inline
run "${mint[@]}" --manifest good.csv --out-dir out --results res.jsonl
expect_rc 0 "mint batch"
expect_eq "$(check_schema res.jsonl)" 2 "mint-idevid results schema"
expect_eq "$(python3 -c 'import json,sys; r=json.loads(open("res.jsonl").readline()); print(r["outputs"]["cert"], r["outputs"]["key"])')" \
  "out/1.pem file:keys/1.key" "outputs: cert path and key URI"
expect_eq "$ERR" "mint-idevid: 2 ok, 0 skipped, 0 failed of 2 rows" "summary line"
run "${mint[@]}" --manifest - --out-dir out <good.csv
expect_rc 0 "--manifest - (re-run from stdin)"
expect_eq "$(grep -c '"status":"skipped"' <<<"$OUT")" 2 "stdin manifest: second pass sees the rows kept from the first"
expect_err "0 ok, 2 skipped, 0 failed of 2 rows" "stdin summary"
printf 'product_instance_uri,serial_number\nurn:acme.example:in:1,i1\nurn:acme.example:in:2,i2\n' >inl.csv
run "${mint[@]}" --manifest - --inline <inl.csv
expect_rc 0 "--inline without --out-dir, manifest on stdin"
printf '%s\n' "$OUT" >inl.jsonl
expect_eq "$(check_schema inl.jsonl)" 2 "--inline results schema"
python3 -c 'import json,sys; print(json.loads(open("inl.jsonl").readline())["outputs"]["cert"], end="")' >inl1.pem
openssl verify -CAfile root.pem -untrusted ca.pem inl1.pem >/dev/null && pass || fail "--inline PEM verifies"
openssl x509 -in inl1.pem -noout -ext subjectAltName | grep -q 'URI:urn:acme.example:in:1' && pass || fail "--inline PEM is row 1's"
expect_eq "$(openssl x509 -in inl1.pem -noout -pubkey)" "$(openssl pkey -in keys/i1.key -pubout)" "--inline: the device key stays a key file"
expect_eq "$(ls | grep -c '^i[12]\.pem$')" 0 "--inline writes no certificate files"

# a manifest on stdin is kept in memory: above 64 MiB it is refused, nothing created
python3 -c 'import sys; sys.stdout.write("product_instance_uri,serial_number\n" + "urn:a:1,1\n" * 7000000)' |
  "$BIN/mint-idevid" --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:k/{serial_number}' --manifest - --out-dir big-stdin >/dev/null 2>big-stdin.err
RC=$?; ERR=$(cat big-stdin.err)
expect_rc 3 "stdin manifest over 64 MiB"
expect_err "a manifest on stdin is limited to 64 MiB" "stdin limit message"
expect_no_file big-stdin "stdin limit: nothing created"

# ---- --continue-on-error past a row that fails while being made
printf 'product_instance_uri,serial_number\nurn:c:1,c1\nurn:c:2,c2\nurn:c:3,c3\n' >cont.csv
mkdir ck && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ck/c1.key 2>/dev/null && cp ck/c1.key ck/c3.key
run mint-idevid --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:ck/{serial_number}.key' --manifest cont.csv --out-dir co --continue-on-error
expect_rc 4 "continue-on-error: exit of the failed row"
printf '%s\n' "$OUT" >cont.jsonl
expect_eq "$(check_schema cont.jsonl)" 3 "failed row follows the schema"
expect_eq "$(grep -c '"status":"failed","outputs":{},"error":{"code":4,' cont.jsonl)" 1 "one failed row with its code"
expect_err "2 ok, 0 skipped, 1 failed of 3 rows" "summary with a failure"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:ck/{serial_number}.key' --manifest cont.csv --out-dir co
expect_rc 4 "without --continue-on-error the run stops"
expect_eq "$(grep -c . <<<"$OUT")" 2 "stopped after the failed row (row 1 skipped, row 2 failed)"

# ---- sign-ticket: schema, --check, --inline
cat ca.pem root.pem >bundle.pem
printf 'manufacturer_name: Acme\nserial_number: "{serial}"\nproduct_instance_uri: "urn:acme.example:t:{serial}"\nauthorities:\n  - bundle.pem\n' >tpl.yaml
{ echo "id,serial"; echo "t1,1"; echo "t2,2"; } >t.csv
signer=(--ticket-template tpl.yaml --key signer.key --cert signer.pem --chain chain.pem)
run sign-ticket --manifest t.csv --out-dir tk "${signer[@]}" --results t.jsonl
expect_rc 0 "sign-ticket batch"
expect_eq "$(check_schema t.jsonl)" 2 "sign-ticket results schema"
{ echo "id,serial"; echo "t1,1"; echo "t2,bad serial"; echo "t3,1"; } >tbad.csv
run sign-ticket --manifest tbad.csv --out-dir tk2 "${signer[@]}" --check
expect_rc 3 "sign-ticket --check"
grep -q "tbad.csv: row 2 " <<<"$ERR" && grep -q "tbad.csv: row 3 .*duplicate" <<<"$ERR" && pass || fail "sign-ticket --check lists rows 2 and 3: $ERR"
expect_no_file tk2 "sign-ticket --check creates nothing"
run sign-ticket --manifest t.csv --inline "${signer[@]}"
expect_rc 0 "sign-ticket --inline"
python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["outputs"]["ticket"], end="")' <<<"$OUT" >inline.ticket.json
if [ -x "$BIN/verify-ticket" ]; then
  run verify-ticket inline.ticket.json --trust-anchor root.pem
  expect_rc 0 "the --inline ticket verifies"
fi

# ---- print-label: schema, --check, --inline (PNG in base64)
{ echo "id,product_instance_uri"; echo "l1,https://id.example.com/1"; echo "l2,https://id.example.com/2"; } >l.csv
if [ -x "$BIN/print-label" ]; then
  run print-label --manifest l.csv --out-dir lb --format svg --results l.jsonl
  expect_rc 0 "print-label batch"
  expect_eq "$(check_schema l.jsonl)" 2 "print-label results schema"
  { echo "id,product_instance_uri"; echo "l1,not a uri"; echo "l2,https://id.example.com/2"; echo "l3,also bad"; } >lbad.csv
  run print-label --manifest lbad.csv --out-dir lb2 --format png --check
  expect_rc 3 "print-label --check"
  grep -q "row 1 " <<<"$ERR" && grep -q "row 3 " <<<"$ERR" && pass || fail "print-label --check lists rows 1 and 3: $ERR"
  expect_no_file lb2 "print-label --check creates nothing"
  run print-label --manifest l.csv --format png --inline
  expect_rc 0 "print-label --inline"
  python3 -c 'import json,sys,base64; sys.stdout.buffer.write(base64.b64decode(json.loads(sys.stdin.readline())["outputs"]["label"]))' <<<"$OUT" >inl.png
  if command -v zbarimg >/dev/null; then
    expect_eq "$(zbarimg -q --raw --nodbus inl.png 2>/dev/null)" "https://id.example.com/1" "--inline PNG decodes"
  fi
fi

# ---- issue-ldevid --manifest: from_idevid / csr columns, composite, --check, schema
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ld.key -subj "/CN=ld" -out ld.csr 2>/dev/null
mkdir ld && cp out/1.pem ld/idevid1.pem && cp ld.csr ld/
cat >ld/m.csv <<'CSV'
id,product_instance_uri,composite_instance_uri,from_idevid,csr
a,urn:acme.example:x1:1,urn:acme.example:cell:9,idevid1.pem,
b,urn:acme.example:x1:77,,,ld.csr
CSV
run issue-ldevid --manifest ld/m.csv --out-dir ldo --ca-cert ca.pem --ca-key ca.key --results ld.jsonl
expect_rc 0 "issue-ldevid --manifest"
expect_eq "$(check_schema ld.jsonl)" 2 "issue-ldevid results schema"
openssl x509 -in ldo/a.pem -noout -ext subjectAltName | grep -q 'URI:urn:acme.example:x1:1, URI:urn:acme.example:cell:9' && pass || fail "composite LDevID carries both URIs"
expect_eq "$(openssl x509 -in ldo/a.pem -noout -pubkey)" "$(openssl x509 -in out/1.pem -noout -pubkey)" "from_idevid: the IDevID's key"
expect_eq "$(openssl x509 -in ldo/b.pem -noout -pubkey)" "$(openssl pkey -in ld.key -pubout)" "csr column, relative to the manifest"
run issue-ldevid --manifest ld/m.csv --out-dir ldo --ca-cert ca.pem --ca-key ca.key
expect_eq "$(grep -c '"status":"skipped"' <<<"$OUT")" 2 "issue-ldevid re-run skips"
cat >ld/bad.csv <<'CSV'
id,product_instance_uri,composite_instance_uri,from_idevid,csr
a,urn:acme.example:x1:1,urn:acme.example:x1:1,idevid1.pem,
b,urn:acme.example:x1:77,,idevid1.pem,ld.csr
c,urn:acme.example:x1:78,,,
CSV
run issue-ldevid --manifest ld/bad.csv --out-dir ldo2 --ca-cert ca.pem --ca-key ca.key --check
expect_rc 3 "issue-ldevid --check"
expect_eq "$(grep -c 'bad.csv: row' <<<"$ERR")" 3 "issue-ldevid --check lists all three rows"
expect_no_file ldo2 "issue-ldevid --check creates nothing"

# ---- countersign-ticket --manifest: rows name `ticket`; validated first; --check; re-run skips
if [ -x "$BIN/countersign-ticket" ] && [ -x "$BIN/verify-ticket" ]; then
  mkdir cs && cp tk/t1.ticket.json tk/t2.ticket.json cs/
  printf 'ticket,composite_instance_uri\nt1.ticket.json,\nt2.ticket.json,urn:builder.example:line:7\n' >cs/m.csv
  # A distributor's signer: the manufacturer's own certificate may not sign the same ticket twice (SPEC §13.2).
  "$BIN/create-authority" --profile ticket-signer --subject "/O=Dist/CN=Dist Signer" --key dist.key --new-key \
    --issuer-cert root.pem --issuer-key root.key --crl-url http://crl.example.com/root.crl --out dist.pem >/dev/null
  cs=(--key dist.key --cert dist.pem --chain root.pem --trust-anchor root.pem)
  run countersign-ticket --manifest cs/m.csv --out-dir cso "${cs[@]}" --results cs.jsonl
  expect_rc 0 "countersign-ticket --manifest"
  expect_eq "$(check_schema cs.jsonl)" 2 "countersign-ticket results schema"
  expect_eq "$(python3 -c 'import json; print(json.loads(open("cs.jsonl").readline())["id"])')" "t1" "id from the ticket's file name"
  expect_eq "$(grep -o '"protected"' cso/t2.ticket.json | wc -l)" 2 "a signature appended"
  run verify-ticket cso/t1.ticket.json cso/t2.ticket.json --trust-anchor root.pem --policy all
  expect_rc 0 "countersigned tickets verify"
  run countersign-ticket --manifest cs/m.csv --out-dir cso "${cs[@]}"
  expect_eq "$(grep -c '"status":"skipped"' <<<"$OUT")" 2 "countersign re-run skips"
  printf 'ticket,composite_instance_uri\n,\nt2.ticket.json,not a uri\nt1.ticket.json,\n' >cs/bad.csv
  run countersign-ticket --manifest cs/bad.csv --out-dir cso2 "${cs[@]}" --check
  expect_rc 3 "countersign-ticket --check"
  expect_eq "$(grep -c 'bad.csv: row [12] ' <<<"$ERR")" 2 "countersign --check lists rows 1 and 2"
  expect_no_file cso2 "countersign --check creates nothing"
  run countersign-ticket --manifest - --inline "${cs[@]}" <<<"$(printf 'ticket\ncs/t1.ticket.json\n')"
  expect_rc 0 "countersign --inline from stdin"
  python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["outputs"]["ticket"], end="")' <<<"$OUT" >cs-inline.json
  run verify-ticket cs-inline.json --trust-anchor root.pem --policy all
  expect_rc 0 "the --inline countersigned ticket verifies"
fi

# ---- SIGINT / SIGTERM between rows: results = files on disk (± the row in flight), resume
N=${INTERRUPT_ROWS:-3000}
{ echo "product_instance_uri,serial_number"; for i in $(seq 1 "$N"); do echo "urn:acme.example:int:$i,$i"; done; } >big.csv
# Start the batch, send SIG once DIR holds at least MIN files (or it ends); RC = its exit status.
signal_midway() {
  local sig=$1 dir=$2 min=$3; shift 3
  "$@" >sig.out 2>sig.err &
  local pid=$! i
  for i in $(seq 1 3000); do
    [ "$(ls "$dir" 2>/dev/null | wc -l)" -ge "$min" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.01
  done
  kill -"$sig" $pid 2>/dev/null
  wait $pid
  RC=$?
}
big=(--ca-cert ca.pem --ca-key ca.key --device-key-template 'file:bk/{serial_number}.key' --new-key --manifest big.csv --out-dir bo)
mkdir bk
signal_midway INT bo 50 "$BIN/mint-idevid" "${big[@]}" --results big.jsonl
done_files=$(ls bo | wc -l)
lines=$(grep -c . big.jsonl)
expect_rc 130 "SIGINT: exit 130"
[ "$done_files" -lt "$N" ] && pass || fail "SIGINT did not land mid-run ($done_files of $N)"
[ "$lines" -ge $((done_files - 1)) ] && [ "$lines" -le "$done_files" ] && pass || fail "results ($lines) = files on disk ($done_files) ± 1"
last=$(tail -1 big.jsonl | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["row"])')
grep -qx "mint-idevid: interrupted after row $last; run the same command again to resume" sig.err && pass || fail "interruption line: $(cat sig.err)"
grep -q "ok, 0 skipped, 0 failed of $N rows" sig.err && pass || fail "summary before the interruption line: $(cat sig.err)"
expect_no_temp bo "SIGINT: no temporary file"; expect_no_temp bk "SIGINT: no temporary key"
run mint-idevid "${big[@]}" --results big2.jsonl
expect_rc 0 "re-run after SIGINT completes"
expect_eq "$(ls bo | wc -l)" "$N" "one certificate per row after the re-run"
expect_eq "$(grep -c '"status":"skipped"' big2.jsonl)" "$done_files" "the re-run skips the done rows"
expect_eq "$(grep -c '"status":"ok"' big2.jsonl)" "$((N - done_files))" "the re-run makes the rest"
for i in 1 "$N"; do
  expect_eq "$(openssl x509 -in "bo/$i.pem" -noout -pubkey)" "$(openssl pkey -in "bk/$i.key" -pubout)" "certificate $i holds key $i"
done

M=1000  # large enough that the signal lands mid-run on a quiet machine too
head -$((M + 1)) big.csv >mid.csv
mid=(--ca-cert ca.pem --ca-key ca.key --device-key-template 'file:tk3/{serial_number}.key' --new-key --manifest mid.csv --out-dir to)
mkdir tk3
signal_midway TERM to 20 "$BIN/mint-idevid" "${mid[@]}" --results mid.jsonl
done_files=$(ls to | wc -l)
expect_rc 143 "SIGTERM: exit 143"
[ "$done_files" -lt "$M" ] && pass || fail "SIGTERM did not land mid-run ($done_files of $M)"
lines=$(grep -c . mid.jsonl)
[ "$lines" -ge $((done_files - 1)) ] && [ "$lines" -le "$done_files" ] && pass || fail "SIGTERM: results ($lines) = files ($done_files) ± 1"
grep -q "interrupted after row .*; run the same command again to resume" sig.err && pass || fail "SIGTERM interruption line"
run mint-idevid "${mid[@]}"
expect_rc 0 "re-run after SIGTERM"
expect_eq "$(grep -c '"status":"skipped"' <<<"$OUT")" "$done_files" "SIGTERM re-run skips the done rows"
expect_eq "$(ls to | wc -l)" "$M" "SIGTERM re-run completes"
finish
