# A manifest's `tcti` column (issue 13): one TPM per device on a line station. Two swtpms, one per
# row, the same --device-key-template handle in each: every row's key is created in its own TPM
# and its IDevID certifies that key; a row without a tcti value uses --tcti; a row naming a TPM
# that is not there fails with 4 while the others are minted (--continue-on-error); a re-run
# skips the done rows, opening each key in its own TPM.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
start_tpm   # $T/tpm, exports the TCTI variables (used as --tcti)
TPMS=("$T/tpm")
trap 'for d in "${TPMS[@]}"; do "$SRC/scripts/dev-tpm" stop "$d" >/dev/null 2>&1; done; rm -rf "$T"' EXIT
eval "$("$SRC/scripts/dev-tpm" start "$T/tpm2" | sed 's/^export TPM2OPENSSL_TCTI=/TCTI_B=/' | grep '^TCTI_B=')"
TPMS+=("$T/tpm2")
TCTI_A=$TPM2OPENSSL_TCTI
[ -n "${TCTI_B:-}" ] && [ "$TCTI_A" != "$TCTI_B" ] && pass || { fail "second TPM"; finish; }
unset TPM2OPENSSL_TCTI
make_pki
H=0x81020000

spki_of_key() {  # TCTI HANDLE → SubjectPublicKeyInfo hex as the TPM reports it
  tpm2_readpublic -T "$1" -c "$2" -f der -o "$T/.spki.der" >/dev/null 2>&1 && od -An -tx1 "$T/.spki.der" | tr -d ' \n'
  tpm2_flushcontext -T "$1" -t >/dev/null 2>&1
}
spki_of_cert() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | od -An -tx1 | tr -d ' \n'; }

{ echo "id,product_instance_uri,serial_number,tcti"
  echo "a,urn:example:acme:x1:a,A,$TCTI_A"
  echo "b,urn:example:acme:x1:b,B,$TCTI_B"
  echo "c,urn:example:acme:x1:c,C,swtpm:host=127.0.0.1,port=1"
  echo "d,urn:example:acme:x1:d,D,"; } >m.csv
# The TCTI contains commas: CSV-quote the column values that do.
sed -i -E 's/,(swtpm:[^"]*)$/,"\1"/' m.csv
run mint-idevid --manifest m.csv --out-dir out --ca-cert ca.pem --ca-key ca.key --device-key-template tpm2:handle=$H \
  --new-key --tcti "$TCTI_A" --continue-on-error --results r.jsonl
expect_rc 4 "a row on an unreachable TPM fails the run with 4"
expect_eq "$(grep -c '"status":"ok"' r.jsonl)" 3 "rows a, b and d minted"
grep -q '"id":"c","status":"failed".*"code":4' r.jsonl && pass || fail "row c failed with 4: $(cat r.jsonl)"
expect_no_file out/c.pem "row c: nothing minted"
a=$(spki_of_key "$TCTI_A" $H) b=$(spki_of_key "$TCTI_B" $H)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] && pass || fail "each TPM holds its own key at $H"
expect_eq "$(spki_of_cert out/a.pem)" "$a" "row a's IDevID: TPM A's key"
expect_eq "$(spki_of_cert out/b.pem)" "$b" "row b's IDevID: TPM B's key (its tcti column)"
# Row d has no tcti value: --tcti (TPM A), whose key at $H row a made; a re-run batch reuses a key it finds.
expect_eq "$(spki_of_cert out/d.pem)" "$a" "row d (empty tcti): the --tcti TPM"
for f in a b d; do
  openssl verify -CAfile root.pem -untrusted ca.pem out/$f.pem >/dev/null 2>&1 && pass || fail "openssl verify out/$f.pem"
done

# Re-run without the bad row: done rows are skipped, each recognised through its own TPM.
grep -v '^c,' m.csv >m2.csv
run mint-idevid --manifest m2.csv --out-dir out --ca-cert ca.pem --ca-key ca.key --device-key-template tpm2:handle=$H \
  --new-key --tcti "$TCTI_A" --results r2.jsonl
expect_rc 0 "re-run"
expect_eq "$(grep -c '"status":"skipped"' r2.jsonl)" 3 "the three done rows are skipped"
finish
