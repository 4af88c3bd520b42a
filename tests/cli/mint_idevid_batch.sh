# mint-idevid --manifest: one process for many devices (SPEC §10): results, resume, errors.
source "$SRC/tests/lib.sh"
make_pki
cat > devices.csv <<'CSV'
product_instance_uri,serial_number,model
urn:acme.example:x1:1001,1001,X1
urn:acme.example:x1:1002,1002,X1
"tag:acme.example,2026-01:x1:1003",1003,"X1, rev ""B"""
CSV
mkdir keys
run mint-idevid --manifest devices.csv --out-dir out --ca-cert ca.pem --ca-key ca.key \
  --device-key-template 'file:keys/{serial_number}.key' --new-key
expect_rc 0 "CSV batch"
expect_eq "$(grep -c '"status":"ok"' <<<"$OUT")" 3 "three ok results"
for sn in 1001 1002 1003; do
  openssl verify -CAfile root.pem -untrusted ca.pem "out/$sn.pem" >/dev/null && pass || fail "openssl verify out/$sn.pem"
  expect_eq "$(openssl x509 -in out/$sn.pem -noout -pubkey)" "$(openssl pkey -in keys/$sn.key -pubout)" "key of $sn"
done
openssl x509 -in out/1003.pem -noout -text | grep -q 'URI:tag:acme.example,2026-01:x1:1003' && pass || fail "quoted CSV field with comma"
openssl x509 -in out/1003.pem -noout -subject -nameopt utf8,sep_comma_plus | grep -qF 'CN=X1, rev "B",' && pass || fail "quoted CSV field with quotes"
expect_eq "$ERR" "mint-idevid: 3 ok, 0 skipped, 0 failed of 3 rows" "off a terminal: no progress, only the summary"

# re-run: everything already done is skipped, nothing rewritten
before=$(md5sum out/*.pem)
run mint-idevid --manifest devices.csv --out-dir out --ca-cert ca.pem --ca-key ca.key \
  --device-key-template 'file:keys/{serial_number}.key' --new-key --results results.jsonl
expect_rc 0 "re-run"
expect_eq "$(grep -c '"status":"skipped"' results.jsonl)" 3 "re-run skips done rows"
expect_eq "$(md5sum out/*.pem)" "$before" "re-run rewrites nothing"

# resume after a partial run: remove one cert, the re-run mints only that one with the same key
rm out/1002.pem
run mint-idevid --manifest devices.csv --out-dir out --ca-cert ca.pem --ca-key ca.key \
  --device-key-template 'file:keys/{serial_number}.key' --new-key
expect_rc 0 "resume"
expect_eq "$(grep -c '"status":"ok"' <<<"$OUT")" 1 "resume mints the missing row"
expect_eq "$(openssl x509 -in out/1002.pem -noout -pubkey)" "$(openssl pkey -in keys/1002.key -pubout)" "resume reuses the key"

# JSON Lines manifest with CSRs (relative to the manifest) and an id column
mkdir -p jl
for i in 1 2; do
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout jl/$i.key -subj "/CN=d$i" -out jl/$i.csr 2>/dev/null
done
printf '{"id":"dev-a","product_instance_uri":"urn:acme.example:jl:1","serial_number":"J1","csr":"1.csr"}\n{"id":"dev-b","product_instance_uri":"urn:acme.example:jl:2","serial_number":"J2","csr":"2.csr"}\n' > jl/devices.jsonl
run mint-idevid --manifest jl/devices.jsonl --out-dir jl/out --ca-cert ca.pem --ca-key ca.key
expect_rc 0 "JSONL batch with CSRs"
expect_file jl/out/dev-a.pem "id column names the output"
expect_eq "$(openssl x509 -in jl/out/dev-b.pem -noout -pubkey)" "$(openssl pkey -in jl/2.key -pubout)" "CSR key used"

# ---- bad manifests: exit 3, row number in the message, nothing minted
printf 'product_instance_uri,model\nurn:a:1,X\n' > nocol.csv
run mint-idevid --manifest nocol.csv --out-dir o1 --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:keys/{serial_number}.k' --new-key
expect_rc 3 "missing column"; expect_err "row 1.*missing column 'serial_number'" "missing column message"; expect_no_file o1 "missing column: no output dir"
printf 'product_instance_uri,serial_number\nurn:a:1,1\nurn:a:2,2\nurn:a:1,3\n' > dup.csv
run mint-idevid --manifest dup.csv --out-dir o2 --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:keys/d{serial_number}.k' --new-key
expect_rc 3 "duplicate URI"; expect_err "row 3 .*duplicate ProductInstanceUri urn:a:1" "duplicate message"; expect_no_file keys/d1.k "duplicate: nothing minted"
printf 'product_instance_uri,serial_number\nurn:a:1,1\nurn:a:2,"2\nurn:a:3,3,extra\n' > bad.csv
run mint-idevid --manifest bad.csv --out-dir o3 --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:keys/b{serial_number}.k' --new-key
expect_rc 3 "malformed row"; expect_err "bad.csv: row 2 \(line 3\)" "malformed row message"
printf '{"product_instance_uri":"urn:a:1","serial_number":"1"}\n{not json}\n' > bad.jsonl
run mint-idevid --manifest bad.jsonl --out-dir o4 --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:keys/j{serial_number}.k' --new-key
expect_rc 3 "malformed JSONL row"; expect_err "row 2 \(line 2\): invalid JSON" "JSONL row message"
printf 'product_instance_uri,serial_number\nrelative/uri,1\n' > rel.csv
run mint-idevid --manifest rel.csv --out-dir o5 --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:keys/r{serial_number}.k' --new-key
expect_rc 3 "bad URI in a row"; expect_err "row 1" "bad URI row number"
run mint-idevid --manifest devices.csv --out-dir o6 --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:keys/{nosuch}.k' --new-key
expect_rc 3 "template names a missing column"
run mint-idevid --manifest nothere.csv --out-dir o7 --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:keys/{serial_number}.k'
expect_rc 5 "manifest missing"
run mint-idevid --manifest devices.csv --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:keys/{serial_number}.k'
expect_rc 2 "--manifest without --out-dir"

run mint-idevid --manifest devices.csv --out-dir o8 --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:keys/{serial_number}.k' --serial-number 5
expect_rc 2 "--manifest with a single-device flag"

# keys lost after a run: the re-run refuses the rows and leaves no new key behind
mkdir lost && cp -r out lost/out && mkdir lost/keys
run mint-idevid --manifest devices.csv --out-dir lost/out --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:lost/keys/{serial_number}.key' --new-key --continue-on-error
expect_rc 5 "certificates exist for other keys"
expect_eq "$(ls lost/keys | wc -l)" 0 "no stray key files"

# a failing row: stop at the first failure, or go on with --continue-on-error; exit code reflects it
printf 'product_instance_uri,serial_number\nurn:c:1,c1\nurn:c:2,c2\nurn:c:3,c3\n' > cont.csv
mkdir ck && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ck/c1.key 2>/dev/null && cp ck/c1.key ck/c3.key
run mint-idevid --manifest cont.csv --out-dir co --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:ck/{serial_number}.key'
expect_rc 4 "stops at the missing key of row 2"
expect_eq "$(grep -c '"status":"failed"' <<<"$OUT")" 1 "one failed result"
expect_no_file co/c3.pem "stopped before row 3"
rm -rf co
run mint-idevid --manifest cont.csv --out-dir co --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:ck/{serial_number}.key' --continue-on-error
expect_rc 4 "--continue-on-error still fails the run"
expect_file co/c3.pem "--continue-on-error goes on"
grep '"row":2' <<<"$OUT" | grep -q '"status":"failed","outputs":{},"error":{"code":4,"message":".*c2.key' && pass || fail "error result names the key"
expect_err "2 ok, 0 skipped, 1 failed of 3 rows" "summary counts the failed row"
# on a terminal: a progress bar with rate and ETA on stderr (script(1) provides the pty)
if command -v script >/dev/null; then
  bar=$(script -qec "$BIN/mint-idevid --manifest devices.csv --out-dir tty-out --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:keys/{serial_number}.key' --results tty.jsonl" /dev/null)
  grep -q '3/3 .*/s ETA' <<<"$bar" && pass || fail "progress bar on a terminal: $bar"
  expect_eq "$(grep -c '"status":"ok"' tty.jsonl)" 3 "results file while on a terminal"
fi
expect_no_temp out "batch out dir"; expect_no_temp keys "batch key dir"
finish
