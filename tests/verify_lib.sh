# Helpers for the ticket verification CLI tests (tests/cli/verify_*.sh, countersign_*.sh,
# composite_*.sh). Source after lib.sh. Uses only coreutils and the openssl CLI.

b64url() { basenc --base64url -w0 | tr -d '='; }
b64url_decode() {
  local p; p=$(cat)
  while [ $(( ${#p} % 4 )) -ne 0 ]; do p="$p="; done
  printf '%s' "$p" | basenc --base64url -d
}
# cert_b64 PEM: the certificate's DER in standard base64 (an x5c element)
cert_b64() { openssl x509 -in "$1" -outform DER | base64 -w0; }
# payload_b64 FILE: the payload member of a ticket
payload_b64() { sed -E 's/^\{"payload":"([^"]*)".*/\1/' "$1"; }
# protected_header FILE N: the decoded protected header of signature N (0-based)
protected_header() {
  grep -o '"protected":"[^"]*"' "$1" | sed -n "$(( $2 + 1 ))p" | sed -E 's/"protected":"(.*)"/\1/' | b64url_decode
}
hex_to_bin() { local h; h=$(cat); printf "$(sed 's/../\\x&/g' <<<"$h")"; }
# ecdsa_raw: DER ECDSA-Sig-Value on stdin → raw R‖S (32-byte halves) on stdout
ecdsa_raw() {
  openssl asn1parse -inform DER 2>/dev/null | awk -F: '/INTEGER/{print $NF}' | while read -r h; do
    while [ ${#h} -lt 64 ]; do h="0$h"; done
    printf '%s' "${h: -64}"
  done | hex_to_bin
}
# sign_es256 SIGNING-INPUT KEY → base64url raw signature
sign_es256() { printf '%s' "$1" | openssl dgst -sha256 -sign "$2" | ecdsa_raw | b64url; }
# signature_object HEADER-JSON PAYLOAD-B64 KEY → {"protected":...,"signature":...}
signature_object() {
  local prot; prot=$(printf '%s' "$1" | b64url)
  printf '{"protected":"%s","signature":"%s"}' "$prot" "$(sign_es256 "$prot.$2" "$3")"
}
# es256_header CTY CERT [CHAIN...] → protected header JSON
es256_header() {
  local cty=$1; shift
  local x5c="" c
  for c in "$@"; do x5c="$x5c${x5c:+,}\"$(cert_b64 "$c")\""; done
  printf '{"alg":"ES256","x5c":[%s],"cty":"%s"}' "$x5c" "$cty"
}
DEVICE_CTY="opc-ticket+json;type=DeviceIdentityTicketType"
COMPOSITE_CTY="opc-ticket+json;type=CompositeIdentityTicketType"
# document PAYLOAD-B64 SIGNATURE-OBJECT... → a general-serialization ticket
document() {
  local p=$1; shift
  local sigs; sigs=$(IFS=,; echo "$*")
  printf '{"payload":"%s","signatures":[%s]}\n' "$p" "$sigs"
}

# A CA directory for `openssl ca`: revoke certificates and make CRLs signed by CA KEY.
# make_crl CA-CERT CA-KEY OUT [CERT-TO-REVOKE...]
make_crl() {
  local cacert=$1 cakey=$2 out=$3; shift 3
  local d; d=$(mktemp -d "$T/crl.XXXXXX")
  : >"$d/index.txt"; echo 01 >"$d/crlnumber"
  printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\ncrlnumber=%s/crlnumber\ndefault_md=sha256\ndefault_crl_days=30\n' \
    "$d" "$d" >"$d/ca.cnf"
  local c
  for c in "$@"; do openssl ca -config "$d/ca.cnf" -keyfile "$cakey" -cert "$cacert" -revoke "$c" >/dev/null 2>&1 || return 1; done
  openssl ca -config "$d/ca.cnf" -keyfile "$cakey" -cert "$cacert" -gencrl -out "$out" >/dev/null 2>&1
}

# A Distributor PKI: droot.pem/droot.key, dsigner.pem/dsigner.key.
make_distributor() {
  "$BIN/create-authority" --profile root-ca --subject "/O=Dist/CN=Dist Root" --key droot.key --new-key --out droot.pem >/dev/null &&
  "$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/droot.crl --subject "/O=Dist/CN=Dist Signer" --key dsigner.key --new-key \
    --issuer-cert droot.pem --issuer-key droot.key --out dsigner.pem >/dev/null || { echo "make_distributor failed" >&2; exit 1; }
}

# device_yaml N → dev-N.yaml for urn:acme.example:x1:N
device_yaml() {
  printf 'manufacturer_name: Acme\nmodel_name: X1\nserial_number: "%s"\nproduct_instance_uri: urn:acme.example:x1:%s\n' "$1" "$1" >"dev-$1.yaml"
}
