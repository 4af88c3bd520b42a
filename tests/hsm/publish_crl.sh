# publish-crl with the CA key in a PKCS#11 token (SoftHSM2), issue 12 "Must show": a revoked ticket
# signer gives verify-ticket exit 12 with the reason, the CRL made from an HSM-held CA key and
# verified independently with `openssl crl`; token errors are exit 4 with nothing written.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
source "$SRC/tests/verify_lib.sh"
start_hsm mfg
PIN="--pin-source file:$PIN_FILE"
root="pkcs11:token=mfg;object=root"
ca="pkcs11:token=mfg;object=device-ca"

"$BIN/create-authority" --profile root-ca --subject "/O=Acme/CN=Acme Root" --key "$root" --new-key $PIN \
  --out root.pem >/dev/null || fail "setup: root in the token"
"$BIN/create-authority" --profile issuing-ca --subject "/O=Acme/CN=Acme Device CA" --key "$ca" --new-key $PIN \
  --issuer-cert root.pem --issuer-key "$root" --crl-url http://crl.example.com/root.crl --out ca.pem >/dev/null ||
  fail "setup: device CA in the token"
for s in signer other; do
  "$BIN/create-authority" --profile ticket-signer --subject "/O=Acme/CN=Acme $s" --key $s.key --new-key \
    --issuer-cert ca.pem --issuer-key "$ca" $PIN --crl-url http://crl.example.com/device-ca.crl --out $s.pem >/dev/null ||
    fail "setup: $s"
done
cat ca.pem root.pem >chain.pem
device_yaml 1
for s in signer other; do
  "$BIN/sign-ticket" --ticket dev-1.yaml --key $s.key --cert $s.pem --chain chain.pem --out $s.json >/dev/null ||
    fail "setup: ticket by $s"
done

# The CRL, signed inside the token.
touch "$T/.before"
run publish-crl --ca-cert ca.pem --ca-key "$ca" $PIN --revoke signer.pem --reason keyCompromise --out ca.crl
expect_rc 0 "publish-crl with the CA key in the token"
expect_out "ca.crl: CRL #1 of O=Acme,CN=Acme Device CA, 1 revoked \(1 new\)" "summary"
openssl crl -in ca.crl -CAfile ca.pem -noout 2>&1 | grep -qx "verify OK" && pass || fail "openssl crl -CAfile ca.pem verifies the CRL"
text=$(openssl crl -in ca.crl -noout -text)
grep -q "Serial Number: $(openssl x509 -in signer.pem -noout -serial | cut -d= -f2)" <<<"$text" && pass || fail "signer listed"
grep -q "Key Compromise" <<<"$text" && pass || fail "reason keyCompromise: $text"
newfiles=$(find "$T" -path "$T/hsm" -prune -o -type f -newer "$T/.before" -print | grep -v '/\.\(out\|err\)$' | sort)
expect_eq "$newfiles" "$T/ca.crl" "only the CRL was written"

run verify-ticket signer.json --trust-anchor root.pem --crl ca.crl
expect_rc 12 "the revoked signer's ticket: exit 12"
expect_out "revoked on .*, reason keyCompromise" "the report gives the reason"
run verify-ticket other.json --trust-anchor root.pem --crl ca.crl
expect_rc 0 "the other signer's ticket: valid"

# The next CRL from the token keeps the entry and counts on.
run publish-crl --ca-cert ca.pem --ca-key "$ca" $PIN --crl ca.crl --revoke other.pem --reason superseded --der --out ca2.crl
expect_rc 0 "second CRL from the token"
expect_out "CRL #2 .*, 2 revoked \(1 new\)" "second CRL: both entries"
openssl crl -inform DER -in ca2.crl -CAfile ca.pem -noout 2>&1 | grep -qx "verify OK" && pass || fail "openssl verifies the DER CRL"

# Token errors: exit 4, one line, nothing written.
echo 000000 >wrong.pin
run publish-crl --ca-cert ca.pem --ca-key "$ca" --pin-source file:wrong.pin --out x.crl
expect_rc 4 "wrong PIN"
expect_err "wrong PIN" "wrong PIN"
expect_no_file x.crl "wrong PIN: nothing written"
run publish-crl --ca-cert ca.pem --ca-key "$root" $PIN --out x.crl
expect_rc 4 "the root's key for the device CA"
expect_err "does not match the public key of CA certificate O=Acme,CN=Acme Device CA" "key/cert mismatch"
expect_no_file x.crl "key mismatch: nothing written"
run publish-crl --ca-cert ca.pem --ca-key "pkcs11:token=mfg;object=nosuch" $PIN --out x.crl
expect_rc 4 "no such key"
expect_no_file x.crl "no such key: nothing written"
finish
