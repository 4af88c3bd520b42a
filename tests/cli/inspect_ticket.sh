#!/usr/bin/env bash
# inspect-ticket (SPEC §13.4): payload, headers, signers and certificate windows, decoded but NOT
# verified (and saying so first); malformed input → 3 with one line, never a crash. Also
# print-label --scan IMAGE alone: what the label holds.
source "$SRC/tests/lib.sh"
source "$SRC/tests/verify_lib.sh"
make_pki
make_distributor
cat ca.pem root.pem >bundle.pem
device_yaml 1
"$BIN/sign-ticket" --ticket dev-1.yaml --key signer.key --cert signer.pem --chain chain.pem --authority bundle.pem --out t.json >/dev/null
"$BIN/countersign-ticket" t.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem --out t2.json >/dev/null

run inspect-ticket t2.json
expect_rc 0 "inspect a countersigned ticket"
[[ "$(head -1 <<<"$OUT")" == "NOT VERIFIED: "* ]] && pass || fail "first line says nothing was verified: $(head -1 <<<"$OUT")"
expect_out "product_instance_uri +urn:acme.example:x1:1" "payload URI"
expect_out "manufacturer_name +Acme" "payload manufacturer"
expect_out "serial_number +1" "payload serial"
expect_out "signature #1:" "both signatures"
expect_out 'protected header +\{"alg":"ES256","x5c":"3 certificate\(s\), below","cty":"opc-ticket\+json;type=DeviceIdentityTicketType"\}' "protected header"
expect_out "unprotected header +\(none\)" "unprotected header"
expect_out "signer +O=Dist,CN=Dist Signer" "second signer"
expect_out "serial +[0-9A-F]{8,}" "signer serial"
signer_not_after=$(openssl x509 -in signer.pem -noout -enddate | cut -d= -f2)
na=$(date -u -d "$signer_not_after" +%Y-%m-%dT%H:%M:%SZ)
expect_out "valid .* to $na" "signer certificate's notAfter"
run inspect-ticket t2.json --json
expect_rc 0 "--json"
printf "%s" "$OUT" >inspect.json
python3 - "$na" inspect.json >py.out 2>&1 <<'PY' && pass || fail "JSON content: $(cat py.out)"
import json, sys
j = json.load(open(sys.argv[2]))
assert j["verified"] is False and "NOT VERIFIED" in j["note"]
assert j["payload"]["product_instance_uri"] == "urn:acme.example:x1:1"
assert len(j["signatures"]) == 2 and j["signatures"][1]["signer"]["subject"] == "O=Dist,CN=Dist Signer"
assert j["signatures"][0]["x5c"][0]["not_after"] == sys.argv[1], j["signatures"][0]["x5c"][0]
assert j["signatures"][0]["protected"]["alg"] == "ES256" and j["signatures"][0]["unprotected"] is None
PY
# An expired or untrusted ticket is shown all the same: nothing is checked
run inspect-ticket t.json
expect_rc 0 "no trust needed, nothing verified"
# stdin
"$BIN/inspect-ticket" - <t.json >stdin.out 2>&1 && grep -q "^-: 1 signature" stdin.out && pass || fail "stdin: $(head -3 stdin.out)"
# Unprotected header shown as it is
sed -E 's/"signature":"/"header":{"note":"<x>"},"signature":"/' t.json >u.json
run inspect-ticket u.json
expect_rc 0 "unprotected header"
expect_out 'unprotected header +\{"note":"<x>"\}' "unprotected header shown"

# Bad input: exit code, one line, nothing on stdout
run inspect-ticket missing.json
expect_rc 5 "missing file"
expect_err "missing.json" "names the file"
[ -z "$OUT" ] && pass || fail "missing file: nothing on stdout"
printf 'not json\n' >bad.json
run inspect-ticket bad.json
expect_rc 3 "not JSON"
expect_err "bad.json" "names the file"
[ -z "$OUT" ] && pass || fail "malformed: nothing on stdout"
printf '{"payload":"e30","signatures":[]}\n' >unsigned.json
run inspect-ticket unsigned.json
expect_rc 3 "no signatures"
printf '{"payload":"%s","signatures":[%s]}\n' "$(printf '{"ManufacturerName":"x"}' | b64url)" \
  "$(sed -E 's/^.*"signatures":\[(.*)\]\}$/\1/' t.json)" >nouri.json
run inspect-ticket nouri.json
expect_rc 3 "payload is not a ticket"
expect_err "payload" "says the payload is wrong"
head -c 2000000 /dev/zero | tr '\0' ' ' >big.json
run inspect-ticket big.json
expect_rc 3 "over --max-size"
run inspect-ticket t.json --max-size 100
expect_rc 3 "--max-size honoured"
run inspect-ticket
expect_rc 2 "no TICKET"
# Every conformance vector and fuzz corpus file: 0 or 3, never a crash
crashes=0
while IFS= read -r f; do
  "$BIN/inspect-ticket" "$f" >/dev/null 2>&1
  rc=$?
  [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || { crashes=$((crashes + 1)); echo "inspect-ticket $f: exit $rc" >&2; }
done < <(find "$SRC/tests/vectors" "$SRC/tests/fuzz/corpus" -type f \( -name '*.json' -o -path '*jws*' -o -path '*ticket_json*' \) | head -400)
expect_eq "$crashes" 0 "vectors and fuzz corpus: exit 0 or 3 only"

# print-label --scan alone: what the label holds
"$BIN/print-label" --uri urn:acme.example:x1:1 --out label.png >/dev/null 2>&1
run print-label --scan label.png
expect_rc 0 "--scan alone"
expect_out "^label.png: urn:acme.example:x1:1 \(QRCode, ECC Q\)$" "text, symbology and ECC level"
run print-label --scan label.png --json
expect_rc 0 "--scan alone --json"
expect_out '"codes":\[\{"text":"urn:acme.example:x1:1","symbology":"QRCode","ecc":"Q"\}\]' "JSON codes"
run print-label --scan label.png --uri urn:acme.example:x1:2
expect_rc 13 "with a comparison source: mismatch is still 13"
run print-label --scan label.png --uri urn:acme.example:x1:1
expect_rc 0 "with a comparison source: match"
run print-label --scan nothere.png
expect_rc 5 "--scan alone: missing image"
printf 'P5\n8 8\n255\n' >blank.pgm
head -c 64 /dev/zero | tr '\0' '\377' >>blank.pgm
run print-label --scan blank.pgm
expect_rc 3 "--scan alone: no code in the image"
expect_err "no readable code" "says nothing was found"
finish
