#!/usr/bin/env bash
# SPEC §13.2 preflight: every issuing/signing tool checks its issuer/signer first and refuses
# with one line, the SPEC §8 exit code and nothing written (no output, no new key).
# The odd certificates (expired, not yet valid, no keyCertSign, no digitalSignature) are made
# honestly with `openssl ca` and explicit start/end dates.
source "$SRC/tests/lib.sh"
make_pki
cat >dev.yaml <<'YAML'
manufacturer_name: Acme
serial_number: "1"
product_instance_uri: urn:acme.example:x1:1
YAML

# ---- odd certificates through openssl ca ----
mkdir -p ca.d && : >ca.d/index.txt && echo 1000 >ca.d/serial
cat >ca.cnf <<'CNF'
[ ca ]
default_ca = odd
[ odd ]
dir = ./ca.d
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = any
unique_subject = no
email_in_dn = no
[ any ]
organizationName = optional
commonName = supplied
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://crl.example.com/root.crl
[ crl_only_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ signer_ext ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://crl.example.com/ca.crl
[ no_ds_ext ]
basicConstraints = CA:FALSE
keyUsage = critical,keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://crl.example.com/ca.crl
CNF
# odd NAME CN ISSUER START END EXT: NAME.pem/NAME.key issued by ISSUER.pem/ISSUER.key
odd() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null &&
    openssl req -new -key "$1.key" -subj "/O=Acme/CN=$2" -out "$1.csr" 2>/dev/null &&
    openssl ca -batch -config ca.cnf -cert "$3.pem" -keyfile "$3.key" -in "$1.csr" -out "$1.pem" -notext \
      -startdate "$4" -enddate "$5" -extensions "$6" >/dev/null 2>&1 || { echo "odd $1 failed" >&2; exit 1; }
}
odd expired-ca "Expired CA" root 20200101000000Z 20210501000000Z ca_ext
odd future-ca "Future CA" root 20990101000000Z 20991231000000Z ca_ext
odd crl-only-ca "CRL Only CA" root 20240101000000Z 20400101000000Z crl_only_ext
odd expired-signer "Expired Signer" ca 20200101000000Z 20210501000000Z signer_ext
odd no-ds-signer "Encipher Only" ca 20240101000000Z 20400101000000Z no_ds_ext
openssl x509 -in expired-ca.pem -noout -enddate | grep -q "May  1 00:00:00 2021 GMT" && pass || fail "expired CA made as asked"

# refused RC WHAT REGEX: the last run exited RC with one line matching REGEX, and wrote nothing
refused() {
  expect_rc "$1" "$2"
  expect_err "$3" "$2"
  expect_no_file x.pem "$2: no certificate"
  expect_no_file x.json "$2: no ticket"
  expect_no_file new.key "$2: no key generated"
  expect_no_file out "$2: no output directory"
}

# ---- rule 1: issuer/signer valid now (exit 11) ----
run mint-idevid --ca-cert expired-ca.pem --ca-key expired-ca.key --product-instance-uri urn:acme.example:x1:1 \
  --serial-number 1 --device-key new.key --new-key --out x.pem
refused 11 "expired issuer" \
  "^mint-idevid: error: --ca-cert expired-ca.pem \(O=Acme,CN=Expired CA\) expired on 2021-05-01T00:00:00Z: renew the CA or use a valid --ca-cert$"
run create-authority --profile ticket-signer --subject "/O=Acme/CN=S" --key new.key --new-key --issuer-cert future-ca.pem \
  --issuer-key future-ca.key --crl-url http://crl.example.com/f.crl --out x.pem
refused 11 "not-yet-valid issuer" "--ca-cert future-ca.pem \(O=Acme,CN=Future CA\) is not valid before 2099-01-01T00:00:00Z"
run issue-ldevid --ca-cert expired-ca.pem --ca-key expired-ca.key --product-instance-uri urn:acme.example:x1:1 \
  --device-key new.key --new-key --serial-number 1 --out x.pem
refused 11 "expired issuer (issue-ldevid)" "expired on 2021-05-01T00:00:00Z"
cat ca.pem root.pem >chain.pem
"$BIN/sign-ticket" --ticket dev.yaml --key signer.key --cert signer.pem --chain chain.pem --out t.json >/dev/null 2>&1 ||
  fail "sign t.json"
run countersign-ticket t.json --key expired-signer.key --cert expired-signer.pem --chain chain.pem --trust-anchor root.pem \
  --out x.json
refused 11 "countersign by an expired signer" \
  "^countersign-ticket: error: --cert expired-signer.pem \(O=Acme,CN=Expired Signer\) expired on 2021-05-01T00:00:00Z"
run sign-ticket --ticket dev.yaml --key expired-signer.key --cert expired-signer.pem --chain chain.pem --out x.json
refused 11 "sign-ticket by an expired signer" "expired on 2021-05-01T00:00:00Z"
printf 'manufacturer_name: Builder\ncomposite_instance_uri: urn:builder.example:cell:1\n' >cell.yaml
run build-composite-ticket --composite cell.yaml --member t.json --key expired-signer.key --cert expired-signer.pem \
  --chain chain.pem --trust-anchor root.pem --out-dir out
refused 11 "build-composite-ticket by an expired signer" "expired on 2021-05-01T00:00:00Z"
run sign-ticket --ticket dev.yaml --key signer.key --cert signer.pem --chain expired-ca.pem --out x.json
refused 3 "chain that does not link (expired CA that did not issue the signer)" "did not issue"

# ---- rule 2: issuer is a CA with keyCertSign; pathLenConstraint (exit 3) ----
run issue-ldevid --ca-cert signer.pem --ca-key signer.key --product-instance-uri urn:acme.example:x1:1 \
  --device-key new.key --new-key --serial-number 1 --out x.pem
refused 3 "issuer without CA:TRUE" "--ca-cert signer.pem \(O=Acme,CN=Acme Ticket Signer\) is not a CA"
run mint-idevid --ca-cert crl-only-ca.pem --ca-key crl-only-ca.key --product-instance-uri urn:acme.example:x1:1 \
  --serial-number 1 --device-key new.key --new-key --out x.pem
refused 3 "issuer without keyCertSign" "crl-only-ca.pem \(O=Acme,CN=CRL Only CA\) lacks keyUsage keyCertSign"
run create-authority --profile issuing-ca --subject "/O=Acme/CN=Sub CA" --key new.key --new-key --issuer-cert ca.pem \
  --issuer-key ca.key --crl-url http://crl.example.com/ca.crl --out x.pem
refused 3 "new CA under pathlen:0" "--ca-cert ca.pem \(O=Acme,CN=Acme Device CA\) has pathLenConstraint 0"
run create-authority --profile ticket-signer --subject "/O=Acme/CN=EE" --key new.key --new-key --issuer-cert ca.pem \
  --issuer-key ca.key --crl-url http://crl.example.com/ca.crl --days 30 --out ee.pem
expect_rc 0 "an end entity under pathlen:0 is fine"
rm -f new.key

# ---- rule 3: notAfter within the issuer's ----
"$BIN/create-authority" --profile issuing-ca --subject "/O=Acme/CN=Short CA" --key short.key --new-key --issuer-cert root.pem \
  --issuer-key root.key --crl-url http://crl.example.com/root.crl --days 30 --out short.pem >/dev/null || fail "short CA"
short_end=$(openssl x509 -in short.pem -noout -enddate | cut -d= -f2)
run create-authority --profile ticket-signer --subject "/O=Acme/CN=S" --key new.key --new-key --issuer-cert short.pem \
  --issuer-key short.key --crl-url http://crl.example.com/short.crl --days 100 --out x.pem
refused 3 "--days beyond the issuer" "--days asks for notAfter .* after --ca-cert short.pem \(O=Acme,CN=Short CA\) expires on"
run create-authority --profile ticket-signer --subject "/O=Acme/CN=S" --key new.key --new-key --issuer-cert short.pem \
  --issuer-key short.key --crl-url http://crl.example.com/short.crl --not-after 2099-01-01T00:00:00Z --out x.pem
refused 3 "--not-after beyond the issuer" "--not-after asks for notAfter 2099-01-01T00:00:00Z"
run mint-idevid --ca-cert short.pem --ca-key short.key --product-instance-uri urn:acme.example:x1:1 \
  --serial-number 1 --device-key new.key --new-key --not-after 2099-01-01T00:00:00Z --out x.pem
refused 3 "IDevID --not-after beyond the issuer" "--not-after asks for notAfter 2099-01-01T00:00:00Z"
run mint-idevid --ca-cert short.pem --ca-key short.key --product-instance-uri urn:acme.example:x1:1 \
  --serial-number 1 --device-key dev.key --new-key --out idev.pem
expect_rc 0 "IDevID with 99991231235959Z outlives its CA (802.1AR)"
expect_eq "$(openssl x509 -in idev.pem -noout -enddate | cut -d= -f2)" "Dec 31 23:59:59 9999 GMT" "IDevID notAfter 9999"
run create-authority --profile ticket-signer --subject "/O=Acme/CN=Clamped" --key clamped.key --new-key \
  --issuer-cert short.pem --issuer-key short.key --crl-url http://crl.example.com/short.crl --out clamped.pem
expect_rc 0 "default validity beyond the issuer is clamped"
expect_err "warning: the ticket-signer default validity \(5 years\) would outlive --ca-cert short.pem .*clamped" \
  "clamping is warned about"
expect_eq "$(openssl x509 -in clamped.pem -noout -enddate | cut -d= -f2)" "$short_end" "clamped notAfter = the issuer's"

# ---- rule 4: the ticket signer and its x5c ----
run sign-ticket --ticket dev.yaml --key no-ds-signer.key --cert no-ds-signer.pem --chain chain.pem --out x.json
refused 3 "signer without digitalSignature" "--cert no-ds-signer.pem \(O=Acme,CN=Encipher Only\) lacks keyUsage digitalSignature"
run sign-ticket --ticket dev.yaml --key signer.key --cert signer.pem --out x.json
refused 3 "intermediate-issued signer and no --chain" "give --chain with every issuer up to the root"
run sign-ticket --ticket dev.yaml --key signer.key --cert signer.pem --chain ca.pem --out x.json
refused 3 "--chain that stops short of the root" "ends with O=Acme,CN=Acme Device CA, which is not a self-signed root.*give --chain with every issuer up to the root"
cat root.pem ca.pem >reversed.pem
run sign-ticket --ticket dev.yaml --key signer.key --cert signer.pem --chain reversed.pem --out x.json
refused 3 "--chain that does not link" "did not issue O=Acme,CN=Acme Ticket Signer.*give --chain with every issuer up to the root"
run countersign-ticket t.json --key signer.key --cert signer.pem --trust-anchor root.pem --out x.json
refused 3 "countersign without --chain" "give --chain with every issuer up to the root"
run build-composite-ticket --composite cell.yaml --member t.json --key signer.key --cert signer.pem --chain ca.pem \
  --trust-anchor root.pem --out-dir out
refused 3 "build-composite-ticket with a short --chain" "give --chain with every issuer up to the root"

# ---- rule 5: one alg allow-list (SPEC §6) for every signing tool ----
run sign-ticket --ticket dev.yaml --key signer.key --cert signer.pem --chain chain.pem --alg ES512 --out x.json
refused 2 "sign-ticket --alg ES512" "--alg ES512 is accepted when verifying but not written"
sign_msg=${ERR#sign-ticket: error: }
run countersign-ticket t.json --key signer.key --cert signer.pem --chain chain.pem --alg ES512 --trust-anchor root.pem --out x.json
refused 2 "countersign-ticket --alg ES512" "--alg ES512 is accepted when verifying but not written"
expect_eq "${ERR#countersign-ticket: error: }" "$sign_msg" "sign-ticket and countersign-ticket refuse with the same rule"
run build-composite-ticket --composite cell.yaml --member t.json --key signer.key --cert signer.pem --chain chain.pem \
  --alg ES512 --trust-anchor root.pem --out-dir out
refused 2 "build-composite-ticket --alg ES512" "--alg ES512 is accepted when verifying but not written"
"$BIN/create-authority" --profile ticket-signer --subject "/O=Acme/CN=RSA Signer" --key rsa.key --new-key --key-type rsa2048 \
  --issuer-cert ca.pem --issuer-key ca.key --crl-url http://crl.example.com/ca.crl --out rsa.pem >/dev/null || fail "rsa signer"
run countersign-ticket t.json --key rsa.key --cert rsa.pem --chain chain.pem --alg RS512 --trust-anchor root.pem --out x.json
refused 2 "countersign with an RSA key and RS512" "--alg RS512 is accepted when verifying but not written"
run countersign-ticket t.json --key rsa.key --cert rsa.pem --chain chain.pem --alg ES256 --trust-anchor root.pem --out x.json
refused 2 "countersign with an alg that does not fit the key" "--alg: .*does not fit"
run countersign-ticket t.json --key rsa.key --cert rsa.pem --chain chain.pem --alg PS256 --trust-anchor root.pem --out rsa.json
expect_rc 0 "countersign with RSA and PS256"
"$BIN/create-authority" --profile ticket-signer --subject "/O=Acme/CN=Ed Signer" --key ed.key --new-key --key-type ed25519 \
  --issuer-cert ca.pem --issuer-key ca.key --crl-url http://crl.example.com/ca.crl --out ed.pem >/dev/null || fail "ed signer"
run sign-ticket --ticket dev.yaml --key ed.key --cert ed.pem --chain chain.pem --out ed.json
expect_rc 0 "EdDSA signs"
expect_err "warning: EdDSA \(RFC 8037\) is outside the RFC 7518 algorithms Part 21 names" "EdDSA warns"
run countersign-ticket t.json --key ed.key --cert ed.pem --chain chain.pem --trust-anchor root.pem --out ed2.json
expect_rc 0 "EdDSA countersigns"
expect_err "warning: EdDSA \(RFC 8037\)" "EdDSA warns on countersign too"

# ---- rule 6: revocation information (Part 21 §6.1) ----
run create-authority --profile issuing-ca --subject "/O=Acme/CN=Bare CA" --key new.key --new-key --issuer-cert root.pem \
  --issuer-key root.key --out x.pem
refused 2 "issuing-ca without --crl-url/--ocsp-url" "needs --crl-url URL or --ocsp-url URL.*--no-revocation-info"
run create-authority --profile ticket-signer --subject "/O=Acme/CN=Bare" --key new.key --new-key --issuer-cert ca.pem \
  --issuer-key ca.key --out x.pem
refused 2 "ticket-signer without --crl-url/--ocsp-url" "needs --crl-url URL or --ocsp-url URL"
run create-authority --profile ticket-signer --subject "/O=Acme/CN=Bare" --key new.key --new-key --issuer-cert ca.pem \
  --issuer-key ca.key --no-revocation-info --crl-url http://crl.example.com/ca.crl --out x.pem
refused 2 "--no-revocation-info with --crl-url" "contradicts"
run create-authority --profile ticket-signer --subject "/O=Acme/CN=Bare" --key bare.key --new-key --issuer-cert ca.pem \
  --issuer-key ca.key --no-revocation-info --out bare.pem
expect_rc 0 "--no-revocation-info issues"
expect_err "warning: --no-revocation-info: /O=Acme/CN=Bare names no CRL or OCSP URL" "--no-revocation-info warns"
openssl x509 -in bare.pem -noout -text | grep -q "CRL Distribution" && fail "bare.pem has a CRL DP" || pass
run sign-ticket --ticket dev.yaml --key bare.key --cert bare.pem --chain chain.pem --out bare.json
expect_rc 0 "a signer without revocation info still signs"
expect_err "warning: O=Acme,CN=Bare has neither cRLDistributionPoints nor authorityInfoAccess" "and is warned about"
run create-authority --profile root-ca --subject "/O=Acme/CN=Root2" --key root2.key --new-key --out root2.pem
expect_rc 0 "a root needs no revocation info"
expect_eq "$ERR" "" "no warning for a root"

# ---- rule 7: the same certificate twice ----
run countersign-ticket t.json --key signer.key --cert signer.pem --chain chain.pem --trust-anchor root.pem --out x.json
refused 3 "countersign by the same certificate twice" \
  "^countersign-ticket: error: t.json: signature #0 is already by --cert signer.pem \(O=Acme,CN=Acme Ticket Signer\)"
run build-composite-ticket --composite cell.yaml --member t.json --key signer.key --cert signer.pem --chain chain.pem \
  --trust-anchor root.pem --out-dir out
refused 3 "build-composite-ticket over a member it already signed" "signature #0 is already by --cert signer.pem"
# a renewed certificate of the same subject and key is a different certificate: fine
"$BIN/create-authority" --profile ticket-signer --subject "/O=Acme/CN=Acme Ticket Signer" --key signer.key \
  --issuer-cert ca.pem --issuer-key ca.key --crl-url http://crl.example.com/ca.crl --out renewed.pem >/dev/null || fail "renew"
run countersign-ticket t.json --key signer.key --cert renewed.pem --chain chain.pem --trust-anchor root.pem --out renewed.json
expect_rc 0 "a newer certificate of the same subject countersigns"

# ---- messages (issue 10) ----
run mint-idevid --ca-cert ca.key --ca-key ca.pem --product-instance-uri urn:acme.example:x1:1 --serial-number 1 \
  --device-key new.key --new-key --out x.pem
refused 3 "swapped --ca-cert/--ca-key" "--ca-cert ca.key holds a private key, not a certificate: --ca-cert wants the certificate"
run sign-ticket --ticket dev.yaml --key signer.pem --cert signer.key --chain chain.pem --out x.json
refused 3 "swapped --cert/--key" "--cert signer.key holds a private key, not a certificate"
run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:1 --serial-number 1 \
  --device-key nothere.key --out x.pem
refused 4 "device key missing without --new-key" "--device-key nothere.key does not exist; add --new-key to create it"

expect_no_temp . "preflight"
finish
