# TPM-attested IDevIDs (issue 13, SPEC §13.7) on swtpm TPMs "from the factory" (scripts/dev-tpm
# --ek-ca): the attested IDevID whose hardwareModuleName is the EK certificate's, accepted by
# openssl verify; the IAK certificate; the "fake TPM" (its EK chains to another CA), an EK
# certificate that does not chain, a TPM without EK certificate and a device key made outside
# the TCG template (no fixedTPM) refused with exit 10, nothing written, no handle left behind;
# and the usage errors of the new flags. Proxy cases: attest_proxy.sh; TCG-CSR: attest_csr.sh.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
source "$SRC/tests/tpm/attest.bash"

make_pki
make_ek_ca
ek_tpm real ekca.pem,ekca.key   # the device's TPM: EK certificate by the vendor CA we trust
ek_tpm fake local               # the "fake TPM": a working TPM whose EK chains to another CA
ek_tpm noek                     # a TPM without EK certificates
DEV=0x81020000 IAK=0x81020001
CA=(--ca-cert ca.pem --ca-key ca.key --ca-chain root.pem --model X1)

# --- Must show: an attested IDevID from swtpm ---------------------------------------------------
run mint-idevid "${CA[@]}" --tcti "$TCTI_real" --product-instance-uri urn:example:acme:x1:a1 --serial-number A1 \
  --device-key tpm2:handle=$DEV --new-key --attest --ek-ca ekca.pem --iak-handle $IAK --iak-out iak.pem \
  --out idevid.pem --json
expect_rc 0 "attested mint-idevid on the real TPM"
printf '%s\n' "$OUT" >attest.json
openssl verify -x509_strict -CAfile root.pem -untrusted ca.pem idevid.pem >/dev/null 2>&1 && pass || fail "openssl verify idevid.pem"
ek_cert real ek.pem || fail "EK certificate not readable from NV 0x01c00002"
openssl verify -CAfile ekca.pem ek.pem >/dev/null 2>&1 && pass || fail "the real TPM's EK certificate chains to the EK CA (test setup)"
ek_serial=$(serial_hex ek.pem)
expect_eq "$(hw_module_name idevid.pem)" "2.23.133.1.2 $ek_serial" \
  "hardwareModuleName: hwType TPM 2.0 and hwSerialNum = the EK certificate's serial"
expect_eq "$(cert_spki_hex idevid.pem)" "$(key_spki_hex real $DEV)" "the IDevID certifies the TPM key at $DEV"
expect_handles_used real "after an attested mint" $DEV $IAK
# TCG template: both keys fixedTPM, fixedParent, sensitiveDataOrigin, sign, never decrypt; the IAK restricted.
for h in $DEV $IAK; do
  a=$(key_attrs real $h)
  for want in fixedtpm fixedparent sensitivedataorigin sign; do
    grep -qw "$want" <<<"${a//|/ }" && pass || fail "key at $h lacks $want: $a"
  done
  grep -qw decrypt <<<"${a//|/ }" && fail "key at $h can decrypt: $a" || pass
done
grep -qw restricted <<<"$(key_attrs real $IAK | tr '|' ' ')" && pass || fail "the IAK is not restricted"
grep -qw restricted <<<"$(key_attrs real $DEV | tr '|' ' ')" && fail "the IDevID key is restricted" || pass
# The proofs, in the JSON result: every check passed, the EK certificate named, hw_serial as in the IDevID.
expect_eq "$(json_get attest.json 'all(c["passed"] for c in j["attestation"]["checks"]) and len(j["attestation"]["checks"]) >= 4')" True \
  "every attestation check passed and is listed"
names=$(json_get attest.json '" ".join(c["name"] for c in j["attestation"]["checks"])')
for want in ek activat certify fixed; do
  grep -qi "$want" <<<"$names" && pass || fail "no check about '$want' in the JSON result: $names"
done
expect_eq "$(json_get attest.json 'j["attestation"]["hw_serial"].upper().lstrip("0")')" "$(sed 's/^0*//' <<<"$ek_serial")" "JSON hw_serial = EK serial"
expect_eq "$(json_get attest.json 'j["attestation"]["ek_certificate"]["serial"].upper().lstrip("0")')" "$(sed 's/^0*//' <<<"$ek_serial")" \
  "JSON ek_certificate.serial"
grep -q 'Acme EK CA' <<<"$(json_get attest.json 'j["attestation"]["ek_certificate"]["issuer"]')" && pass || fail "JSON ek_certificate.issuer"
# The IAK certificate: same CA, the IAK's key, an end-entity signing certificate with the same hardwareModuleName.
openssl verify -x509_strict -CAfile root.pem -untrusted ca.pem iak.pem >/dev/null 2>&1 && pass || fail "openssl verify iak.pem"
expect_eq "$(cert_spki_hex iak.pem)" "$(key_spki_hex real $IAK)" "the IAK certificate certifies the TPM key at $IAK"
iaktext=$(openssl x509 -in iak.pem -noout -text)
grep -q 'CA:FALSE' <<<"$iaktext" && pass || fail "IAK certificate: basicConstraints CA:FALSE"
grep -A1 'X509v3 Key Usage' <<<"$iaktext" | grep -q 'Digital Signature' && pass || fail "IAK certificate: keyUsage digitalSignature"
grep -A1 'X509v3 Key Usage' <<<"$iaktext" | grep -q 'Key Encipherment' && fail "IAK certificate: keyEncipherment (it never decrypts)" || pass
expect_eq "$(hw_module_name iak.pem)" "2.23.133.1.2 $ek_serial" "IAK certificate hardwareModuleName"
expect_no_temp . "attested mint"

# --- Without --new-key: the keys already at the handles are attested again ---------------------
run mint-idevid "${CA[@]}" --tcti "$TCTI_real" --product-instance-uri urn:example:acme:x1:a1 --serial-number A1 \
  --device-key tpm2:handle=$DEV --attest --ek-ca ekca.pem --iak-handle $IAK --out again.pem
expect_rc 0 "--attest without --new-key re-attests the persistent keys"
expect_eq "$(cert_spki_hex again.pem)" "$(key_spki_hex real $DEV)" "re-attested IDevID carries the same key"

# --- The fake TPM: a real swtpm whose EK chains to another CA -----------------------------------
run mint-idevid "${CA[@]}" --tcti "$TCTI_fake" --product-instance-uri urn:example:acme:x1:f1 --serial-number F1 \
  --device-key tpm2:handle=$DEV --new-key --attest --ek-ca ekca.pem --iak-handle $IAK --iak-out fake-iak.pem \
  --tcg-csr-out fake.csr --out fake.pem
expect_rc 10 "the fake TPM is refused"
expect_err 'error: .*(EK|endorsement)' "fake TPM: the error names the EK"
for f in fake.pem fake-iak.pem fake.csr; do expect_no_file $f "fake TPM: nothing written"; done
expect_no_temp . "fake TPM"
expect_handles_free fake "fake TPM" $DEV $IAK
# The same TPM with its own vendor's anchors passes: the refusal above is the trust decision.
mapfile -t fake_anchors < <(ek_ca_args fake)
run mint-idevid "${CA[@]}" --tcti "$TCTI_fake" --product-instance-uri urn:example:acme:x1:f1 --serial-number F1 \
  --device-key tpm2:handle=$DEV --new-key --attest "${fake_anchors[@]}" --iak-handle $IAK --out fake-own.pem
expect_rc 0 "the fake TPM with its own EK CA (root + intermediate, --ek-ca twice) is accepted"
tpm2 fake evictcontrol -C o -c $DEV >/dev/null 2>&1; tpm2 fake evictcontrol -C o -c $IAK >/dev/null 2>&1

# --- EK certificate not chaining to --ek-ca ------------------------------------------------------
run mint-idevid "${CA[@]}" --tcti "$TCTI_real" --product-instance-uri urn:example:acme:x1:a2 --serial-number A2 \
  --device-key tpm2:handle=0x81020002 --new-key --attest "${fake_anchors[@]}" --iak-handle 0x81020003 --out nochain.pem
expect_rc 10 "EK certificate not chaining to the --ek-ca anchors"
expect_no_file nochain.pem "EK not chaining: nothing written"
expect_handles_free real "EK not chaining" 0x81020002 0x81020003
# An intermediate alone is no anchor.
run mint-idevid "${CA[@]}" --tcti "$TCTI_fake" --product-instance-uri urn:example:acme:x1:f2 --serial-number F2 \
  --device-key tpm2:handle=0x81020002 --new-key --attest --ek-ca "$T/fake/ek-ca/issuercert.pem" --iak-handle 0x81020003 --out inter.pem
expect_rc 10 "an intermediate EK CA without its root is not a trust anchor"
expect_no_file inter.pem "intermediate only: nothing written"
expect_handles_free fake "intermediate only" 0x81020002 0x81020003

# --- EK certificate missing from NV (a TPM never given one) -------------------------------------
run mint-idevid "${CA[@]}" --tcti "$TCTI_noek" --product-instance-uri urn:example:acme:x1:n1 --serial-number N1 \
  --device-key tpm2:handle=$DEV --new-key --attest --ek-ca ekca.pem --iak-handle $IAK --out noek.pem --iak-out noek-iak.pem
expect_rc 10 "a TPM without EK certificate cannot prove it is genuine"
expect_err 'EK|endorsement' "no EK certificate: the error says so"
expect_no_file noek.pem "no EK certificate: nothing written"
expect_no_file noek-iak.pem "no EK certificate: no IAK certificate"
expect_handles_free noek "no EK certificate" $DEV $IAK

# --- A device key made outside the TCG template (no fixedTPM), attested without --new-key -------
tpm2 real createprimary -C o -G ecc256 -c "$T/srk.ctx" >/dev/null 2>&1 &&
  tpm2 real evictcontrol -C o -c "$T/srk.ctx" 0x81000010 >/dev/null 2>&1 || fail "SRK for the loose key"
rm -f "$T/srk.ctx"
tpm2 real create -C 0x81000010 -G ecc256 -a 'sensitivedataorigin|userwithauth|sign' -u loose.pub -r loose.priv >/dev/null 2>&1 ||
  fail "tpm2_create of a key without fixedTPM"
tpm2 real load -C 0x81000010 -u loose.pub -r loose.priv -c "$T/loose.ctx" >/dev/null 2>&1 &&
  tpm2 real evictcontrol -C o -c "$T/loose.ctx" 0x81020010 >/dev/null 2>&1 || fail "persisting the loose key"
rm -f "$T/loose.ctx"
a=$(key_attrs real 0x81020010)
grep -qw fixedtpm <<<"${a//|/ }" && fail "test setup: the loose key has fixedTPM ($a)" || pass
run mint-idevid "${CA[@]}" --tcti "$TCTI_real" --product-instance-uri urn:example:acme:x1:l1 --serial-number L1 \
  --device-key tpm2:handle=0x81020010 --attest --ek-ca ekca.pem --iak-handle $IAK --out loose.pem --json
expect_rc 10 "a device key without fixedTPM is refused"
expect_err 'fixedTPM|fixedtpm|template' "no fixedTPM: the error names the attribute"
expect_no_file loose.pem "no fixedTPM: nothing written"
expect_handles_used real "a refused existing key is not evicted" 0x81020010 $DEV $IAK

# --- Usage errors and bad inputs: exit code, one error line, nothing written ---------------------
base=("${CA[@]}" --product-instance-uri urn:example:acme:x1:b1 --serial-number B1 --out bad.pem)
bad() {  # bad CODE DESCRIPTION ARGS...
  local code=$1 what=$2; shift 2
  run mint-idevid "${base[@]}" --tcti "${BAD_TCTI:-$TCTI_real}" "$@"
  expect_rc "$code" "$what"
  expect_err '^mint-idevid: error: ' "$what"
  expect_no_file bad.pem "$what: nothing written"
  expect_no_file bad-iak.pem "$what: no IAK certificate"
  expect_no_file bad.csr "$what: no TCG-CSR"
}
bad 2 "--attest without --ek-ca" --device-key tpm2:handle=0x81020004 --new-key --attest --iak-handle 0x81020005
bad 2 "--attest without --iak-handle" --device-key tpm2:handle=0x81020004 --new-key --attest --ek-ca ekca.pem
bad 2 "--iak-handle not hex" --device-key tpm2:handle=0x81020004 --new-key --attest --ek-ca ekca.pem --iak-handle zz
bad 2 "--iak-handle outside the persistent range" --device-key tpm2:handle=0x81020004 --new-key --attest --ek-ca ekca.pem --iak-handle 0x01c00002
bad 2 "--iak-handle equal to the device key's handle" --device-key tpm2:handle=0x81020004 --new-key --attest --ek-ca ekca.pem --iak-handle 0x81020004
bad 2 "--attest with a file device key" --device-key dev.key --new-key --attest --ek-ca ekca.pem --iak-handle 0x81020005
bad 2 "--attest with a CSR" --csr /dev/null --attest --ek-ca ekca.pem --iak-handle 0x81020005
bad 2 "--iak-out without --attest" --device-key tpm2:handle=0x81020004 --new-key --iak-out bad-iak.pem
bad 2 "--tcg-csr-out without --attest" --device-key tpm2:handle=0x81020004 --new-key --tcg-csr-out bad.csr
bad 5 "--ek-ca that does not exist" --device-key tpm2:handle=0x81020004 --new-key --attest --ek-ca missing.pem --iak-handle 0x81020005
printf 'not a certificate\n' >junk.pem
bad 3 "--ek-ca that is not PEM" --device-key tpm2:handle=0x81020004 --new-key --attest --ek-ca junk.pem --iak-handle 0x81020005
bad 4 "--new-key with the IAK handle already taken" --device-key tpm2:handle=0x81020004 --new-key --attest --ek-ca ekca.pem \
  --iak-handle $IAK --iak-out bad-iak.pem
expect_eq "$(key_spki_hex real $IAK)" "$(cert_spki_hex iak.pem)" "the key already at the IAK handle is untouched"
bad 4 "--attest without --new-key and no keys at the handles" --device-key tpm2:handle=0x81020004 --attest --ek-ca ekca.pem \
  --iak-handle 0x81020005
BAD_TCTI=swtpm:host=127.0.0.1,port=1 bad 4 "a TPM that is not there" --device-key tpm2:handle=0x81020004 --new-key --attest \
  --ek-ca ekca.pem --iak-handle 0x81020005
expect_handles_free real "bad inputs" 0x81020004 0x81020005
expect_no_file dev.key "--attest with a file key created no key file"
expect_no_temp . "bad inputs"

finish
