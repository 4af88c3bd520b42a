# Keys in a PKCS#11 token (SoftHSM2): created by the tools with the SPEC §4 attributes, used by
# every certificate tool, certificates verify with openssl, no key material outside the token.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
start_hsm mfg devices

touch "$T/.before"
run create-authority --profile root-ca --subject "/O=Acme/CN=Acme Root" --new-key \
  --key "pkcs11:token=mfg;object=root" --pin-source "file:$PIN_FILE" --out root.pem
expect_rc 0 "create-authority --new-key in the token"
expect_file root.pem "root certificate"

# The private key is sensitive, always sensitive, never extractable, sign-only; the public half pairs by ID.
objects=$(p11tool --token-label mfg --login --pin "$HSM_PIN" --list-objects)
priv=$(awk '/^Private Key Object/{p=1} p&&/^(Public Key|Certificate|Data) Object/{p=0} p' <<<"$objects")
grep -q 'label: *root' <<<"$priv" && pass || fail "no private key 'root' listed: $objects"
grep -Eq 'Access: *sensitive, always sensitive, never extractable' <<<"$priv" && pass ||
  fail "private key access flags: $priv"
grep -Eq 'Usage: *sign$' <<<"$priv" && pass || fail "private key usage must be sign only: $priv"
priv_id=$(awk '/ID:/{print $2; exit}' <<<"$priv")
[ "${#priv_id}" -ge 16 ] && pass || fail "CKA_ID '$priv_id' should be a random 16-byte id"
pub_ids=$(grep -c "ID: *$priv_id" <<<"$objects")
expect_eq "$pub_ids" 2 "exactly one public key shares the private key's CKA_ID"
# Without login the private key is invisible.
p11tool --token-label mfg --list-objects | grep -q '^Private Key Object' && fail "private key visible without login" || pass

# No file with key material anywhere in the test directory (the token store excepted).
newfiles=$(find "$T" -path "$T/hsm" -prune -o -type f -newer "$T/.before" -print | grep -v '/\.\(out\|err\)$' | sort)
expect_eq "$newfiles" "$T/root.pem" "only the certificate was written"
grep -rl "PRIVATE KEY" "$T" --exclude-dir=hsm >/dev/null && fail "a PEM private key exists" || pass

openssl verify -x509_strict -CAfile root.pem root.pem >/dev/null 2>&1 && pass || fail "openssl verify root.pem"

# An issuing CA in the token, signed by the root in the token (id given in the URI is used).
run create-authority --profile issuing-ca --subject "/O=Acme/CN=Acme Device CA" --new-key --key-type p384 \
  --key "pkcs11:token=mfg;object=device-ca" --issuer-cert root.pem --issuer-key "pkcs11:token=mfg;object=root" \
  --pin-source "file:$PIN_FILE" --out ca.pem
expect_rc 0 "issuing CA (P-384) in the token"
openssl verify -x509_strict -CAfile root.pem ca.pem >/dev/null 2>&1 && pass || fail "openssl verify ca.pem"

# PIN from the environment instead of --pin-source; RSA key in the token.
PKCS11_PIN=$HSM_PIN run create-authority --profile ticket-signer --subject "/O=Acme/CN=Signer" --new-key --key-type rsa2048 \
  --key "pkcs11:token=mfg;object=signer" --issuer-cert root.pem --issuer-key "pkcs11:token=mfg;object=root" --out signer.pem
expect_rc 0 "RSA ticket signer in the token, PIN from PKCS11_PIN"
openssl verify -CAfile root.pem signer.pem >/dev/null 2>&1 && pass || fail "openssl verify signer.pem"

# IDevID: CA key in one token, device key created in another token (same module, one process).
run mint-idevid --ca-cert ca.pem --ca-key "pkcs11:token=mfg;object=device-ca" --ca-chain root.pem \
  --product-instance-uri urn:example:acme:x1:0001 --serial-number 0001 \
  --device-key "pkcs11:token=devices;object=dev-0001" --new-key --pin-source "file:$PIN_FILE" --out dev1.pem
expect_rc 0 "mint-idevid with CA key and new device key in tokens"
openssl verify -x509_strict -CAfile root.pem -untrusted ca.pem dev1.pem >/dev/null 2>&1 && pass || fail "openssl verify dev1.pem"
p11tool --token-label devices --login --pin "$HSM_PIN" --list-objects | grep -q 'label: *dev-0001' && pass ||
  fail "device key dev-0001 not in token 'devices'"

# hardwareModuleName says TPM 2.0: a token key gets a warning (the certificate is still made).
run mint-idevid --ca-cert ca.pem --ca-key "pkcs11:token=mfg;object=device-ca" --product-instance-uri urn:example:acme:x1:0009 \
  --serial-number 0009 --device-key "pkcs11:token=devices;object=dev-0001" --hardware-module-name \
  --pin-source "file:$PIN_FILE" --out dev9.pem
expect_rc 0 "hardwareModuleName with a token key"
grep -q "warning: --hardware-module-name declares a TPM 2.0 key" <<<"$ERR" && pass || fail "no hardwareModuleName warning: $ERR"

# The same key again (no --new-key), by label and by id; LDevID for it.
dev_id=$(p11tool --token-label devices --login --pin "$HSM_PIN" --list-objects --type privkey | awk '/ID:/{print $2; exit}')
id_pct=$(sed 's/../%&/g' <<<"$dev_id")
run issue-ldevid --ca-cert ca.pem --ca-key "pkcs11:token=mfg;object=device-ca" --product-instance-uri urn:example:acme:x1:0001 --serial-number 0001 \
  --device-key "pkcs11:token=devices;id=$id_pct" --pin-source "file:$PIN_FILE" --out ldev1.pem
expect_rc 0 "issue-ldevid with the device key found by id"
a=$(openssl x509 -in dev1.pem -noout -pubkey); b=$(openssl x509 -in ldev1.pem -noout -pubkey)
expect_eq "$a" "$b" "IDevID and LDevID carry the same token key"
openssl verify -CAfile root.pem -untrusted ca.pem ldev1.pem >/dev/null 2>&1 && pass || fail "openssl verify ldev1.pem"

# Batch: CA key in the token, one login for the whole manifest.
printf 'id,product_instance_uri,serial_number\n' >m.csv
for i in 1 2 3 4 5; do
  printf 'd%s,urn:example:acme:x1:b%s,B%s\n' $i $i $i >>m.csv
  "$BIN/create-authority" --profile root-ca --subject "/CN=dev$i" --key "d$i.key" --new-key --out "$T/discard.pem" --force >/dev/null 2>&1
done
run mint-idevid --manifest m.csv --out-dir batch --ca-cert ca.pem --ca-key "pkcs11:token=mfg;object=device-ca" \
  --device-key-template "file:{id}.key" --pin-source "file:$PIN_FILE"
expect_rc 0 "batch with the CA key in the token"
n=$(grep -c '"status":"ok"' <<<"$OUT")
expect_eq "$n" 5 "five certificates issued"
for i in 1 2 3 4 5; do
  openssl verify -CAfile root.pem -untrusted ca.pem "batch/d$i.pem" >/dev/null 2>&1 && pass || fail "batch/d$i.pem"
done

# Batch with device keys created in the token; a re-run keeps the keys and skips the rows.
printf 'id,product_instance_uri,serial_number\n' >t.csv
for i in 1 2 3; do printf 't%s,urn:example:acme:x1:t%s,T%s\n' $i $i $i >>t.csv; done
run mint-idevid --manifest t.csv --out-dir tbatch --ca-cert ca.pem --ca-key "pkcs11:token=mfg;object=device-ca" \
  --device-key-template "pkcs11:token=devices;object={id}" --new-key --pin-source "file:$PIN_FILE"
expect_rc 0 "batch creating device keys in the token"
expect_eq "$(grep -c '"status":"ok"' <<<"$OUT")" 3 "three device keys and certificates"
run mint-idevid --manifest t.csv --out-dir tbatch --ca-cert ca.pem --ca-key "pkcs11:token=mfg;object=device-ca" \
  --device-key-template "pkcs11:token=devices;object={id}" --new-key --pin-source "file:$PIN_FILE"
expect_rc 0 "re-run of the batch"
expect_eq "$(grep -c '"status":"skipped"' <<<"$OUT")" 3 "re-run skips the rows, keeping the token keys"
n=$(p11tool --token-label devices --login --pin "$HSM_PIN" --list-objects --type privkey | grep -c 'label: *t[123]$')
expect_eq "$n" 3 "exactly one key per device in the token"
finish
