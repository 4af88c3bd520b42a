# issue-ldevid: same key as the IDevID, from a CSR or a device key; composite SAN with both URIs.
source "$SRC/tests/lib.sh"
make_pki
"$BIN/create-authority" --profile issuing-ca --crl-url http://crl.example.com/root.crl --subject "/O=Builder/CN=Builder Composite CA" --key cb.key --new-key \
  --issuer-cert root.pem --issuer-key root.key --out cb.pem >/dev/null
URI=urn:acme.example:x1:42
COMP=urn:builder.example:line-7:cell-3
"$BIN/mint-idevid" --ca-cert ca.pem --ca-key ca.key --product-instance-uri $URI --serial-number 42 --model X1 \
  --device-key dev.key --new-key --out idevid.pem >/dev/null

run issue-ldevid --ca-cert cb.pem --ca-key cb.key --product-instance-uri $URI --composite-instance-uri $COMP \
  --from-idevid idevid.pem --out ldevid.pem
expect_rc 0 "composite LDevID from the IDevID"
openssl verify -x509_strict -CAfile root.pem -untrusted cb.pem ldevid.pem >/dev/null && pass || fail "openssl verify ldevid"
san=$(openssl x509 -in ldevid.pem -noout -ext subjectAltName | tail -1 | tr -d ' ')
expect_eq "$san" "URI:$URI,URI:$COMP" "SAN has ProductInstanceUri then CompositeInstanceUri"
expect_eq "$(openssl x509 -in ldevid.pem -noout -pubkey)" "$(openssl x509 -in idevid.pem -noout -pubkey)" "same key pair as the IDevID"
expect_eq "$(openssl x509 -in ldevid.pem -noout -subject)" "$(openssl x509 -in idevid.pem -noout -subject)" "subject copied from the IDevID"
openssl x509 -in ldevid.pem -noout -enddate | grep -q "9999 GMT" && pass || fail "default notAfter 9999"

openssl req -new -key dev.key -subj "/O=Acme/CN=X1/serialNumber=42" -out dev.csr 2>/dev/null
run issue-ldevid --ca-cert cb.pem --ca-key cb.key --product-instance-uri $URI --csr dev.csr --not-after 2035-06-30T00:00:00Z --out l2.pem
expect_rc 0 "LDevID from a CSR"
openssl x509 -in l2.pem -noout -enddate | grep -q "Jun 30 00:00:00 2035 GMT" && pass || fail "LDevID --not-after"
san=$(openssl x509 -in l2.pem -noout -ext subjectAltName | tail -1 | tr -d ' ')
expect_eq "$san" "URI:$URI" "plain LDevID has one URI"
run issue-ldevid --ca-cert cb.pem --ca-key cb.key --product-instance-uri urn:acme.example:x1:43 --device-key l3.key --new-key --serial-number 43 --out l3.pem --json
expect_rc 0 "LDevID for a new device key"
expect_out '"san_uris":\["urn:acme.example:x1:43"\]' "--json output"

# ---- bad input
run issue-ldevid --ca-cert cb.pem --ca-key cb.key --product-instance-uri urn:acme.example:other --from-idevid idevid.pem --out bad.pem
expect_rc 13 "IDevID names another ProductInstanceUri"; expect_err "names ProductInstanceUri $URI" "mismatch message"
run issue-ldevid --ca-cert cb.pem --ca-key cb.key --product-instance-uri $URI --composite-instance-uri "not a uri" --from-idevid idevid.pem --out bad.pem
expect_rc 3 "bad CompositeInstanceUri"
run issue-ldevid --ca-cert cb.pem --ca-key cb.key --product-instance-uri $URI --from-idevid idevid.pem --csr dev.csr --out bad.pem
expect_rc 2 "two key sources"
run issue-ldevid --ca-cert cb.pem --ca-key cb.key --product-instance-uri $URI --out bad.pem
expect_rc 2 "no key source"
run issue-ldevid --ca-cert cb.pem --ca-key cb.key --product-instance-uri urn:x:1 --device-key l4.key --new-key --out bad.pem
expect_rc 2 "device key without any subject"; expect_no_file l4.key "no key made"
run issue-ldevid --ca-cert idevid.pem --ca-key dev.key --product-instance-uri $URI --from-idevid idevid.pem --out bad.pem
expect_rc 3 "issuer is an end entity"
echo junk > junk.pem
run issue-ldevid --ca-cert cb.pem --ca-key cb.key --product-instance-uri $URI --from-idevid junk.pem --out bad.pem
expect_rc 3 "malformed IDevID"
run issue-ldevid --ca-cert cb.pem --ca-key cb.key --product-instance-uri $URI --from-idevid idevid.pem --out ldevid.pem
expect_rc 5 "output exists"
expect_no_file bad.pem "nothing written on failure"
expect_no_temp . "issue-ldevid"
finish
