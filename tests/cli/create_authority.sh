# create-authority: the three profiles of SPEC §3, checked with openssl; bad input per SPEC §8.
source "$SRC/tests/lib.sh"

run create-authority --profile root-ca --subject "/O=Acme/CN=Acme Root" --key root.key --new-key --out root.pem
expect_rc 0 "root-ca"
run create-authority --profile issuing-ca --subject "/O=Acme/CN=Acme Device CA" --key file:ca.key --new-key \
  --issuer-cert root.pem --issuer-key root.key --crl-url http://crl.acme.example/ca.crl --ocsp-url http://ocsp.acme.example --out ca.pem --json
expect_rc 0 "issuing-ca"
expect_out '"subject":"O=Acme,CN=Acme Device CA"' "issuing-ca --json subject"
run create-authority --profile ticket-signer --crl-url http://crl.example.com/ca.crl --subject "/O=Acme/CN=Signer" --key signer.key --new-key --key-type p384 \
  --issuer-cert ca.pem --issuer-key ca.key --days 30 --out signer.pem
expect_rc 0 "ticket-signer"

# Independent check: openssl accepts the chains and shows the profile extensions.
openssl verify -x509_strict -CAfile root.pem ca.pem >/dev/null && pass || fail "openssl verify ca.pem"
openssl verify -x509_strict -CAfile root.pem -untrusted ca.pem signer.pem >/dev/null && pass || fail "openssl verify signer.pem"
text=$(openssl x509 -in root.pem -noout -text)
grep -q "CA:TRUE" <<<"$text" && pass || fail "root CA:TRUE"
grep -A1 "Key Usage: critical" <<<"$text" | grep -q "Certificate Sign, CRL Sign" && pass || fail "root keyUsage"
grep -q "Subject Key Identifier" <<<"$text" && pass || fail "root SKI"
text=$(openssl x509 -in ca.pem -noout -text)
grep -q "CA:TRUE, pathlen:0" <<<"$text" && pass || fail "issuing-ca pathlen 0"
grep -q "URI:http://crl.acme.example/ca.crl" <<<"$text" && pass || fail "issuing-ca CRL DP"
grep -q "OCSP - URI:http://ocsp.acme.example" <<<"$text" && pass || fail "issuing-ca OCSP AIA"
grep -q "Authority Key Identifier" <<<"$text" && pass || fail "issuing-ca AKI"
text=$(openssl x509 -in signer.pem -noout -text)
grep -q "CA:FALSE" <<<"$text" && pass || fail "signer CA:FALSE"
grep -A1 "Key Usage: critical" <<<"$text" | grep -q "Digital Signature" && pass || fail "signer keyUsage"
grep -q "ecdsa-with-SHA256" <<<"$text" && pass || fail "signer signed with SHA-256 by the P-256 CA"
grep -q "NIST CURVE: P-384" <<<"$text" && pass || fail "signer key P-384"
# 16-byte positive serial
serial=$(openssl x509 -in signer.pem -noout -serial | cut -d= -f2)
expect_eq "${#serial}" 32 "serial is 16 bytes"
# root default validity 25 years, UTCTime before 2050, GeneralizedTime after
end=$(openssl x509 -in root.pem -noout -enddate | cut -d= -f2)
year=$(date -u -d "$end" +%Y)
expect_eq "$year" "$(( $(date -u +%Y) + 25 ))" "root valid 25 years"
[ "$(stat -c %a root.key)" = 600 ] && pass || fail "new key file mode 0600"

# Ed25519 and RSA roots sign with the right algorithms
run create-authority --profile root-ca --subject "/CN=Ed Root" --key ed.key --new-key --key-type ed25519 --out ed.pem
expect_rc 0 "ed25519 root"
openssl x509 -in ed.pem -noout -text | grep -q "Signature Algorithm: ED25519" && pass || fail "ed25519 signature"
run create-authority --profile root-ca --subject "/CN=RSA Root" --key rsa.key --new-key --key-type rsa2048 --not-after 2060-01-01T00:00:00Z --out rsa.pem
expect_rc 0 "rsa root with --not-after"
openssl asn1parse -in rsa.pem | grep -q "GENERALIZEDTIME   :20600101000000Z" && pass || fail "2060 notAfter as GeneralizedTime"
openssl asn1parse -in ca.pem | grep -q "UTCTIME" && pass || fail "pre-2050 times as UTCTime"

# ---- bad input: one line, SPEC §8 code, nothing written
run create-authority --subject "/CN=x" --key k.key --new-key --out x.pem
expect_rc 2 "missing --profile"; expect_err "error: .*--profile" "missing --profile message"; expect_no_file x.pem "missing flag"
run create-authority --profile root-ca --subject "/CN=x" --key k.key --bogus --out x.pem
expect_rc 2 "unknown flag"; expect_no_file x.pem "unknown flag"
run create-authority --profile king --subject "/CN=x" --key k.key --new-key --out x.pem
expect_rc 2 "unknown profile"; expect_no_file k.key "no key made on usage error"
run create-authority --profile root-ca --subject "CN=x" --key k.key --new-key --out x.pem
expect_rc 2 "subject without slash"; expect_no_file k.key "no key made on bad subject"
run create-authority --profile issuing-ca --crl-url http://crl.example.com/x.crl --subject "/CN=x" --key k.key --new-key --out x.pem
expect_rc 2 "issuing-ca without issuer"
run create-authority --profile issuing-ca --crl-url http://crl.example.com/signer.crl --subject "/CN=x" --key k.key --new-key --issuer-cert signer.pem --issuer-key signer.key --out x.pem
expect_rc 3 "issuer that is not a CA"; expect_err "not a CA" "not a CA message"; expect_no_file k.key "no key for non-CA issuer"
run create-authority --profile ticket-signer --crl-url http://crl.example.com/ca.crl --subject "/CN=x" --key k.key --new-key --issuer-cert ca.pem --issuer-key root.key --out x.pem
expect_rc 4 "issuer key does not match"; expect_err "does not match" "key mismatch message"; expect_no_file x.pem "key mismatch"
expect_no_file k.key "new key removed when issuing fails"
run create-authority --profile root-ca --subject "/CN=x" --key root.key --new-key --out x.pem
expect_rc 5 "--new-key over an existing key"; expect_no_file x.pem "existing key"
run create-authority --profile root-ca --subject "/CN=Again" --key root.key --out root.pem
expect_rc 5 "output exists"; expect_err "already exists" "output exists message"
run create-authority --profile root-ca --subject "/CN=Again" --key root.key --out root.pem --force
expect_rc 0 "--force overwrites"
run create-authority --profile root-ca --subject "/CN=x" --key missing.key --out x.pem
expect_rc 4 "missing key"; expect_no_file x.pem "missing key"
echo "not a pem" > junk.pem
run create-authority --profile issuing-ca --crl-url http://crl.example.com/junk.crl --subject "/CN=x" --key k.key --new-key --issuer-cert junk.pem --issuer-key ca.key --out x.pem
expect_rc 3 "malformed issuer PEM"; expect_err "junk.pem" "malformed PEM names the file"
run create-authority --profile issuing-ca --crl-url http://crl.example.com/nothere.crl --subject "/CN=x" --key k.key --new-key --issuer-cert nothere.pem --issuer-key ca.key --out x.pem
expect_rc 5 "unreadable issuer cert"
run create-authority --profile root-ca --subject "/CN=x" --key k.key --new-key --out nodir/x.pem
expect_rc 5 "output directory missing"; expect_no_file k.key "no key when output dir is missing"
run create-authority --profile root-ca --subject "/CN=x" --key k.key --new-key --days 10 --not-after 2030-01-01 --out x.pem
expect_rc 2 "--days with --not-after"
run create-authority --profile root-ca --subject "/CN=x" --key k.key --new-key --not-after tomorrow --out x.pem
expect_rc 2 "bad time"
run create-authority --profile root-ca --subject "/CN=x" --key k.key --new-key --pin 1234 --out x.pem
expect_rc 2 "PIN on the command line refused"; expect_err "never taken on the command line" "--pin message"
expect_no_temp . "create-authority"
finish
