#!/usr/bin/env bash
# Regenerate the seed corpora in tests/fuzz/corpus/ from the tools' own outputs (small files).
#   BIN=build/bin tests/fuzz/make_corpus.sh
# Seeds found by fuzzing (regressions) live in the same directories as crash-*/regress-* files
# and are kept.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(cd "${BIN:-$SRC/build/bin}" && pwd)
C=$SRC/tests/fuzz/corpus
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
mkdir -p "$C"/{key_uri,encoding,manifest,x509,jws,ticket_json,ticket_yaml}
put() { cp "$2" "$C/$1/seed-$3"; }

"$BIN/create-authority" --profile root-ca --subject "/O=Acme/CN=Root" --key root.key --new-key --out root.pem >/dev/null
"$BIN/create-authority" --profile issuing-ca --subject "/O=Acme/CN=CA" --key ca.key --new-key \
  --issuer-cert root.pem --issuer-key root.key --crl-url http://crl.example/ca.crl --out ca.pem >/dev/null
"$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/ca.crl --subject "/O=Acme/CN=Signer" --key signer.key --new-key \
  --issuer-cert ca.pem --issuer-key ca.key --out signer.pem >/dev/null
"$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/ca.crl --subject "/O=Acme/CN=Ed" --key ed.key --new-key --key-type ed25519 \
  --issuer-cert ca.pem --issuer-key ca.key --out ed.pem >/dev/null
"$BIN/mint-idevid" --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:1 --serial-number 1 \
  --device-key dev.key --new-key --hardware-module-name --out dev.pem >/dev/null
openssl req -new -key dev.key -subj "/CN=dev" -addext "subjectAltName=URI:urn:acme.example:x1:1" -out dev.csr 2>/dev/null
openssl x509 -in dev.pem -outform DER -out dev.der
openssl req -in dev.csr -outform DER -out dev.csr.der
openssl ca -gencrl -keyfile ca.key -cert ca.pem -out ca.crl -config <(printf '[ca]\ndefault_ca=d\n[d]\ndatabase=idx\ncrlnumber=n\ndefault_md=sha256\ndefault_crl_days=30\n') 2>/dev/null ||
  { : >idx; echo 01 >n; openssl ca -gencrl -keyfile ca.key -cert ca.pem -out ca.crl -config <(printf '[ca]\ndefault_ca=d\n[d]\ndatabase=idx\ncrlnumber=n\ndefault_md=sha256\ndefault_crl_days=30\n') 2>/dev/null || true; }
put x509 dev.pem idevid.pem; put x509 dev.der idevid.der; put x509 dev.csr csr.pem; put x509 dev.csr.der csr.der
cat ca.pem root.pem >chain.pem; put x509 chain.pem chain.pem
[ -s ca.crl ] && put x509 ca.crl crl.pem

printf 'file:dev.key' >"$C/key_uri/seed-file"
printf '/etc/keys/a b.key' >"$C/key_uri/seed-bare"
printf 'pkcs11:token=Line%%201;object=idevid-1;id=%%01%%02;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin' >"$C/key_uri/seed-pkcs11"
printf 'pkcs11:token=t;object=o?pin-value=secret-1234' >"$C/key_uri/seed-pinvalue"
printf 'tpm2:handle=0x81020000' >"$C/key_uri/seed-tpm2-handle"
printf 'tpm2:file=/var/lib/dev.tss2.pem' >"$C/key_uri/seed-tpm2-file"

printf 'AAECAwQFBgcICQ==' >"$C/encoding/seed-b64"
printf 'eyJhbGciOiJFUzI1NiJ9' >"$C/encoding/seed-b64url"
printf '2031-05-01T00:00:00Z' >"$C/encoding/seed-time"
printf '2031-05-01T12:30:00.250+02:00' >"$C/encoding/seed-time-offset"
printf '9999-12-31T23:59:59Z' >"$C/encoding/seed-time-max"
printf '2026-05-01' >"$C/encoding/seed-date"
printf 'urn:acme.example:x1:16273849' >"$C/encoding/seed-uri"

{ echo "id,serial,uri"; echo "dev-1,1001,urn:acme.example:x1:1001"; echo '"dev,2","10""02",urn:x:2'; } >m.csv; put manifest m.csv csv
printf '{"id":"dev-1","serial":"1001","n":7,"ok":true,"x":null}\n\n{"id":"dev-2","serial":"1002"}\n' >m.jsonl; put manifest m.jsonl jsonl
printf '\xEF\xBB\xBFid,serial\r\na,1\r\n' >"$C/manifest/seed-bom-crlf"

cat ca.pem root.pem >bundle.pem
cat >t.yaml <<'YAML'
manufacturer_name: Acme
model_name: "X1"
model_version: "2"
serial_number: "1001"
manufacture_date: 2026-05-01
product_instance_uri: urn:acme.example:x1:1
authorities:
  - bundle.pem
YAML
cat >c.yaml <<'YAML'
manufacturer_name: Acme Builder
composite_instance_uri: urn:acme.example:cell:1
YAML
put ticket_yaml t.yaml device.yaml; put ticket_yaml c.yaml composite.yaml
cp "$SRC/templates/device-ticket.yaml" "$C/ticket_yaml/seed-template-device.yaml"
cp "$SRC/templates/composite.yaml" "$C/ticket_yaml/seed-template-composite.yaml"
printf 'manufacturer_name: Acme\nserial_number: {serial}\nproduct_instance_uri: "urn:acme.example:{model}:{serial}"\n' >"$C/ticket_yaml/seed-placeholders.yaml"

cat ca.pem root.pem >chain.pem
"$BIN/sign-ticket" --ticket t.yaml --key signer.key --cert signer.pem --chain chain.pem --out dev.ticket.json >/dev/null
"$BIN/sign-ticket" --ticket t.yaml --key ed.key --cert ed.pem --chain chain.pem --out ed.ticket.json >/dev/null
"$BIN/countersign-ticket" dev.ticket.json --key ed.key --cert ed.pem --chain chain.pem --trust-anchor root.pem --out cs.ticket.json >/dev/null
put jws dev.ticket.json es256.json; put jws ed.ticket.json eddsa.json; put jws cs.ticket.json countersigned.json
"$BIN/build-composite-ticket" --composite c.yaml --member dev.ticket.json --key ed.key --cert ed.pem --chain chain.pem \
  --trust-anchor root.pem --out-dir comp >/dev/null 2>&1 && {
  put jws comp/composite.ticket.json composite.json
  put ticket_json comp/ticket-list.json ticket-list.json
}
python3 - "$C/ticket_json" dev.ticket.json comp/composite.ticket.json <<'PY'
import base64, json, sys
out = sys.argv[1]
for i, f in enumerate(sys.argv[2:]):
    try:
        doc = json.load(open(f))
    except OSError:
        continue
    p = doc["payload"]; p += "=" * (-len(p) % 4)
    open(f"{out}/seed-payload-{i}.json", "wb").write(base64.urlsafe_b64decode(p))
open(f"{out}/seed-camel.json", "w").write('{"UaTypeId":1,"manufacturerName":"Acme","productInstanceUri":"urn:x:1","ManufactureDate":"0001-01-01T00:00:00Z"}')
PY
# attest: the swtpm vectors (TPM public areas, a TCG-CSR-IDEVID) as seeds.
mkdir -p "$C/attest"
for f in tcg-csr.bin iak.pub idevid.pub ek-rsa.pub ek-ecc.pub; do cp "$SRC/tests/data/attest/$f" "$C/attest/seed-$f"; done
echo "corpus: $(find "$C" -type f | wc -l) files in $C"
