# Keys in a TPM 2.0 (swtpm): IDevID keys generated in the TPM, persistent at the requested
# handle with fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|sign; the Manufacturer's CA
# key in SoftHSM2 (as the demo does); TPM-signed certificates verify with openssl.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
start_hsm mfg
start_tpm
export PKCS11_PIN=$HSM_PIN

run create-authority --profile root-ca --subject "/O=Acme/CN=Acme Root" --new-key --key "pkcs11:token=mfg;object=root" --out root.pem
expect_rc 0 "root CA key in SoftHSM2"
run create-authority --profile issuing-ca --crl-url http://crl.example.com/root.crl --subject "/O=Acme/CN=Acme Device CA" --new-key --key "pkcs11:token=mfg;object=ca" \
  --issuer-cert root.pem --issuer-key "pkcs11:token=mfg;object=root" --out ca.pem
expect_rc 0 "device CA key in SoftHSM2"

# IDevID key generated in the TPM at the conventional handle, certificate with hardwareModuleName.
run mint-idevid --ca-cert ca.pem --ca-key "pkcs11:token=mfg;object=ca" --ca-chain root.pem \
  --product-instance-uri urn:example:acme:x1:0001 --serial-number 0001 --model X1 \
  --device-key tpm2:handle=0x81020000 --new-key --hardware-module-name --out idevid.pem
expect_rc 0 "mint-idevid with a new TPM key"
[ -z "$ERR" ] && pass || fail "no warning expected for a TPM key with --hardware-module-name: $ERR"
pub=$(tpm2_readpublic -c 0x81020000 2>&1); tpm2_flushcontext -t >/dev/null 2>&1
attrs=$(awk '/^attributes:/{getline; print $2}' <<<"$pub")
expect_eq "$attrs" "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign" "TPM key attributes at 0x81020000"
grep -q 'NIST p256' <<<"$pub" && pass || fail "P-256 key expected: $pub"
tpm2_getcap handles-persistent | grep -qi '0x81020000' && pass || fail "0x81020000 not persistent"
openssl verify -x509_strict -CAfile root.pem -untrusted ca.pem idevid.pem >/dev/null 2>&1 && pass || fail "openssl verify idevid.pem"
a=$(openssl x509 -in idevid.pem -noout -pubkey | openssl pkey -pubin -outform DER | od -An -tx1 | tr -d ' \n')
b=$(tpm2_readpublic -c 0x81020000 -f der -o tpmpub.der >/dev/null 2>&1 && od -An -tx1 tpmpub.der | tr -d ' \n'); tpm2_flushcontext -t >/dev/null 2>&1
expect_eq "$a" "$b" "the certificate carries the TPM key"
der=$(openssl x509 -in idevid.pem -outform DER | od -An -tx1 | tr -d ' \n')
grep -q '06082b06010505070804' <<<"$der" && pass || fail "hardwareModuleName otherName (1.3.6.1.5.5.7.8.4) missing"
grep -q '06056781050102' <<<"$der" && pass || fail "hwType 2.23.133.1.2 (TPM 2.0) missing"

# The TPM key signs: a CA key in the TPM (P-384) issues certificates that verify in the default context.
run create-authority --profile root-ca --subject "/O=Acme/CN=TPM Root" --new-key --key-type p384 \
  --key tpm2:handle=0x81000100 --out tpmroot.pem
expect_rc 0 "root key (P-384) generated in the TPM"
openssl verify -x509_strict -CAfile tpmroot.pem tpmroot.pem >/dev/null 2>&1 && pass || fail "openssl verify tpmroot.pem"
run issue-ldevid --ca-cert tpmroot.pem --ca-key tpm2:handle=0x81000100 --product-instance-uri urn:example:acme:x1:0001 \
  --serial-number 0001 --from-idevid idevid.pem --out ldevid.pem
expect_rc 0 "issue-ldevid signed by a TPM key"
openssl verify -CAfile tpmroot.pem ldevid.pem >/dev/null 2>&1 && pass || fail "openssl verify ldevid.pem"
# --tcti selects the TPM (TPM2OPENSSL_TCTI unset).
tcti=$TPM2OPENSSL_TCTI
env -u TPM2OPENSSL_TCTI "$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/tpmroot.crl --subject "/O=Acme/CN=S" --key s.key --new-key \
  --issuer-cert tpmroot.pem --issuer-key tpm2:handle=0x81000100 --tcti "$tcti" --out s.pem >/dev/null 2>"$T/.err" && pass ||
  fail "--tcti: $(cat "$T/.err")"
openssl verify -CAfile tpmroot.pem s.pem >/dev/null 2>&1 && pass || fail "openssl verify s.pem"

# RSA key in the TPM.
run create-authority --profile root-ca --subject "/O=Acme/CN=TPM RSA" --new-key --key-type rsa2048 \
  --key tpm2:handle=0x81000101 --out rsaroot.pem
expect_rc 0 "RSA key in the TPM"
openssl verify -CAfile rsaroot.pem rsaroot.pem >/dev/null 2>&1 && pass || fail "openssl verify rsaroot.pem"

# TSS2 PEM key files: the key lives in the TPM, the file holds only its wrapped blob.
run create-authority --profile root-ca --subject "/O=Acme/CN=TPM File" --new-key --key tpm2:file=tk.pem --out fileroot.pem
expect_rc 0 "TSS2 key file"
head -1 tk.pem | grep -q 'BEGIN TSS2 PRIVATE KEY' && pass || fail "tk.pem is not a TSS2 key"
expect_eq "$(stat -c %a tk.pem)" 600 "TSS2 key file mode"
# A key file that cannot be written is refused before the TPM makes a key (exit 5, nothing written).
run create-authority --profile root-ca --subject "/O=Acme/CN=TPM File" --new-key --key tpm2:file=no-dir/tk.pem \
  --out nodir.pem
expect_rc 5 "TSS2 key file in a missing directory"
expect_err "no-dir" "names the key file's directory"
expect_no_file nodir.pem "no certificate without its key file"
run issue-ldevid --ca-cert fileroot.pem --ca-key tpm2:file=tk.pem --product-instance-uri urn:x:2 --serial-number 2 \
  --device-key d2.key --new-key --out l2.pem
expect_rc 0 "signing with the TSS2 key file"
openssl verify -CAfile fileroot.pem l2.pem >/dev/null 2>&1 && pass || fail "openssl verify l2.pem"

# Batch with IDevID keys created in the TPM at per-row handles; a re-run keeps them.
printf 'id,product_instance_uri,serial_number,handle\n' >t.csv
for i in 1 2; do printf 't%s,urn:example:acme:x1:t%s,T%s,0x8102001%s\n' $i $i $i $i >>t.csv; done
for pass in 1 2; do
  run mint-idevid --manifest t.csv --out-dir tbatch --ca-cert ca.pem --ca-key "pkcs11:token=mfg;object=ca" \
    --device-key-template "tpm2:handle={handle}" --new-key --hardware-module-name
  expect_rc 0 "TPM batch pass $pass"
done
expect_eq "$(grep -c '"status":"skipped"' <<<"$OUT")" 2 "re-run skips the rows, keeping the TPM keys"
openssl verify -CAfile root.pem -untrusted ca.pem tbatch/t2.pem >/dev/null 2>&1 && pass || fail "openssl verify tbatch/t2.pem"

# Keys survive an orderly restart of the TPM.
stop_tpm
eval "$("$SRC/scripts/dev-tpm" start "$T/tpm")"
run issue-ldevid --ca-cert tpmroot.pem --ca-key tpm2:handle=0x81000100 --product-instance-uri urn:x:3 --serial-number 3 \
  --device-key tpm2:handle=0x81020000 --out l3.pem
expect_rc 0 "persistent keys after restart"
openssl verify -CAfile tpmroot.pem l3.pem >/dev/null 2>&1 && pass || fail "openssl verify l3.pem"
finish
