# TCG-CSR-IDEVID (issue 13, SPEC §13.7): --tcg-csr-out from one run verified by
# `mint-idevid --tcg-csr` in another (every check listed, text and --json), refused with exit 3 or
# 10 (never 0) when any field is tampered with, and the CA side minting from a CSR: refused
# without --tcti or --insecure-skip-activation, done with either (the skip named in the output
# and the results), the IDevID carrying the CSR's key and the EK certificate's hwSerialNum.
# Also batch: a manifest with a tcti column, one TPM per device.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
source "$SRC/tests/tpm/attest.bash"

make_pki
make_ek_ca
ek_tpm real ekca.pem,ekca.key
ek_tpm real2 ekca.pem,ekca.key   # a second device's TPM from the same vendor
ek_tpm fake local
DEV=0x81020000 IAK=0x81020001
CA=(--ca-cert ca.pem --ca-key ca.key --ca-chain root.pem --model X1)

# --- Run 1, on the device's line station: the CSR -----------------------------------------------
run mint-idevid "${CA[@]}" --tcti "$TCTI_real" --product-instance-uri urn:example:acme:x1:c1 --serial-number C1 \
  --device-key tpm2:handle=$DEV --new-key --attest --ek-ca ekca.pem --iak-handle $IAK --tcg-csr-out dev.csr --out line.pem
expect_rc 0 "attested enrollment writing a TCG-CSR-IDEVID"
expect_file dev.csr "--tcg-csr-out"
expect_eq "$(od -An -tx1 -N4 dev.csr | tr -d ' ')" 00000100 "TCG_CSR_IDEVID structVer 1.0"
ek_cert real ek.pem
ek_serial=$(serial_hex ek.pem)

# --- Run 2, at a CA elsewhere: verify the CSR ----------------------------------------------------
unset TPM2OPENSSL_TCTI
run mint-idevid --tcg-csr dev.csr --ek-ca ekca.pem
expect_rc 0 "mint-idevid --tcg-csr verifies the CSR of another run"
for want in csr-signature idevid-template iak-template certify ek-chain; do
  expect_out "$want" "the check '$want' is listed"
done
grep -qi 'activation' <<<"$OUT" && pass || fail "the report says credential activation was not performed: $OUT"
run mint-idevid --tcg-csr dev.csr --ek-ca ekca.pem --json
expect_rc 0 "--tcg-csr --json"
printf '%s\n' "$OUT" >csr.json
expect_eq "$(json_get csr.json 'all(c["passed"] for c in j["attestation"]["checks"] if "activation" not in c["name"])')" True \
  "every check the CSR allows passed (JSON)"
expect_eq "$(json_get csr.json 'j["attestation"]["hw_serial"].upper().lstrip("0")')" "$(sed 's/^0*//' <<<"$ek_serial")" \
  "the CSR's EK certificate gives the hwSerialNum"
run mint-idevid --tcg-csr dev.csr $(ek_ca_args fake)
expect_rc 10 "a CSR whose EK certificate does not chain to --ek-ca"
expect_err 'EK|ek-chain' "CSR with an untrusted EK: the error names it"
printf 'TCG' >short.csr
run mint-idevid --tcg-csr short.csr --ek-ca ekca.pem
expect_rc 3 "a three-byte file is no TCG-CSR-IDEVID"
run mint-idevid --tcg-csr missing.csr --ek-ca ekca.pem
expect_rc 5 "--tcg-csr FILE that does not exist"
run mint-idevid --tcg-csr dev.csr
expect_rc 2 "--tcg-csr without --ek-ca"

# --- Every field tampered: 3 (malformed) or 10 (untrusted), never 0 --------------------------------
variants=$("$PY" "$SRC/tests/tcg_csr_tamper.py" dev.csr tampered) || fail "tcg_csr_tamper.py could not parse dev.csr"
[ "$(wc -l <<<"$variants")" -ge 30 ] && pass || fail "too few tampered variants: $variants"
for v in $variants; do
  run mint-idevid --tcg-csr "tampered/$v.csr" --ek-ca ekca.pem
  case $RC in
    3|10) pass ;;
    *) fail "tampered $v: exit $RC, expected 3 or 10 (stdout: $(head -c 300 <<<"$OUT") stderr: $ERR)" ;;
  esac
  expect_err '^mint-idevid: error: ' "tampered $v"
done

# --- The CA mints from the CSR ---------------------------------------------------------------------
from_csr=(--tcg-csr dev.csr --ek-ca ekca.pem "${CA[@]}" --product-instance-uri urn:example:acme:x1:c1 --serial-number C1)
run mint-idevid "${from_csr[@]}" --out fromcsr.pem
expect_rc 2 "minting from a CSR without --tcti or --insecure-skip-activation is refused"
expect_err 'activation|--tcti|--insecure-skip-activation' "the refusal says what is missing"
expect_no_file fromcsr.pem "refused: nothing written"
# With --insecure-skip-activation: minted, the skip named on stderr and in the results.
run mint-idevid "${from_csr[@]}" --out skip.pem --insecure-skip-activation --json
expect_rc 0 "minting from a CSR with --insecure-skip-activation"
grep -qi 'activation' <<<"$ERR" && pass || fail "--insecure-skip-activation warns: $ERR"
printf '%s\n' "$OUT" >skip.json
grep -qi 'activation' <<<"$(json_get skip.json 'j["attestation"]')" && pass || fail "the JSON results name the skipped activation: $OUT"
openssl verify -x509_strict -CAfile root.pem -untrusted ca.pem skip.pem >/dev/null 2>&1 && pass || fail "openssl verify skip.pem"
expect_eq "$(cert_spki_hex skip.pem)" "$(key_spki_hex real $DEV)" "the IDevID from the CSR carries the TPM's IDevID key"
expect_eq "$(hw_module_name skip.pem)" "2.23.133.1.2 $ek_serial" "the IDevID from the CSR: hwSerialNum from its EK certificate"
# With --tcti reaching the device's TPM: the activation is done there (IAK at --iak-handle).
run mint-idevid "${from_csr[@]}" --out act.pem --tcti "$TCTI_real" --iak-handle $IAK --json
expect_rc 0 "minting from a CSR with the activation over --tcti"
printf '%s\n' "$OUT" >act.json
expect_eq "$(json_get act.json 'all(c["passed"] for c in j["attestation"]["checks"]) and any("activat" in c["name"] for c in j["attestation"]["checks"])')" \
  True "with --tcti every check passed, activation included"
openssl verify -CAfile root.pem -untrusted ca.pem act.pem >/dev/null 2>&1 && pass || fail "openssl verify act.pem"
# ... but not with another TPM: its EK is not the CSR's.
run mint-idevid "${from_csr[@]}" --out wrongtpm.pem --tcti "$TCTI_real2" --iak-handle $IAK
case $RC in 4|10) pass ;; *) fail "activation against another TPM: exit $RC, expected 10 (or 4: no IAK there) ($ERR)" ;; esac
expect_no_file wrongtpm.pem "activation against another TPM: nothing written"
# A tampered CSR is never minted from, even with the skip.
run mint-idevid --tcg-csr "tampered/signingPub-flip-middle.csr" --ek-ca ekca.pem "${CA[@]}" --product-instance-uri urn:x:t \
  --serial-number T --out tampered.pem --insecure-skip-activation
case $RC in 3|10) pass ;; *) fail "minting from a tampered CSR: exit $RC ($ERR)" ;; esac
expect_no_file tampered.pem "tampered CSR: nothing minted"

# --- Batch: a tcti column, one TPM per device --------------------------------------------------------
tpm2 real evictcontrol -C o -c $DEV >/dev/null 2>&1; tpm2 real evictcontrol -C o -c $IAK >/dev/null 2>&1
{ echo "id,product_instance_uri,serial_number,tcti"
  echo "d1,urn:example:acme:x1:d1,D1,\"$TCTI_real\""     # quoted: a TCTI has a comma (RFC 4180)
  echo "d2,urn:example:acme:x1:d2,D2,\"$TCTI_real2\""; } >m.csv
run mint-idevid --manifest m.csv --out-dir out "${CA[@]}" --device-key-template tpm2:handle=$DEV --new-key \
  --attest --ek-ca ekca.pem --iak-handle $IAK --results r.jsonl
expect_rc 0 "attested batch over two TPMs"
expect_eq "$(grep -c '"status":"ok"' r.jsonl)" 2 "both rows ok"
ek_cert real2 ek2.pem
grep '"id":"d1"' r.jsonl >r1.json; grep '"id":"d2"' r.jsonl >r2.json
expect_eq "$(json_get r1.json 'j["attestation"]["hw_serial"].upper().lstrip("0")')" "$(sed 's/^0*//' <<<"$ek_serial")" "row d1: its TPM's EK serial"
expect_eq "$(json_get r2.json 'j["attestation"]["hw_serial"].upper().lstrip("0")')" "$(serial_hex ek2.pem | sed 's/^0*//')" "row d2: its TPM's EK serial"
[ "$ek_serial" != "$(serial_hex ek2.pem)" ] && pass || fail "two dev TPMs of one EK CA got the same EK serial"
expect_eq "$(json_get r2.json 'all(c["passed"] for c in j["attestation"]["checks"])')" True "row d2: every check passed"
expect_eq "$(hw_module_name out/d2.pem)" "2.23.133.1.2 $(serial_hex ek2.pem)" "row d2's IDevID: hwSerialNum of TPM 2's EK"
expect_eq "$(cert_spki_hex out/d1.pem)" "$(key_spki_hex real $DEV)" "row d1's IDevID: TPM 1's key"
expect_eq "$(cert_spki_hex out/d2.pem)" "$(key_spki_hex real2 $DEV)" "row d2's IDevID: TPM 2's key"
# A row on the fake TPM fails with 10; nothing minted for it, no handle left in it.
{ echo "id,product_instance_uri,serial_number,tcti"; echo "f1,urn:example:acme:x1:f1,F1,\"$TCTI_fake\""; } >f.csv
run mint-idevid --manifest f.csv --out-dir out "${CA[@]}" --device-key-template tpm2:handle=$DEV --new-key \
  --attest --ek-ca ekca.pem --iak-handle $IAK --results rf.jsonl
expect_rc 10 "a batch row on the fake TPM"
grep -q '"status":"failed".*"code":10' rf.jsonl && pass || fail "the fake TPM's row failed with code 10: $(cat rf.jsonl)"
expect_no_file out/f1.pem "fake TPM row: nothing minted"
expect_handles_free fake "fake TPM row" $DEV $IAK

finish
