# mint-idevid's attestation flags (issue 13, SPEC §13.7) without a TPM: every usage error is exit
# 2 with one error line, before any file, key or TPM is touched (the TCTI points nowhere, so a
# run that got as far as the TPM would fail with 4 instead); the CA side (--tcg-csr) on the frozen
# TCG-CSR-IDEVID of tests/data/attest: verified check by check, refused for another EK CA, for
# junk bytes and for a tampered byte; minting from it without activation refused.
source "$SRC/tests/lib.sh"
make_pki
D=$SRC/tests/data/attest
export TPM2OPENSSL_TCTI=swtpm:host=127.0.0.1,port=1  # nothing listens: a TPM reached is exit 4
CA=(--ca-cert ca.pem --ca-key ca.key)
DEV=(--product-instance-uri urn:example:acme:x1:u1 --serial-number U1)
cp "$D/ek-root.pem" ekca.pem

# usage CODE DESCRIPTION ARGS...: the run fails with CODE, one error line, nothing written.
usage() {
  local code=$1 what=$2; shift 2
  run mint-idevid "$@"
  expect_rc "$code" "$what"
  expect_err '^mint-idevid: error: ' "$what"
  for f in out.pem iak.pem out.csr dev.key; do expect_no_file $f "$what: $f"; done
  expect_no_temp . "$what"
}
A=(--attest --ek-ca ekca.pem --iak-handle 0x81020001)
usage 2 "--attest with a file device key" "${CA[@]}" "${DEV[@]}" --device-key dev.key --new-key "${A[@]}" --out out.pem
expect_err 'tpm2:handle' "--attest with a file key: says what it needs"
usage 2 "--attest with tpm2:file=" "${CA[@]}" "${DEV[@]}" --device-key tpm2:file=dev.tss2 --new-key "${A[@]}" --out out.pem
usage 2 "--attest without --device-key" "${CA[@]}" "${DEV[@]}" "${A[@]}" --out out.pem
usage 2 "--attest with --csr" "${CA[@]}" "${DEV[@]}" --csr /dev/null "${A[@]}" --out out.pem
usage 2 "--attest without --ek-ca" "${CA[@]}" "${DEV[@]}" --device-key tpm2:handle=0x81020000 --new-key --attest \
  --iak-handle 0x81020001 --out out.pem
expect_err -- '--ek-ca' "names --ek-ca"
usage 2 "--attest without --iak-handle" "${CA[@]}" "${DEV[@]}" --device-key tpm2:handle=0x81020000 --new-key --attest \
  --ek-ca ekca.pem --out out.pem
expect_err -- '--iak-handle' "names --iak-handle"
for h in zz 0x 0x1234567890 0x01c00002 0x80000001; do
  usage 2 "--iak-handle $h" "${CA[@]}" "${DEV[@]}" --device-key tpm2:handle=0x81020000 --new-key --attest --ek-ca ekca.pem \
    --iak-handle $h --out out.pem
done
usage 2 "--iak-handle = the device key's" "${CA[@]}" "${DEV[@]}" --device-key tpm2:handle=0x81020000 --new-key --attest \
  --ek-ca ekca.pem --iak-handle 81020000 --out out.pem
usage 2 "device key outside the persistent range" "${CA[@]}" "${DEV[@]}" --device-key tpm2:handle=0x01020000 --new-key \
  "${A[@]}" --out out.pem
usage 2 "--key-type outside the TCG templates" "${CA[@]}" "${DEV[@]}" --device-key tpm2:handle=0x81020000 --new-key \
  --key-type ed25519 "${A[@]}" --out out.pem
usage 2 "--hw-serial with --attest" "${CA[@]}" "${DEV[@]}" --device-key tpm2:handle=0x81020000 --new-key --hw-serial 1 \
  "${A[@]}" --out out.pem
for f in "--iak-out iak.pem" "--tcg-csr-out out.csr" "--ek-ca ekca.pem" "--iak-handle 0x81020001"; do
  usage 2 "$f without --attest" "${CA[@]}" "${DEV[@]}" --device-key dev.key --new-key $f --out out.pem
  expect_err -- '--attest' "$f without --attest: says so"
done
usage 2 "--insecure-skip-activation without --tcg-csr" "${CA[@]}" "${DEV[@]}" --device-key dev.key --new-key \
  --insecure-skip-activation --out out.pem
usage 2 "no --ca-cert" --ca-key ca.key "${DEV[@]}" --device-key dev.key --new-key --out out.pem
usage 2 "--attest batch with --iak-out" "${CA[@]}" --manifest "$SRC/templates/devices.csv" --out-dir outdir \
  --device-key-template 'tpm2:handle=0x81020000' --new-key "${A[@]}" --iak-out iak.pem
usage 2 "--attest batch with a file key template" "${CA[@]}" --manifest "$SRC/templates/devices.csv" --out-dir outdir \
  --device-key-template 'file:keys/{serial_number}.key' --new-key "${A[@]}"
expect_no_file outdir "batch usage errors: no output directory"
# Files: a missing --ek-ca is 5, one that holds no certificate 3 (still before the TPM).
usage 5 "--ek-ca missing" "${CA[@]}" "${DEV[@]}" --device-key tpm2:handle=0x81020000 --new-key --attest --ek-ca nope.pem \
  --iak-handle 0x81020001 --out out.pem
printf 'not a certificate\n' >junk.pem
usage 3 "--ek-ca junk" "${CA[@]}" "${DEV[@]}" --device-key tpm2:handle=0x81020000 --new-key --attest --ek-ca junk.pem \
  --iak-handle 0x81020001 --out out.pem
# All flags right: the TPM is what is missing (4), still nothing written.
usage 4 "TPM unreachable" "${CA[@]}" "${DEV[@]}" --device-key tpm2:handle=0x81020000 --new-key "${A[@]}" \
  --iak-out iak.pem --tcg-csr-out out.csr --out out.pem

# --- --tcg-csr: the CA side -------------------------------------------------------------------
cp "$D/tcg-csr.bin" dev.csr
EK=(--ek-ca "$D/ek-ca.pem" --ek-ca "$D/ek-root.pem")
run mint-idevid --tcg-csr dev.csr "${EK[@]}"
expect_rc 0 "--tcg-csr verifies the frozen TCG-CSR-IDEVID"
for want in csr-signature idevid-template iak-template certify ek-chain; do
  expect_out "attestation: $want[a-z-]*: ok" "check $want listed and passed"
done
expect_out 'credential-activation: not performed' "says what a CSR alone cannot show"
run mint-idevid --tcg-csr dev.csr "${EK[@]}" --json
expect_rc 0 "--tcg-csr --json"
python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); a=j["attestation"]; assert j["valid"] is True
assert all(c["passed"] for c in a["checks"]) and len(a["checks"]) >= 5
assert a["hw_serial"] and a["ek_certificate"]["serial"]' <<<"$OUT" && pass || fail "--tcg-csr --json: $OUT"
run mint-idevid --tcg-csr dev.csr --ek-ca "$D/other-ek-ca.pem"
expect_rc 10 "--tcg-csr with another EK CA"
expect_err 'ek-chain' "untrusted EK: names the check"
expect_out 'ek-chain: FAILED' "untrusted EK: the failed check in the report"
run mint-idevid --tcg-csr dev.csr --ek-ca "$D/ek-ca.pem"
expect_rc 10 "--tcg-csr with only the EK's intermediate CA: no anchor"
expect_err 'ek-chain' "intermediate only: names the check"
printf 'TCG' >short.csr
usage 3 "--tcg-csr of three bytes" --tcg-csr short.csr "${EK[@]}"
usage 5 "--tcg-csr missing" --tcg-csr missing.csr "${EK[@]}"
usage 2 "--tcg-csr without --ek-ca" --tcg-csr dev.csr
usage 2 "--tcg-csr with --device-key" --tcg-csr dev.csr "${EK[@]}" --device-key tpm2:handle=0x81020000
usage 2 "--tcg-csr with --attest" --tcg-csr dev.csr "${EK[@]}" --attest --iak-handle 0x81020001
usage 2 "--tcg-csr minting without activation" --tcg-csr dev.csr "${EK[@]}" "${CA[@]}" "${DEV[@]}" --out out.pem
expect_err 'activation' "the refusal names the activation"
usage 2 "--tcg-csr --tcti without --iak-handle" --tcg-csr dev.csr "${EK[@]}" "${CA[@]}" "${DEV[@]}" \
  --tcti swtpm:host=127.0.0.1,port=1 --out out.pem
usage 2 "--tcg-csr minting without --ca-key" --tcg-csr dev.csr "${EK[@]}" --ca-cert ca.pem "${DEV[@]}" \
  --insecure-skip-activation --out out.pem
usage 4 "--tcg-csr activation on an unreachable TPM" --tcg-csr dev.csr "${EK[@]}" "${CA[@]}" "${DEV[@]}" \
  --tcti swtpm:host=127.0.0.1,port=1 --iak-handle 0x81020001 --out out.pem
# A flipped byte in the middle of the CSR: 3 or 10, never a certificate.
size=$(stat -c %s dev.csr)
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[int(sys.argv[2])//2]^=1; open(sys.argv[3],"wb").write(b)' \
  dev.csr "$size" flipped.csr
run mint-idevid --tcg-csr flipped.csr "${EK[@]}" "${CA[@]}" "${DEV[@]}" --insecure-skip-activation --out out.pem
case $RC in 3|10) pass ;; *) fail "flipped byte: exit $RC ($ERR)" ;; esac
expect_no_file out.pem "flipped byte: nothing minted"
# Minting with the skip: the certificate has the CSR's key and the EK serial, and says it skipped.
run mint-idevid --tcg-csr dev.csr "${EK[@]}" "${CA[@]}" "${DEV[@]}" --insecure-skip-activation --out skip.pem --json
expect_rc 0 "--tcg-csr --insecure-skip-activation mints"
grep -qi 'warning: .*activation' <<<"$ERR" && pass || fail "the skip warns: $ERR"
python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); assert any("SKIPPED" in n for n in j["attestation"]["notes"])' \
  <<<"$OUT" && pass || fail "the JSON names the skipped activation: $OUT"
openssl verify -CAfile root.pem -untrusted ca.pem skip.pem >/dev/null 2>&1 && pass || fail "openssl verify skip.pem"
text=$(openssl x509 -in skip.pem -noout -text)
grep -q 'othername: 1.3.6.1.5.5.7.8.4' <<<"$text" && pass || fail "hardwareModuleName in the IDevID from the CSR"
grep -q '2.23.133.11.1.1' <<<"$text" && fail "a skipped activation claims verifiedTPMResidency" || pass
finish
