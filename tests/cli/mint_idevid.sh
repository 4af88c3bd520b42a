# mint-idevid, one device: the IDevID profile of SPEC §3 checked with openssl; bad input per §8.
source "$SRC/tests/lib.sh"
make_pki
URI="urn:acme.example:model-x1:snr-16273849"

run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri "$URI" --serial-number 16273849 \
  --model "Model X1" --device-key dev.key --new-key --out dev.pem --chain-out dev-chain.pem
expect_rc 0 "mint with a new device key"
openssl verify -x509_strict -CAfile root.pem -untrusted ca.pem dev.pem >/dev/null && pass || fail "openssl verify idevid"
text=$(openssl x509 -in dev.pem -noout -text)
grep -q "URI:$URI" <<<"$text" && pass || fail "SAN URI"
grep -q "serialNumber = 16273849" <<<"$text" && pass || fail "subject serialNumber"
grep -q "O = Acme, CN = Model X1" <<<"$text" && pass || fail "subject O from the CA, CN = model"
grep -q "Not After : Dec 31 23:59:59 9999 GMT" <<<"$text" && pass || fail "notAfter 9999"
openssl asn1parse -in dev.pem | grep -q "GENERALIZEDTIME   :99991231235959Z" && pass || fail "99991231235959Z GeneralizedTime"
grep -A1 "Key Usage: critical" <<<"$text" | grep -qx " *Digital Signature" && pass || fail "keyUsage digitalSignature only"
grep -A1 "Extended Key Usage" <<<"$text" | grep -q "TLS Web Server Authentication, TLS Web Client Authentication" && pass || fail "EKU"
grep -q "CA:FALSE" <<<"$text" && pass || fail "CA:FALSE"
grep -q "Authority Key Identifier" <<<"$text" && pass || fail "AKI"
grep -q "Subject Key Identifier" <<<"$text" && fail "no SKI by default" || pass
expect_eq "$(grep -c BEGIN dev-chain.pem)" 2 "--chain-out holds leaf + CA"
openssl verify -CAfile root.pem -untrusted dev-chain.pem dev.pem >/dev/null && pass || fail "chain-out verifies"
# the certificate's key is the device key
expect_eq "$(openssl x509 -in dev.pem -noout -pubkey)" "$(openssl pkey -in dev.key -pubout)" "device key in certificate"

# URI with a comma survives (no config-string SAN parsing)
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri "tag:acme.example,2026-01:x1:7" --serial-number 7 \
  --device-key k7.key --new-key --out d7.pem --hardware-module-name --add-ski --json
expect_rc 0 "tag URI with comma"
expect_out '"san_uris":\["tag:acme.example,2026-01:x1:7"\]' "--json san_uris"
text=$(openssl x509 -in d7.pem -noout -text)
grep -q "URI:tag:acme.example,2026-01:x1:7" <<<"$text" && pass || fail "comma URI in SAN"
grep -q "othername: 1.3.6.1.5.5.7.8.4\|othername:<unsupported>\|othername: hardwareModuleName" <<<"$text" && pass || fail "hardwareModuleName otherName"
grep -q "Subject Key Identifier" <<<"$text" && pass || fail "--add-ski"
openssl asn1parse -in d7.pem | grep -q "A01806082B06010505070804A00C300A060567810501020401" && pass || fail "hardwareModuleName { hwType 2.23.133.1.2, hwSerialNum }"

# CA organisation with a comma becomes the IDevID's O= intact
"$BIN/create-authority" --profile issuing-ca --crl-url http://crl.example.com/root.crl --subject "/O=Acme, Inc./CN=Comma CA" --key comma.key --new-key \
  --issuer-cert root.pem --issuer-key root.key --out comma.pem >/dev/null
run mint-idevid --ca-cert comma.pem --ca-key comma.key --product-instance-uri "HTTPS://ID.acme.example/x1/5" --serial-number 5 --device-key k5.key --new-key --out d5.pem
expect_rc 0 "upper-case URI mints"; expect_err "warning: .*upper-case" "SPEC §2 lint warning"
openssl x509 -in d5.pem -noout -subject -nameopt utf8,sep_comma_plus | grep -qF 'O=Acme, Inc.,serialNumber=5' && pass || fail "default O= keeps its comma"

# from a CSR (proof of possession checked) and an existing key; RSA device key gets keyEncipherment
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout csr.key -subj "/CN=ignored" -out dev.csr 2>/dev/null
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri "urn:acme.example:x1:2" --serial-number 2 --csr dev.csr --out csr.pem
expect_rc 0 "from CSR"
expect_eq "$(openssl x509 -in csr.pem -noout -pubkey)" "$(openssl pkey -in csr.key -pubout)" "CSR key in certificate"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri "urn:acme.example:x1:3" --serial-number 3 --device-key rsa.key --new-key --key-type rsa2048 --out rsa.pem
expect_rc 0 "rsa device"
openssl x509 -in rsa.pem -noout -text | grep -A1 "Key Usage: critical" | grep -q "Digital Signature, Key Encipherment" && pass || fail "RSA keyEncipherment"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri "urn:acme.example:x1:4" --serial-number 4 --device-key dev.key --out again.pem --not-after 2040-01-01T00:00:00Z
expect_rc 0 "existing device key, --not-after"
openssl x509 -in again.pem -noout -enddate | grep -q "Jan  1 00:00:00 2040 GMT" && pass || fail "--not-after honoured"

# ---- bad input: one line, SPEC §8 code, nothing written
base=(--ca-cert ca.pem --ca-key ca.key --serial-number 9 --device-key k9.key --new-key --out bad.pem)
run mint-idevid "${base[@]}"
expect_rc 2 "missing --product-instance-uri"; expect_no_file k9.key "no key on usage error"
run mint-idevid "${base[@]}" --product-instance-uri "device/9"
expect_rc 3 "relative URI"; expect_err "not an absolute URI" "relative URI message"; expect_no_file k9.key "relative URI: no key"
run mint-idevid "${base[@]}" --product-instance-uri "urn:acme.example:$(printf 'a%.0s' $(seq 1 260))"
expect_rc 3 "URI over 255"; expect_err "at most 255" "long URI message"
run mint-idevid "${base[@]}" --product-instance-uri "urn:acme example"
expect_rc 3 "URI with a space"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:a:9 --device-key k9.key --new-key --out bad.pem
expect_rc 2 "missing --serial-number"; expect_no_file k9.key "missing serial: no key"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:a:9 --serial-number "" --device-key k9.key --new-key --out bad.pem
expect_rc 3 "empty serial"; expect_err "serial number is empty" "empty serial message"
run mint-idevid --ca-cert signer.pem --ca-key signer.key --product-instance-uri urn:a:9 --serial-number 9 --device-key k9.key --new-key --out bad.pem
expect_rc 3 "CA cert that is not a CA"; expect_err "is not a CA" "not a CA message"
run mint-idevid --ca-cert ca.pem --ca-key root.key --product-instance-uri urn:a:9 --serial-number 9 --device-key k9.key --new-key --out bad.pem
expect_rc 4 "CA key does not match"; expect_err "does not match" "key mismatch message"; expect_no_file k9.key "mismatch: no device key"
printf -- '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n' > broken.pem
run mint-idevid --ca-cert broken.pem --ca-key ca.key --product-instance-uri urn:a:9 --serial-number 9 --device-key k9.key --new-key --out bad.pem
expect_rc 3 "malformed PEM"; expect_err "broken.pem" "malformed PEM names the file"
run mint-idevid --ca-cert nothere.pem --ca-key ca.key --product-instance-uri urn:a:9 --serial-number 9 --device-key k9.key --new-key --out bad.pem
expect_rc 5 "unreadable CA cert"
# CSR whose self-signature is broken: flip a byte inside the signature
openssl req -in dev.csr -outform DER -out dev.csr.der
size=$(stat -c %s dev.csr.der)
printf '\x00' | dd of=dev.csr.der bs=1 seek=$((size - 5)) conv=notrunc 2>/dev/null
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:a:9 --serial-number 9 --csr dev.csr.der --out bad.pem
expect_rc 3 "CSR with a bad self-signature"; expect_err "proof of possession" "bad CSR message"
echo garbage > junk.csr
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:a:9 --serial-number 9 --csr junk.csr --out bad.pem
expect_rc 3 "CSR not a CSR"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:a:9 --serial-number 9 --csr dev.csr --device-key dev.key --out bad.pem
expect_rc 2 "both --csr and --device-key"
# RFC 5480 §2.1.1: a device key with explicit curve parameters is refused, not put in an IDevID.
openssl ecparam -name prime256v1 -param_enc explicit -genkey -noout -out explicit.key 2>/dev/null
openssl req -new -key explicit.key -subj /CN=dev -out explicit.csr 2>/dev/null
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:a:9 --serial-number 9 --csr explicit.csr --out bad.pem
expect_rc 3 "CSR whose key has explicit EC parameters"
expect_err "does not name its EC curve \(explicit or implicitCA parameters\); RFC 5480 allows only a named curve" "explicit parameters named"
expect_no_file bad.pem "no IDevID for a key with explicit EC parameters"
# encrypted CA key without a passphrase
openssl pkcs8 -topk8 -in ca.key -out ca-enc.key -passout pass:topsecret 2>/dev/null
run mint-idevid --ca-cert ca.pem --ca-key ca-enc.key --product-instance-uri urn:a:9 --serial-number 9 --device-key dev.key --out bad.pem </dev/null
expect_rc 4 "encrypted key without passphrase"; expect_err "pass-source" "encrypted key message"
echo topsecret > pass.txt
run mint-idevid --ca-cert ca.pem --ca-key ca-enc.key --pass-source file:pass.txt --product-instance-uri urn:a:9 --serial-number 9 --device-key dev.key --out enc-ok.pem
expect_rc 0 "encrypted key with --pass-source"
grep -q topsecret <<<"$OUT$ERR" && fail "passphrase printed" || pass
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:a:9 --serial-number 9 --device-key dev.key --out dev.pem
expect_rc 5 "output exists"; expect_err "already exists" "exists message"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:a:9 --serial-number 9 --device-key dev.key --out nodir/x.pem
expect_rc 5 "output directory missing"
# output directory not writable (as an unprivileged user: root may write anywhere)
mkdir ro && chmod 555 ro
if [ "$(id -u)" -eq 0 ]; then
  chmod 755 "$T"; cp ca.key ca-nobody.key; chmod 644 ca-nobody.key dev.key
  RC=0; ERR=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/mint-idevid" --ca-cert ca.pem --ca-key ca-nobody.key \
    --product-instance-uri urn:a:9 --serial-number 9 --device-key dev.key --out ro/x.pem 2>&1 >/dev/null) || RC=$?
else
  run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:a:9 --serial-number 9 --device-key dev.key --out ro/x.pem
fi
expect_rc 5 "output directory not writable"; expect_err "not writable" "not writable message"; expect_no_file ro/x.pem "read-only dir"
run mint-idevid --ca-cert ca.pem --ca-key "pkcs11:token=nope" --product-instance-uri urn:a:9 --serial-number 9 --device-key dev.key --out x.pem
expect_rc 2 "malformed key URI"
expect_no_file bad.pem "no output from any failure"
expect_no_temp . "mint-idevid"
finish
