#!/usr/bin/env bash
# RFC 3161 time-stamps (SPEC §13.6): --tsa on the signing tools against a real responder
# (scripts/dev-tsa: openssl ts -reply behind HTTP), --tsa-anchor in verify-ticket, and every
# bad reply refused with exit 4 and nothing written.
source "$SRC/tests/lib.sh"
source "$SRC/tests/verify_lib.sh"
trap '"$SRC/scripts/dev-tsa" stop "$T/tsa" >/dev/null 2>&1; rm -rf "$T"' EXIT
command -v python3 >/dev/null || { echo "python3 not found: the dev TSA needs it" >&2; exit 77; }

make_pki
make_distributor
cat ca.pem root.pem >bundle.pem
device_yaml 1
device_yaml 2
eval "$(BIN=$BIN "$SRC/scripts/dev-tsa" start "$T/tsa")" || { echo "dev-tsa start failed" >&2; exit 1; }
[ -n "${DEV_TSA_URL:-}" ] && pass || fail "dev-tsa prints DEV_TSA_URL"

# create-authority --profile tsa: EKU timeStamping only, critical (RFC 3161 §2.3), end entity
openssl x509 -in tsa/tsa.pem -noout -ext extendedKeyUsage,basicConstraints,keyUsage >tsa-ext.txt
grep -A1 "Extended Key Usage: critical" tsa-ext.txt | grep -q "Time Stamping" && pass || fail "tsa profile: EKU timeStamping critical"
grep -q "CA:FALSE" tsa-ext.txt && pass || fail "tsa profile: end entity"
grep -A1 "Key Usage" tsa-ext.txt | grep -q "Digital Signature" && pass || fail "tsa profile: digitalSignature"
openssl verify -CAfile tsa/root.pem -purpose timestampsign tsa/tsa.pem >/dev/null 2>&1 && pass || fail "openssl accepts it for timestampsign"

# A signer that expires in three days; the operator looks at the ticket a year later.
NOT_AFTER=$(date -u -d '+3 days' +%Y-%m-%dT%H:%M:%SZ)
LATER=$(date -u -d '+400 days' +%Y-%m-%dT%H:%M:%SZ)
"$BIN/create-authority" --profile ticket-signer --subject "/O=Acme/CN=Short Signer" --key short.key --new-key \
  --not-after "$NOT_AFTER" --issuer-cert ca.pem --issuer-key ca.key --crl-url http://crl.example.com/ca.crl --out short.pem >/dev/null

run sign-ticket --ticket dev-1.yaml --key short.key --cert short.pem --chain chain.pem --authority bundle.pem \
  --tsa "$DEV_TSA_URL" --out t.json
expect_rc 0 "sign-ticket --tsa"
grep -q '"header":{"etsiU":\["' t.json && pass || fail "the token is in the unprotected header as etsiU"

# etsiU element (base64url JSON) → sigTst.tstTokens[0].val (base64 DER) → token.der
token_of() {  # token_of FILE N OUT
  grep -o '"header":{"etsiU":\["[^"]*"' "$1" | sed -n "$(( $2 + 1 ))p" | sed -E 's/.*\["(.*)"/\1/' | b64url_decode >"$3.json"
  sed -E 's/.*"val":"([^"]*)".*/\1/' "$3.json" | base64 -d >"$3"
}
sig_value() { grep -o '"signature":"[^"]*"' "$1" | sed -n "$(( $2 + 1 ))p" | sed -E 's/"signature":"(.*)"/\1/'; }
token_of t.json 0 token.der
grep -q '^{"sigTst":{"tstTokens":\[{"val":"' token.der.json && pass || fail "JAdES sigTst component layout"

# Independently: openssl ts -verify over the signature value's bytes (the base64url string)
printf '%s' "$(sig_value t.json 0)" >sig0.txt
openssl ts -verify -data sig0.txt -in token.der -token_in -CAfile tsa/root.pem >ts-verify.txt 2>&1
grep -q "Verification: OK" ts-verify.txt && pass || fail "openssl ts -verify over the signature bytes: $(cat ts-verify.txt)"
printf '%s' "$(payload_b64 t.json)" >payload.txt
openssl ts -verify -data payload.txt -in token.der -token_in -CAfile tsa/root.pem >/dev/null 2>&1 &&
  fail "the token must not cover other bytes" || pass

# Must show: a year after the signer expired, valid through the time-stamp ...
run verify-ticket t.json --trust-anchor root.pem --tsa-anchor tsa/root.pem --at "$LATER"
expect_rc 0 "valid a year after expiry with --tsa-anchor"
expect_out "timestamped at .* by .*Dev Time-Stamping Unit" "report says timestamped at T by TSA"
expect_out "policy 1\.3\.6\.1\.4\.1\.4146\.99\.1" "policy OID reported"
run verify-ticket t.json --trust-anchor root.pem --tsa-anchor tsa/root.pem --at "$LATER" --json
expect_out '"timestamp":\{"state":"honoured"' "JSON carries the time-stamp result"
# "valid until" follows the TSA chain, not the expired signer
expect_out "\"valid_until\":\"$(date -u -d "@$(openssl x509 -in tsa/tsa.pem -noout -enddate | sed 's/notAfter=//' | date -u -f - +%s)" +%Y-%m-%dT%H:%M:%SZ)\"" \
  "valid until = the TSA certificate's notAfter"
# ... and without --tsa-anchor: the token is not honoured, the signature is judged at --at
run verify-ticket t.json --trust-anchor root.pem --at "$LATER"
expect_rc 11 "without --tsa-anchor: expired"
expect_out "not honoured \(no --tsa-anchor\)" "says why the token was not used"
# An untrusted TSA (anchor is another CA): not honoured → expired
run verify-ticket t.json --trust-anchor root.pem --tsa-anchor droot.pem --at "$LATER"
expect_rc 11 "token from an untrusted TSA: not honoured"
expect_out "not honoured: TSA .* does not chain to a --tsa-anchor" "names the untrusted TSA"
# Now (before expiry) the ticket is valid either way
run verify-ticket t.json --trust-anchor root.pem
expect_rc 0 "valid now without --tsa-anchor"

# A token copied from another signature: a failed check, never ignored
"$BIN/sign-ticket" --ticket dev-2.yaml --key signer.key --cert signer.pem --chain chain.pem --authority bundle.pem --out u.json >/dev/null
etsiu=$(grep -o '"header":{"etsiU":\[[^]]*\]}' t.json)
sed -E "s/\{\"protected\":(\"[^\"]*\"),\"signature\"/{\"protected\":\1,$etsiu,\"signature\"/" u.json >copied.json
grep -q etsiU copied.json && pass || fail "test setup: copied token grafted"
run verify-ticket copied.json --trust-anchor root.pem --tsa-anchor tsa/root.pem
expect_rc 1 "a copied token fails the signature"
expect_out "does not cover this signature" "names the imprint mismatch"
run verify-ticket copied.json --trust-anchor root.pem
expect_rc 1 "a copied token fails without --tsa-anchor too"

# A token whose time lies after the signer's expiry: not honoured → expired. The expired signer
# certificate is made with openssl ca (create-authority never issues one already expired).
mkdir -p oca && : >oca/index.txt && echo 1000 >oca/serial
printf '[ca]\ndefault_ca=d\n[d]\ndatabase=oca/index.txt\nserial=oca/serial\nnew_certs_dir=oca\ndefault_md=sha256\npolicy=p\nunique_subject=no\ncopy_extensions=none\nx509_extensions=e\n[p]\nO=supplied\nCN=supplied\n[e]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\ncrlDistributionPoints=URI:http://crl.example.com/ca.crl\n' >oca/ca.cnf
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out old.key 2>/dev/null
openssl req -new -key old.key -subj "/O=Acme/CN=Old Signer" -out old.csr 2>/dev/null
openssl ca -batch -config oca/ca.cnf -cert ca.pem -keyfile ca.key -in old.csr -out old.pem -notext \
  -startdate 20200101000000Z -enddate 20210101000000Z >/dev/null 2>&1 || fail "test setup: expired signer"
p=$(payload_b64 u.json)
obj=$(signature_object "$(es256_header "$DEVICE_CTY" old.pem ca.pem root.pem)" "$p" old.key)
sv=$(sed -E 's/.*"signature":"([^"]*)".*/\1/' <<<"$obj")
printf '%s' "$sv" >old-sig.txt
openssl ts -query -data old-sig.txt -sha256 -cert -out old.tsq 2>/dev/null
curl -s --data-binary @old.tsq -H 'Content-Type: application/timestamp-query' "$DEV_TSA_URL" -o old.tsr
openssl ts -reply -in old.tsr -token_out -out old-token.der 2>/dev/null || fail "test setup: token for the expired signer"
comp=$(printf '{"sigTst":{"tstTokens":[{"val":"%s"}]}}' "$(base64 -w0 old-token.der)" | b64url)
document "$p" "$(sed -E "s/,\"signature\"/,\"header\":{\"etsiU\":[\"$comp\"]},\"signature\"/" <<<"$obj")" >late.json
run verify-ticket late.json --trust-anchor root.pem --tsa-anchor tsa/root.pem
expect_rc 11 "token time after the signer's expiry: not honoured, expired"
expect_out "not honoured: the token's time .* lies outside the signer chain's validity" "says so"

# Countersigning a time-stamped ticket keeps the first signature object byte for byte
run countersign-ticket t.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem \
  --tsa "$DEV_TSA_URL" --out t2.json
expect_rc 0 "countersign-ticket --tsa"
n=$(( $(stat -c %s t.json) - 3 ))
expect_eq "$(head -c "$n" t2.json | sha256sum)" "$(head -c "$n" t.json | sha256sum)" "first unprotected header kept byte for byte"
expect_eq "$(grep -o '"etsiU"' t2.json | wc -l)" "2" "the new signature is time-stamped too"
run verify-ticket t2.json --trust-anchor root.pem --trust-anchor droot.pem --tsa-anchor tsa/root.pem --policy all
expect_rc 0 "both time-stamped signatures accepted"

# build-composite-ticket --tsa: every new signature carries a token
printf 'composite_instance_uri: urn:builder.example:cell:1\nmanufacturer_name: Builder\n' >cell.yaml
run build-composite-ticket --composite cell.yaml --member t.json --key dsigner.key --cert dsigner.pem --chain droot.pem \
  --trust-anchor root.pem --tsa "$DEV_TSA_URL" --out-dir comp
expect_rc 0 "build-composite-ticket --tsa"
for f in comp/*.json; do
  case $f in *ticket-list*) continue ;; esac
  grep -q '"etsiU"' "$f" && pass || fail "$f: the builder's signature is time-stamped"
done

# Bad input at signing time: exit 4 (the TSA is a remote signing service), one line, nothing written
run sign-ticket --ticket dev-1.yaml --key signer.key --cert signer.pem --chain chain.pem --tsa http://127.0.0.1:9/tsa --out x.json
expect_rc 4 "TSA unreachable"
expect_err "sign-ticket: error: .*--tsa http://127.0.0.1:9/tsa: TSA unreachable" "names the TSA"
expect_no_file x.json "nothing written (unreachable)"
for mode in reject wrong-nonce wrong-imprint; do
  "$SRC/scripts/dev-tsa" mode tsa "$mode"
  run sign-ticket --ticket dev-1.yaml --key signer.key --cert signer.pem --chain chain.pem --tsa "$DEV_TSA_URL" --out x.json
  expect_rc 4 "TSA reply: $mode"
  case $mode in
    reject) expect_err "refused the request \(PKIStatus 2" "bad status named" ;;
    wrong-nonce) expect_err "nonce does not match" "nonce mismatch named" ;;
    wrong-imprint) expect_err "message imprint does not match" "imprint mismatch named" ;;
  esac
  expect_no_file x.json "nothing written ($mode)"
  run countersign-ticket u.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem \
    --tsa "$DEV_TSA_URL" --out x.json
  expect_rc 4 "countersign-ticket, TSA reply: $mode"
  expect_no_file x.json "countersign: nothing written ($mode)"
done
"$SRC/scripts/dev-tsa" mode tsa normal
run sign-ticket --ticket dev-1.yaml --key signer.key --cert signer.pem --chain chain.pem --tsa ftp://example.com/tsa --out x.json
expect_rc 2 "--tsa must be http(s)"
expect_no_file x.json "nothing written (bad URL)"
expect_no_temp . "no temporary files"

# Revocation after the time-stamp (SPEC §13.6): forgiven unless the reason is a key compromise.
# The revocation is made a few seconds after t.json's token, so its date lies after the token's time.
sleep 2
"$BIN/publish-crl" --ca-cert ca.pem --ca-key ca.key --revoke short.pem --reason superseded --out superseded.crl >/dev/null
"$BIN/publish-crl" --ca-cert ca.pem --ca-key ca.key --revoke short.pem --reason keyCompromise --out compromise.crl >/dev/null
run verify-ticket t.json --trust-anchor root.pem --tsa-anchor tsa/root.pem --crl superseded.crl
expect_rc 0 "revoked (superseded) after the time-stamp: still valid"
expect_out "after the time-stamp and not for key compromise" "says why the revocation does not count"
run verify-ticket t.json --trust-anchor root.pem --crl superseded.crl
expect_rc 12 "the same without --tsa-anchor: revoked"
run verify-ticket t.json --trust-anchor root.pem --tsa-anchor tsa/root.pem --crl compromise.crl
expect_rc 12 "revoked for keyCompromise after the time-stamp: revoked all the same"
expect_out "reason keyCompromise" "the reason is reported"

"$SRC/scripts/dev-tsa" stop tsa
[ -f tsa/pid ] && fail "dev-tsa stop leaves no responder" || pass
finish
