#!/usr/bin/env bash
# verify-ticket against crafted and tampered tickets: each rejected with the right exit code and
# a precise reason (issue 4 "Must show"; SPEC §6, §8).
source "$SRC/tests/lib.sh"
source "$SRC/tests/verify_lib.sh"
make_pki
cat ca.pem root.pem >bundle.pem
device_yaml 1
device_yaml 2
"$BIN/sign-ticket" --ticket dev-1.yaml --key signer.key --cert signer.pem --chain chain.pem --authority bundle.pem --out t1.json >/dev/null
"$BIN/sign-ticket" --ticket dev-2.yaml --key signer.key --cert signer.pem --chain chain.pem --authority bundle.pem --out t2.json >/dev/null
P1=$(payload_b64 t1.json)
verify() { run verify-ticket "$1" --trust-anchor root.pem "${@:2}"; }

# The crafting helpers themselves produce an acceptable ticket.
document "$P1" "$(signature_object "$(es256_header "$DEVICE_CTY" signer.pem ca.pem)" "$P1" signer.key)" >ok.json
verify ok.json
expect_rc 0 "crafted reference ticket verifies"

# Payload changed after signing; a signature copied from another ticket
sig2=$(sed -E 's/.*"signatures":\[(.*)\]\}$/\1/' t2.json)
document "$(payload_b64 t2.json)" "$(sed -E 's/.*"signatures":\[(.*)\]\}$/\1/' t1.json)" >changed.json
verify changed.json
expect_rc 1 "payload changed after signing"
expect_err "#0: signature: " "signature check named"
document "$P1" "$sig2" >copied.json
verify copied.json
expect_rc 1 "signature copied from another ticket"

# Header-level faults
document "$P1" "$(signature_object '{"alg":"none","x5c":["'"$(cert_b64 signer.pem)"'"],"cty":"'"$DEVICE_CTY"'"}' "$P1" signer.key)" >none.json
verify none.json
expect_rc 3 "alg none"
expect_err "none" "names alg none"
document "$P1" "$(signature_object '{"alg":"ES256","x5c":[],"cty":"'"$DEVICE_CTY"'"}' "$P1" signer.key)" >empty.json
verify empty.json
expect_rc 3 "x5c empty"

X5C="$(cert_b64 signer.pem)\",\"$(cert_b64 ca.pem)"
hdr() { printf '{"alg":"%s","x5c":["%s"],"cty":"%s"%s}' "${1:-ES256}" "${2:-$X5C}" "$DEVICE_CTY" "${3:-}"; }
bad_header() {  # bad_header DESCRIPTION REGEX HEADER-JSON: signed correctly, rejected for the header
  document "$P1" "$(signature_object "$3" "$P1" signer.key)" >h.json
  verify h.json
  expect_rc 3 "$1"
  expect_err "$2" "$1: reason"
}
bad_header "alg HS256" "HS256" "$(hdr HS256)"
bad_header "alg not fitting the x5c key" "ES384" "$(hdr ES384)"
bad_header "duplicate alg member" "duplicate" '{"alg":"ES256","alg":"ES256","x5c":["'"$X5C"'"],"cty":"'"$DEVICE_CTY"'"}'
bad_header "crit present" "crit" "$(hdr ES256 "$X5C" ',"crit":["exp"],"exp":1')"
bad_header "x5c not base64" "x5c\\[0\\]" "$(hdr ES256 '!!!')"
bad_header "x5c not a certificate" "not a DER certificate" "$(hdr ES256 'AAAA')"
prot=$(hdr | b64url)
sig_value() {  # sig_value TRANSFORM: the signature value of the good header after TRANSFORM on the raw bytes
  printf '%s.%s' "$prot" "$P1" | openssl dgst -sha256 -sign signer.key | "$@" | b64url
}
bad_sig() {  # bad_sig DESCRIPTION CODE SIGNATURE-VALUE
  document "$P1" "{\"protected\":\"$prot\",\"signature\":\"$3\"}" >s.json
  verify s.json
  expect_rc "$2" "$1"
  expect_err "signature" "$1: names the signature"
}
bad_sig "ECDSA signature in DER form" 3 "$(sig_value cat)"
expect_err "DER|length|64" "DER form: reason"
short=$(printf '%s.%s' "$prot" "$P1" | openssl dgst -sha256 -sign signer.key | ecdsa_raw | head -c 63 | b64url)
bad_sig "signature one byte short" 3 "$short"
good=$(printf '%s.%s' "$prot" "$P1" | openssl dgst -sha256 -sign signer.key | ecdsa_raw | b64url)
bad_sig "signature value with padding" 3 "${good}=="
bad_sig "signature value with +" 3 "+${good:1}"
bad_sig "signature value with /" 3 "/${good:1}"
printf '{"payload":"%s=","signatures":[%s]}\n' "$P1" "$(signature_object "$(hdr)" "$P1" signer.key)" >padded.json
verify padded.json
expect_rc 3 "payload with padding"
PJ=$(printf 'not json' | b64url)
document "$PJ" "$(signature_object "$(hdr)" "$PJ" signer.key)" >notjson.json
verify notjson.json
expect_rc 3 "payload not JSON"

# Signer certificate that is a CA, or lacks digitalSignature
document "$P1" "$(signature_object "$(es256_header "$DEVICE_CTY" ca.pem root.pem)" "$P1" ca.key)" >casigner.json
verify casigner.json
expect_rc 1 "CA as signer"
expect_err "is a CA certificate" "names the CA signer"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out nods.key 2>/dev/null
openssl req -new -key nods.key -subj "/O=Acme/CN=No DS" -out nods.csr 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyAgreement\nauthorityKeyIdentifier=keyid\n' >nods.ext
openssl x509 -req -in nods.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile nods.ext -out nods.pem 2>/dev/null
document "$P1" "$(signature_object "$(es256_header "$DEVICE_CTY" nods.pem ca.pem)" "$P1" nods.key)" >nods.json
verify nods.json
expect_rc 1 "signer without digitalSignature"
expect_err "lacks keyUsage digitalSignature" "names the key usage"

# cty: mixed values; type not matching the payload
document "$P1" "$(signature_object "$(es256_header "$DEVICE_CTY" signer.pem ca.pem)" "$P1" signer.key)" \
  "$(signature_object "$(es256_header "$COMPOSITE_CTY" signer.pem ca.pem)" "$P1" signer.key)" >mixed.json
verify mixed.json
expect_rc 3 "mixed cty values"
expect_err "mixed cty values" "names mixed cty"
document "$P1" "$(signature_object "$(es256_header "$COMPOSITE_CTY" signer.pem ca.pem)" "$P1" signer.key)" >ctytype.json
verify ctytype.json
expect_rc 3 "cty type not matching the payload"
expect_err "cty names CompositeIdentityTicketType but the payload is a DeviceIdentityTicketType" "names both types"
PX=$(printf '{"ManufacturerName":"Acme"}' | b64url)
document "$PX" "$(signature_object "$(es256_header "$DEVICE_CTY" signer.pem ca.pem)" "$PX" signer.key)" >nopiu.json
verify nopiu.json
expect_rc 3 "payload missing ProductInstanceUri"
PN=$(printf '[1,2]' | b64url)
document "$PN" "$(signature_object "$(es256_header "$DEVICE_CTY" signer.pem ca.pem)" "$PN" signer.key)" >notobj.json
verify notobj.json
expect_rc 3 "payload not an object"

# Revocation: a CRL with a CRL DP on the issuing CA, the signer revoked, a CRL with a bad signature
"$BIN/create-authority" --profile issuing-ca --subject "/O=Acme/CN=Acme CRL CA" --key rca.key --new-key \
  --issuer-cert root.pem --issuer-key root.key --crl-url http://crl.acme.example/ca.crl --out rca.pem >/dev/null
"$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/rca.crl --subject "/O=Acme/CN=Revoked Signer" --key rs.key --new-key \
  --issuer-cert rca.pem --issuer-key rca.key --out rs.pem >/dev/null
"$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/rca.crl --subject "/O=Acme/CN=Good Signer" --key gs.key --new-key \
  --issuer-cert rca.pem --issuer-key rca.key --out gs.pem >/dev/null
cat rca.pem root.pem >rchain.pem
make_crl rca.pem rca.key rca.crl rs.pem || fail "make_crl"
make_crl root.pem root.key root.crl || fail "make_crl root"
"$BIN/sign-ticket" --ticket dev-1.yaml --key rs.key --cert rs.pem --chain rchain.pem --out revoked.json >/dev/null 2>&1
"$BIN/sign-ticket" --ticket dev-1.yaml --key gs.key --cert gs.pem --chain rchain.pem --out good.json >/dev/null 2>&1
verify revoked.json --crl rca.crl --crl root.crl
expect_rc 12 "signer revoked in a given CRL"
expect_err "Revoked Signer: revoked on " "names the revoked certificate"
verify good.json --crl rca.crl --crl root.crl
expect_rc 0 "a signer not on the CRL"
expect_out "revocation  good" "revocation good"
verify revoked.json
expect_rc 0 "no CRL given: revocation not checked, ticket accepted"
expect_out "revocation  unknown" "reports the skipped check as unknown"
expect_out "not checked: it names a CRL DP/AIA" "why it is unknown"
# A CRL claiming to be from the CA, signed by another key
"$BIN/create-authority" --profile issuing-ca --crl-url http://crl.example.com/root.crl --subject "/O=Acme/CN=Acme CRL CA" --key fake.key --new-key \
  --issuer-cert root.pem --issuer-key root.key --out fake.pem >/dev/null
make_crl fake.pem fake.key fake.crl || fail "make_crl fake"
verify good.json --crl fake.crl
expect_rc 1 "a CRL with a bad signature"
expect_err "has a bad signature" "names the bad CRL"
verify good.json --crl rca.crl --at 2027-06-01T00:00:00Z
expect_rc 11 "an out-of-date CRL"
expect_err "out of date" "names the stale CRL"
echo "not a crl" >junk.crl
verify good.json --crl junk.crl
expect_rc 3 "a CRL file that is not a CRL"

# 100 signatures (over the 64 limit)
s=$(signature_object "$(es256_header "$DEVICE_CTY" signer.pem ca.pem)" "$P1" signer.key)
sigs=$s; for i in $(seq 2 100); do sigs="$sigs,$s"; done
printf '{"payload":"%s","signatures":[%s]}\n' "$P1" "$sigs" >many.json
verify many.json --max-size 4000000
expect_rc 3 "100 signatures"
expect_err "limit" "names the limit"
finish
