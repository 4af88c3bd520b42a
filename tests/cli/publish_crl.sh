#!/usr/bin/env bash
# publish-crl (SPEC §13.6, issue 12): CRL v2 with cRLNumber, AKI, dates and reasons, entries of
# the previous CRL kept; checked independently with `openssl crl`; the SPEC §13.2 preflight and
# every bad input (exit code, one error line, nothing written); verify-ticket with the CRLs it
# makes (revoked → 12 with the reason, not current → 11, another CA's CRL not used, a forged
# one failed).
source "$SRC/tests/lib.sh"
source "$SRC/tests/verify_lib.sh"
make_pki
ca_text() { openssl crl -in "$1" ${2:+-inform $2} -noout -text 2>&1; }
# crl_verifies FILE [DER]: openssl checks the CRL's signature with ca.pem
crl_verifies() { openssl crl -in "$1" ${2:+-inform $2} -CAfile ca.pem -noout 2>&1 | grep -qx "verify OK"; }

# ---- the first CRL: nothing revoked ----
run publish-crl --ca-cert ca.pem --ca-key ca.key --out c1.crl
expect_rc 0 "first CRL"
expect_out "^c1.crl: CRL #1 of O=Acme,CN=Acme Device CA, 0 revoked \(0 new\), next update " "first CRL: summary line"
head -1 c1.crl | grep -qx -- "-----BEGIN X509 CRL-----" && pass || fail "PEM by default"
crl_verifies c1.crl && pass || fail "openssl crl -CAfile ca.pem verifies the first CRL"
text=$(ca_text c1.crl)
grep -q "Version 2 (0x1)" <<<"$text" && pass || fail "CRL v2: $text"
grep -A1 "X509v3 CRL Number" <<<"$text" | tail -1 | grep -qE "^ +1$" && pass || fail "cRLNumber 1: $text"
ski=$(openssl x509 -in ca.pem -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' ')
aki=$(grep -A1 "X509v3 Authority Key Identifier" <<<"$text" | tail -1 | tr -d ' ' | sed 's/^keyid://')
[ -n "$ski" ] && expect_eq "$aki" "$ski" "authorityKeyIdentifier = the CA's subjectKeyIdentifier"
grep -q "No Revoked Certificates" <<<"$text" && pass || fail "first CRL lists nothing"
# Default nextUpdate: 7 days after thisUpdate.
last=$(date -u -d "$(openssl crl -in c1.crl -noout -lastupdate | cut -d= -f2)" +%s)
next=$(date -u -d "$(openssl crl -in c1.crl -noout -nextupdate | cut -d= -f2)" +%s)
expect_eq "$((next - last))" "$((7 * 86400))" "default nextUpdate is thisUpdate + 7 days"

# ---- revoke the ticket signer (keyCompromise), keeping the first CRL's record ----
signer_serial=$(openssl x509 -in signer.pem -noout -serial | cut -d= -f2)
run publish-crl --ca-cert ca.pem --ca-key ca.key --crl c1.crl --revoke signer.pem --reason keyCompromise --out c2.crl
expect_rc 0 "revoke the signer"
expect_out "CRL #2 of O=Acme,CN=Acme Device CA, 1 revoked \(1 new\)" "second CRL: number 2, one entry"
expect_out "revoked $signer_serial \(O=Acme,CN=Acme Ticket Signer\), reason keyCompromise" "names the revoked signer"
crl_verifies c2.crl && pass || fail "openssl verifies the second CRL"
text=$(ca_text c2.crl)
grep -A1 "X509v3 CRL Number" <<<"$text" | tail -1 | grep -qE "^ +2$" && pass || fail "cRLNumber 2"
grep -q "Serial Number: $signer_serial" <<<"$text" && pass || fail "the signer's serial is listed: $text"
grep -A1 "X509v3 CRL Reason Code" <<<"$text" | grep -q "Key Compromise" && pass || fail "reasonCode keyCompromise: $text"
rev_date=$(grep -A1 "Serial Number: $signer_serial" <<<"$text" | grep "Revocation Date")

# ---- a serial by hex (lower case, colons), superseded; the earlier entry keeps date and reason ----
other_hex=0a1b2c3d4e5f
sleep 1  # a later revocation date for the new entry than the kept one
run publish-crl --ca-cert ca.pem --ca-key ca.key --crl c2.crl --revoke-serial 0a:1b:2c:3d:4e:5f --reason superseded \
  --json --out c3.crl
expect_rc 0 "revoke a serial"
j=$OUT
python3 - "$j" <<'PY' && pass || fail "--json report: $j"
import json, sys
j = json.loads(sys.argv[1])
assert j["out"] == "c3.crl" and j["crl_number"] == 3 and j["entries"] == 2 and j["kept"] == 1, j
assert j["revoked"] == [{"serial": "0A1B2C3D4E5F", "subject": "", "reason": "superseded", "revoked_at": j["this_update"]}], j
assert j["issuer"] == "O=Acme,CN=Acme Device CA" and j["next_update"] > j["this_update"], j
PY
text=$(ca_text c3.crl)
grep -q "Serial Number: 0A1B2C3D4E5F" <<<"$text" && pass || fail "the hex serial is listed: $text"
grep -A1 "Serial Number: $signer_serial" <<<"$text" | grep -qF "$rev_date" && pass || fail "kept entry keeps its date ($rev_date): $text"
expect_eq "$(grep -c "Key Compromise" <<<"$text")" 1 "kept entry keeps keyCompromise"
expect_eq "$(grep -c "Superseded" <<<"$text")" 1 "new entry has superseded"
crl_verifies c3.crl && pass || fail "openssl verifies the third CRL"

# ---- a serial revoked again keeps the first revocation, with a warning; DER in and out ----
run publish-crl --ca-cert ca.pem --ca-key ca.key --crl c3.crl --revoke signer.pem --revoke-serial "$signer_serial" \
  --reason cessationOfOperation --der --out c4.der
expect_rc 0 "revoke twice"
expect_err "warning: --revoke signer.pem \(O=Acme,CN=Acme Ticket Signer\): serial $signer_serial is already revoked \(--crl c3.crl, on .*, reason keyCompromise\); the first revocation is kept" "revoked twice: warns"
grep -q "warning: --revoke-serial $signer_serial: serial $signer_serial is already revoked" <<<"$ERR" && pass || fail "same serial twice: warns: $ERR"
expect_out "CRL #4 .*, 2 revoked \(0 new\)" "revoked twice: nothing new"
crl_verifies c4.der DER && pass || fail "openssl verifies the DER CRL"
text=$(ca_text c4.der DER)
grep -q "Cessation" <<<"$text" && fail "a re-revocation changed the reason" || pass
run publish-crl --ca-cert ca.pem --ca-key ca.key --crl c4.der --out c5.crl
expect_rc 0 "DER previous CRL"
expect_out "CRL #5 .*, 2 revoked \(0 new\)" "re-publication from a DER CRL keeps both entries"

# ---- --out -, --days, --next-update, in place with --force ----
run publish-crl --ca-cert ca.pem --ca-key ca.key --crl c5.crl --days 30 --out -
expect_rc 0 "--out -"
head -1 <<<"$OUT" | grep -qx -- "-----BEGIN X509 CRL-----" && pass || fail "--out - writes the PEM CRL: $OUT"
printf '%s\n' "$OUT" >stdout.crl
last=$(date -u -d "$(openssl crl -in stdout.crl -noout -lastupdate | cut -d= -f2)" +%s)
next=$(date -u -d "$(openssl crl -in stdout.crl -noout -nextupdate | cut -d= -f2)" +%s)
expect_eq "$((next - last))" "$((30 * 86400))" "--days 30"
run publish-crl --ca-cert ca.pem --ca-key ca.key --next-update 2030-01-01T00:00:00Z --out nu.crl
expect_rc 0 "--next-update"
openssl crl -in nu.crl -noout -nextupdate | grep -q "Jan  1 00:00:00 2030 GMT" && pass || fail "--next-update 2030-01-01"
cp c5.crl inplace.crl
run publish-crl --ca-cert ca.pem --ca-key ca.key --crl inplace.crl --out inplace.crl --force
expect_rc 0 "in place with --force"
expect_out "CRL #6 " "in place: the number counts on"

# ---- verify-ticket with these CRLs (SPEC §8: a CRL given for the issuer must verify and be current) ----
device_yaml 1
"$BIN/sign-ticket" --ticket dev-1.yaml --key signer.key --cert signer.pem --chain chain.pem --out t.json >/dev/null ||
  fail "setup: sign-ticket"
make_distributor
"$BIN/countersign-ticket" t.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem \
  --out t-dist.json >/dev/null || fail "setup: countersign"
run verify-ticket t.json --trust-anchor root.pem --crl c2.crl
expect_rc 12 "revoked signer: exit 12"
expect_out "revoked on .*, reason keyCompromise \(serial $signer_serial" "the report names date and reason"
run verify-ticket t.json --trust-anchor root.pem --crl c2.crl --json
python3 - "$OUT" <<'PY' && pass || fail "--json carries revoked_at and revocation_reason: $OUT"
import json, sys
j = json.loads(sys.argv[1].splitlines()[0])
s = j["signatures"][0]
assert s["code"] == 12 and s["revocation"]["status"] == "revoked", s
leaf = s["certificates"][0]
assert leaf["revocation_reason"] == "keyCompromise" and leaf["revoked_at"].endswith("Z"), leaf
assert "revocation_reason" not in s["certificates"][1], s
PY
run verify-ticket t-dist.json --trust-anchor root.pem --trust-anchor droot.pem --crl c2.crl
expect_rc 0 "countersigned ticket: valid through the distributor"
expect_out "#0 .*REJECTED .*reason keyCompromise" "countersigned ticket: the manufacturer's signature is rejected as revoked"
run verify-ticket t.json --trust-anchor root.pem --crl c1.crl
expect_rc 0 "CRL without the signer: valid"
expect_out "not revoked \(CRL of O=Acme,CN=Acme Device CA" "CRL checked"
# Not current: a CRL whose nextUpdate has passed at the evaluation time is refused (11).
run publish-crl --ca-cert ca.pem --ca-key ca.key --days 1 --out short.crl
at=$(date -u -d "+3 days" +%Y-%m-%dT%H:%M:%SZ)
run verify-ticket t.json --trust-anchor root.pem --crl short.crl --at "$at"
expect_rc 11 "stale CRL: exit 11"
expect_out "the CRL of O=Acme,CN=Acme Device CA is out of date at .*\(nextUpdate " "stale CRL: reported"
run verify-ticket t.json --trust-anchor root.pem --at "$at"
expect_rc 0 "the same time without the stale CRL: valid (the check is the CRL's currency)"
# Another CA's CRL (another name) is not this chain's: not used, the status stays unknown.
"$BIN/create-authority" --profile issuing-ca --subject "/O=Other/CN=Other CA" --key other.key --new-key \
  --issuer-cert root.pem --issuer-key root.key --crl-url http://crl.example.com/root.crl --out other.pem >/dev/null || fail "setup: other CA"
run publish-crl --ca-cert other.pem --ca-key other.key --revoke-serial "$signer_serial" --out other.crl
expect_rc 0 "another CA's CRL"
run verify-ticket t.json --trust-anchor root.pem --crl other.crl
expect_rc 0 "another CA's CRL, listing the signer's serial, is not used"
expect_out "revocation +unknown" "another CA's CRL: the signer's status stays unknown"
# A CRL with the Device CA's name signed by another key: the check fails (1), never passes.
"$BIN/create-authority" --profile issuing-ca --subject "/O=Acme/CN=Acme Device CA" --key impostor.key --new-key \
  --issuer-cert root.pem --issuer-key root.key --crl-url http://crl.example.com/root.crl --out impostor.pem >/dev/null ||
  fail "setup: impostor CA"
run publish-crl --ca-cert impostor.pem --ca-key impostor.key --out forged.crl
expect_rc 0 "forged CRL made"
run verify-ticket t.json --trust-anchor root.pem --crl forged.crl
expect_rc 1 "CRL with the issuer's name, another key: exit 1"
expect_out "bad signature \(not signed by the issuer's key\)" "forged CRL: reported"
run verify-ticket t.json --trust-anchor root.pem --crl forged.crl --crl c2.crl
expect_rc 12 "forged CRL beside the real one: the real one counts"

# ---- preflight and bad input: exit code, one error line, nothing written ----
# refused RC WHAT REGEX: the last run exited RC with one error line matching REGEX, no x.crl
refused() {
  expect_rc "$1" "$2"
  expect_err "$3" "$2"
  expect_no_file x.crl "$2: nothing written"
  expect_no_temp . "$2"
}
mkdir -p ca.d && : >ca.d/index.txt && echo 1000 >ca.d/serial
cat >odd.cnf <<'CNF'
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
crlnumber = $dir/crlnumber
default_crl_days = 30
[ any ]
organizationName = optional
commonName = supplied
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ no_crl_sign_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ no_aki_ext ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = none
authorityKeyIdentifier = none
[ idp_ext ]
issuingDistributionPoint = critical,@idp
[ idp ]
fullname = URI:http://crl.example.com/part1.crl
CNF
echo 01 >ca.d/crlnumber
# odd NAME CN ISSUER START END EXT
odd() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null &&
    openssl req -new -key "$1.key" -subj "/O=Acme/CN=$2" -out "$1.csr" 2>/dev/null &&
    openssl ca -batch -config odd.cnf -cert "$3.pem" -keyfile "$3.key" -in "$1.csr" -out "$1.pem" -notext \
      -startdate "$4" -enddate "$5" -extensions "$6" >/dev/null 2>&1 || { echo "odd $1 failed" >&2; exit 1; }
}
odd expired-ca "Expired CA" root 20200101000000Z 20210501000000Z ca_ext
odd future-ca "Future CA" root 20990101000000Z 20991231000000Z ca_ext
odd no-crl-ca "No CRL CA" root 20240101000000Z 20400101000000Z no_crl_sign_ext
odd forged-signer "Forged Signer" impostor 20240101000000Z 20400101000000Z no_aki_ext

run publish-crl --ca-cert signer.pem --ca-key signer.key --out x.crl
refused 3 "not a CA" "^publish-crl: error: --ca-cert signer.pem \(O=Acme,CN=Acme Ticket Signer\) is not a CA"
run publish-crl --ca-cert no-crl-ca.pem --ca-key no-crl-ca.key --out x.crl
refused 3 "CA without cRLSign" "no-crl-ca.pem \(O=Acme,CN=No CRL CA\) lacks keyUsage cRLSign"
run publish-crl --ca-cert expired-ca.pem --ca-key expired-ca.key --out x.crl
refused 11 "expired CA" "expired-ca.pem \(O=Acme,CN=Expired CA\) expired on 2021-05-01T00:00:00Z"
run publish-crl --ca-cert future-ca.pem --ca-key future-ca.key --out x.crl
refused 11 "not yet valid CA" "is not valid before 2099-01-01T00:00:00Z"
run publish-crl --ca-cert ca.key --ca-key ca.key --out x.crl
refused 3 "--ca-cert holds a key" "--ca-cert ca.key holds a private key, not a certificate"
run publish-crl --ca-cert ca.pem --ca-key signer.key --out x.crl
refused 4 "CA key does not match" "--ca-key .*signer.key does not match the public key of CA certificate O=Acme,CN=Acme Device CA"
run publish-crl --ca-cert ca.pem --ca-key missing.key --out x.crl
refused 4 "CA key missing" "missing.key"
# The previous CRL
run publish-crl --ca-cert ca.pem --ca-key ca.key --crl other.crl --out x.crl
refused 3 "previous CRL of another CA" "--crl other.crl is a CRL of O=Other,CN=Other CA, not of --ca-cert ca.pem \(O=Acme,CN=Acme Device CA\)"
run publish-crl --ca-cert ca.pem --ca-key ca.key --crl forged.crl --out x.crl
refused 3 "previous CRL with the CA's name, another key" "--crl forged.crl names O=Acme,CN=Acme Device CA as its issuer, but its signature does not verify"
echo "not a CRL" >junk.crl
run publish-crl --ca-cert ca.pem --ca-key ca.key --crl junk.crl --out x.crl
refused 3 "previous CRL malformed" "--crl: junk.crl: not a PEM or DER CRL"
head -c 100 c4.der >cut.der
run publish-crl --ca-cert ca.pem --ca-key ca.key --crl cut.der --out x.crl
refused 3 "previous CRL truncated" "not a PEM or DER CRL"
sed '2s/^.\{8\}/AAAAAAAA/' c2.crl >mangled.crl
run publish-crl --ca-cert ca.pem --ca-key ca.key --crl mangled.crl --out x.crl
[ "$RC" -eq 3 ] && pass || fail "previous CRL altered: exit $RC, expected 3 ($ERR)"
expect_no_file x.crl "previous CRL altered: nothing written"
if openssl ca -config odd.cnf -cert ca.pem -keyfile ca.key -gencrl -crlexts idp_ext -out idp.crl >/dev/null 2>&1; then
  run publish-crl --ca-cert ca.pem --ca-key ca.key --crl idp.crl --out x.crl
  refused 3 "partitioned previous CRL" "--crl idp.crl has extensions publish-crl would not carry over \(X509v3 Issuing Distribution Point\)"
else
  fail "setup: openssl ca -gencrl with issuingDistributionPoint"
fi
run publish-crl --ca-cert ca.pem --ca-key ca.key --crl missing.crl --out x.crl
refused 5 "previous CRL missing" "missing.crl"
# Certificates to revoke that this CA did not issue
run publish-crl --ca-cert ca.pem --ca-key ca.key --revoke dsigner.pem --out x.crl
refused 3 "--revoke of another CA's certificate" "--revoke dsigner.pem \(O=Dist,CN=Dist Signer\) was issued by O=Dist,CN=Dist Root, not by --ca-cert ca.pem"
"$BIN/create-authority" --profile ticket-signer --subject "/O=Acme/CN=Impostor Signer" --key isigner.key --new-key \
  --issuer-cert impostor.pem --issuer-key impostor.key --crl-url http://crl.example.com/ca.crl --out isigner.pem >/dev/null ||
  fail "setup: impostor's signer"
run publish-crl --ca-cert ca.pem --ca-key ca.key --revoke isigner.pem --out x.crl
refused 3 "--revoke: same issuer name, another CA key (AKI)" "isigner.pem \(O=Acme,CN=Impostor Signer\) names another issuer key \(its authorityKeyIdentifier"
run publish-crl --ca-cert ca.pem --ca-key ca.key --revoke forged-signer.pem --out x.crl
refused 3 "--revoke: same issuer name, no AKI, another CA's signature" "forged-signer.pem \(O=Acme,CN=Forged Signer\): its signature does not verify with the key of --ca-cert ca.pem"
run publish-crl --ca-cert root.pem --ca-key root.key --revoke root.pem --out x.crl
refused 3 "--revoke of the CA itself" "is the CA certificate itself"
run publish-crl --ca-cert ca.pem --ca-key ca.key --revoke signer.key --out x.crl
refused 3 "--revoke of a key file" "--revoke signer.key holds a private key"
run publish-crl --ca-cert ca.pem --ca-key ca.key --revoke nosuch.pem --out x.crl
refused 5 "--revoke file missing" "nosuch.pem"
# Serials
for bad in zz12 0 0x 12: :12 1-2 "" 0x0000 123456789012345678901234567890123456789012 8123456789012345678901234567890123456789; do
  run publish-crl --ca-cert ca.pem --ca-key ca.key --revoke-serial "$bad" --out x.crl
  refused 3 "--revoke-serial '$bad'" "--revoke-serial: serial '$bad' is"
done
run publish-crl --ca-cert ca.pem --ca-key ca.key --revoke-serial 7123456789012345678901234567890123456789 --out big.crl
expect_rc 0 "a 20-octet serial is accepted"
# Usage
run publish-crl --ca-cert ca.pem --ca-key ca.key --revoke signer.pem --reason compromised --out x.crl
refused 2 "unknown reason" "--reason 'compromised' is not one of unspecified, keyCompromise, cACompromise"
run publish-crl --ca-cert ca.pem --ca-key ca.key --revoke signer.pem --reason certificateHold --out x.crl
refused 2 "certificateHold is not offered" "--reason 'certificateHold' is not one of"
run publish-crl --ca-cert ca.pem --ca-key ca.key --reason keyCompromise --out x.crl
refused 2 "--reason with nothing to revoke" "--reason applies to --revoke/--revoke-serial"
run publish-crl --ca-cert ca.pem --ca-key ca.key --days 3 --next-update 2030-01-01T00:00:00Z --out x.crl
refused 2 "--days with --next-update" "give --days or --next-update, not both"
run publish-crl --ca-cert ca.pem --ca-key ca.key --days -2 --out x.crl
refused 2 "--days negative" "--days must be at least 1"
run publish-crl --ca-cert ca.pem --ca-key ca.key --next-update 2020-01-01T00:00:00Z --out x.crl
refused 2 "--next-update in the past" "--next-update 2020-01-01T00:00:00Z is not after now"
run publish-crl --ca-cert ca.pem --ca-key ca.key --next-update soon --out x.crl
refused 2 "--next-update garbage" "--next-update: "
run publish-crl --ca-cert ca.pem --ca-key ca.key
refused 2 "--out missing" "--out"
# nextUpdate beyond the CA's notAfter: asked for → 3, the default → clamped with a warning
"$BIN/create-authority" --profile issuing-ca --subject "/O=Acme/CN=Short CA" --key short.key --new-key --days 3 \
  --issuer-cert root.pem --issuer-key root.key --crl-url http://crl.example.com/root.crl --out short-ca.pem >/dev/null || fail "setup: short CA"
run publish-crl --ca-cert short-ca.pem --ca-key short.key --days 5 --out x.crl
refused 3 "--days beyond the CA" "--days asks for nextUpdate .*, after --ca-cert short-ca.pem \(O=Acme,CN=Short CA\) expires on"
run publish-crl --ca-cert short-ca.pem --ca-key short.key --next-update 2099-01-01T00:00:00Z --out x.crl
refused 3 "--next-update beyond the CA" "--next-update asks for nextUpdate 2099-01-01T00:00:00Z"
run publish-crl --ca-cert short-ca.pem --ca-key short.key --out clamped.crl
expect_rc 0 "default nextUpdate beyond the CA: clamped"
expect_err "warning: the default nextUpdate would outlive --ca-cert short-ca.pem .*: nextUpdate clamped to its expiry" "clamped: warns"
expect_eq "$(date -u -d "$(openssl crl -in clamped.crl -noout -nextupdate | cut -d= -f2)" +%s)" \
  "$(date -u -d "$(openssl x509 -in short-ca.pem -noout -enddate | cut -d= -f2)" +%s)" "clamped to the CA's notAfter"
# An existing output without --force
echo keep >kept.crl
run publish-crl --ca-cert ca.pem --ca-key ca.key --out kept.crl
expect_rc 5 "existing output without --force"
expect_eq "$(cat kept.crl)" "keep" "existing output untouched"
run publish-crl --ca-cert ca.pem --ca-key ca.key --out nodir/x.crl
expect_rc 5 "output directory missing"
finish
