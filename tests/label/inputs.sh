#!/usr/bin/env bash
# print-label inputs and errors: a signed ticket (URI from the payload, signatures not checked,
# said so), a certificate (first URI SAN; --uri picks another), a 300-character URI refused,
# usage (2), unreadable (5), malformed (3), existing output (5): nothing written on error.
source "$SRC/tests/lib.sh"
U=https://id.example.com/x1/16273849
C=https://id.example.com/line-7
b64url() { basenc --base64url -w0 | tr -d '='; }

# A ticket in JWS general serialization (the signature bytes do not matter to print-label).
printf '{"ManufacturerName":"Acme","ModelName":"X1","SerialNumber":"16273849","ProductInstanceUri":"%s"}' "$U" | b64url >p.b64
printf '{"payload":"%s","signatures":[{"protected":"eyJhbGciOiJFUzI1NiJ9","signature":"AAAA"}]}\n' "$(cat p.b64)" >ticket.json
run print-label --ticket ticket.json --text "{model_name} SN {serial_number}" --out t.svg
expect_rc 0 "label from a ticket"
expect_out "t.svg: $U " "ticket URI"
expect_err "warning: --ticket: the ticket's signatures are not checked by print-label; run verify-ticket" "untrusted ticket warning"
grep -q '>X1 SN 16273849</text>' t.svg && pass || fail "ticket fields in --text"
run print-label --scan /dev/null --ticket ticket.json
expect_rc 3 "scan of an empty file"

for bad in 'not json' '{"payload":"e30"}' '{"payload":"e30=","signatures":[]}' \
           "{\"payload\":\"$(printf '{"ModelName":"X1"}' | b64url)\",\"signatures\":[]}"; do
  printf '%s' "$bad" >bad.json
  run print-label --ticket bad.json --out bad.png
  expect_rc 3 "malformed ticket: $bad"
  expect_err '^print-label: error: --ticket: bad.json: ' "malformed ticket names the file"
done
expect_no_file bad.png "nothing written for a bad ticket"

# Certificates: one SAN; two SANs (composite LDevID: ProductInstanceUri first).
make_pki
"$BIN/mint-idevid" --ca-cert ca.pem --ca-key ca.key --product-instance-uri "$U" --serial-number 16273849 \
  --device-key dev.key --new-key --out dev.pem >/dev/null || fail "mint-idevid"
run print-label --device-cert dev.pem --out c.png --json
expect_rc 0 "label from a certificate"
expect_out "\"uri\":\"$U\"" "certificate SAN"
if "$BIN/issue-ldevid" --ca-cert ca.pem --ca-key ca.key --product-instance-uri "$U" --composite-instance-uri "$C" \
     --from-idevid dev.pem --out ld.pem >/dev/null 2>&1; then
  run print-label --cert ld.pem --out ld.png --json
  expect_rc 0 "two SANs"
  expect_out "\"uri\":\"$U\"" "first SAN is labelled"
  expect_err "warning: --device-cert ld.pem: 2 URI subjectAltNames; labelling the first" "says which SAN"
  run print-label --device-cert ld.pem --uri "$C" --out comp.png --json
  expect_rc 0 "--uri picks a SAN"
  expect_out "\"uri\":\"$C\"" "composite SAN picked"
  run print-label --cert ld.pem --uri https://elsewhere.example/x --out no.png
  expect_rc 13 "--uri not in the certificate"
fi
echo garbage >bad.pem
run print-label --cert bad.pem --out bad.png
expect_rc 3 "malformed certificate"
run print-label --cert ca.pem --out ca.png
expect_rc 3 "certificate without a URI SAN"
expect_err "no URI subjectAltName" "says why"

# 300 characters: refused (SPEC §2, IEC 61406 ILS-5), nothing written.
LONG="https://id.example.com/$(head -c 277 /dev/zero | tr '\0' a)"
run print-label --uri "$LONG" --out long.png
expect_rc 3 "300-character URI"
expect_err "print-label: error: ProductInstanceUri: 300 characters, at most 255 allowed" "clear message"
expect_no_file long.png "nothing written"
run print-label --uri "https://id.example.com/$(head -c 150 /dev/zero | tr '\0' b)" --max-version 5 --out v.png
expect_rc 3 "does not fit the version limit"
expect_err "need a version [0-9]+ QR code at error correction Q, more than --max-version 5" "fit message"
run print-label --uri "relative/path" --out r.png
expect_rc 3 "not an absolute URI"

# Usage errors (2).
run print-label --out x.png
expect_rc 2 "no source"
run print-label --uri "$U"
expect_rc 2 "no --out"
run print-label --uri "$U" --cert dev.pem --ticket ticket.json --out x.png
expect_rc 2 "several sources"
run print-label --uri "$U" --out x.gif
expect_rc 2 "unknown format"
run print-label --uri "$U" --out x.png --ecc Z
expect_rc 2 "bad ECC"
run print-label --uri "$U" --out x.png --dpi 5
expect_rc 2 "bad dpi"
run print-label --uri "$U" --out x.png --nonsense
expect_rc 2 "unknown flag"
run print-label --uri "$U" --out x.png --text $'bad\x01'
expect_rc 3 "control character in --text"
expect_no_file x.png "nothing written on usage errors"

# Files (5): unreadable input, existing output without --force, missing directory.
run print-label --ticket missing.json --out m.png
expect_rc 5 "unreadable ticket"
run print-label --cert missing.pem --out m.png
expect_rc 5 "unreadable certificate"
run print-label --uri "$U" --out c.png
expect_rc 5 "exists without --force"
expect_err "c.png: already exists \(use --force to overwrite\)" "says --force"
run print-label --uri "$U" --out c.png --force
expect_rc 0 "--force replaces"
run print-label --uri "$U" --out nodir/x.png
expect_rc 5 "missing directory"

# Lint (warnings only) and a module below 0.25 mm.
run print-label --uri urn:example.com:model-x1:snr-16273849 --module-mm 0.2 --ecc L --out lint.png
expect_rc 0 "lint is not an error"
expect_err "warning: a urn: URI on a label is not resolvable" "urn lint"
expect_err "warning: module size 0.169 mm is below the IEC 61406-1 minimum of 0.25 mm" "small module warning"
expect_err "warning: error correction L is below the Q" "low ECC warning"
run print-label --help
expect_rc 0 "--help"
for flag in --uri --ticket --device-cert --cert --format --dpi --module-mm --ecc --text --out --scan --manifest --out-dir --sheet --json --force; do
  grep -q -- "$flag" <<<"$OUT" && pass || fail "--help lists $flag"
done
# The man page documents every flag --help lists.
for flag in $(grep -oE -- '--[a-z][a-z-]+' <<<"$OUT" | sort -u); do
  grep -qF -- "$(sed 's/-/\\-/g' <<<"$flag")" "$SRC/man/print-label.1" && pass || fail "man page lacks $flag"
done
expect_no_temp . "no temporary files"
finish
