# Helpers for tests/tpm/attest*.sh (issue 13, SPEC §13.7): dev TPMs "from the factory" with EK
# certificates (scripts/dev-tpm --ek-ca), the Manufacturer's PKI, the TPM proxy, and readers that
# check the tools' outputs with openssl and tpm2-tools only. Source after tests/lib.sh and
# tests/hw.sh.
#
# TPMs: ek_tpm NAME SPEC starts $T/NAME (SPEC: local, or CERT,KEY; "" for a TPM without EK
# certificates) and sets TCTI_<NAME>; every TPM started here is stopped on exit (orderly, so no
# dictionary-attack lockout is counted).

command -v swtpm_setup >/dev/null && [ -x /usr/bin/swtpm_localca ] || { echo "SKIP: swtpm-tools (swtpm_setup) not installed"; exit 77; }
command -v swtpm >/dev/null && command -v tpm2_getcap >/dev/null || { echo "SKIP: swtpm/tpm2-tools not installed"; exit 77; }

ATTEST_TPMS=()
stop_attest_tpms() {
  local d
  for d in "${ATTEST_TPMS[@]}"; do [ -f "$d/pid" ] && "$SRC/scripts/dev-tpm" stop "$d"; done
  [ -n "${PROXY_PID:-}" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null
  return 0
}
trap 'stop_attest_tpms; rm -rf "$T"' EXIT

# ek_tpm NAME [SPEC]: start (and on first use manufacture) the dev TPM $T/NAME.
ek_tpm() {
  local name=$1 spec=${2:-} args=()
  [ -n "$spec" ] && args=(--ek-ca "$spec")
  "$SRC/scripts/dev-tpm" start "$T/$name" "${args[@]}" >"$T/.env-$name" || { echo "dev-tpm start $name failed" >&2; exit 1; }
  local found=0 d
  for d in "${ATTEST_TPMS[@]}"; do [ "$d" = "$T/$name" ] && found=1; done
  ((found)) || ATTEST_TPMS+=("$T/$name")
  printf -v "TCTI_$name" 'swtpm:host=127.0.0.1,port=%s' "$(cat "$T/$name/port")"
}
# restart_tpm NAME: orderly stop and start again (transient objects and sessions gone, as after a
# power cycle; persistent handles stay).
restart_tpm() { "$SRC/scripts/dev-tpm" stop "$T/$1" && ek_tpm "$1"; }
tcti() { local v="TCTI_$1"; echo "${!v}"; }
# ek_ca_args NAME: --ek-ca FILE for each EK CA certificate of that TPM's manufacturer.
ek_ca_args() { local f; while read -r f; do printf -- '--ek-ca\n%s\n' "$f"; done < <("$SRC/scripts/dev-tpm" ek-ca "$T/$1"); }

# tpm2 NAME CMD ARGS...: a tpm2-tools command against that TPM, transient objects flushed after
# (swtpm has no resource manager).
tpm2() {
  local name=$1 cmd=$2; shift 2
  local t; t=$(tcti "$name")
  "tpm2_$cmd" -T "$t" "$@"; local rc=$?
  tpm2_flushcontext -T "$t" -t >/dev/null 2>&1; tpm2_flushcontext -T "$t" -s >/dev/null 2>&1
  return $rc
}
# persistent NAME: the persistent handles of that TPM, lower case, one per line.
persistent() { tpm2 "$1" getcap handles-persistent 2>/dev/null | sed -E 's/^- *//' | tr 'A-F' 'a-f'; }
# expect_handles_free NAME DESCRIPTION HANDLE...: none of the handles is persistent in that TPM.
expect_handles_free() {
  local name=$1 what=$2 h p; shift 2
  p=$(persistent "$name")
  for h in "$@"; do
    if grep -qx "$h" <<<"$p"; then fail "$what: persistent handle $h left behind in $name"; else pass; fi
  done
}
expect_handles_used() {
  local name=$1 what=$2 h p; shift 2
  p=$(persistent "$name")
  for h in "$@"; do
    if grep -qx "$h" <<<"$p"; then pass; else fail "$what: no key at $h in $name"; fi
  done
}
# key_attrs NAME HANDLE: the TPMA_OBJECT of a persistent key as tpm2_readpublic names them.
key_attrs() { tpm2 "$1" readpublic -c "$2" 2>/dev/null | awk '/^attributes:/{getline; print $2}'; }
# key_spki_hex NAME HANDLE: the key's SubjectPublicKeyInfo (DER, hex) as the TPM reports it.
key_spki_hex() {
  tpm2 "$1" readpublic -c "$2" -f der -o "$T/.spki.der" >/dev/null 2>&1 && od -An -tx1 "$T/.spki.der" | tr -d ' \n'
}
cert_spki_hex() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | od -An -tx1 | tr -d ' \n'; }

# ek_cert NAME OUT.pem: the RSA EK certificate (TCG index 0x01c00002) as stored in the TPM's NV.
ek_cert() {
  tpm2 "$1" nvread 0x01c00002 -o "$T/.ek.der" >/dev/null 2>&1 && openssl x509 -inform DER -in "$T/.ek.der" -out "$2"
}
# serial_hex CERT: the certificate serial, upper-case hex, even length (as openssl prints it).
serial_hex() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//'; }
# hw_module_name CERT: "HWTYPE HWSERIALHEX" from the SAN otherName hardwareModuleName
# (1.3.6.1.5.5.7.8.4), read with openssl asn1parse; empty when there is none.
hw_module_name() {
  local off pos
  off=$(openssl asn1parse -in "$1" 2>/dev/null | grep -A1 'X509v3 Subject Alternative Name' | tail -1 | sed -E 's/^ *([0-9]+):.*/\1/')
  [ -n "$off" ] || return 0
  openssl asn1parse -in "$1" -strparse "$off" -noout -out "$T/.san.der" >/dev/null 2>&1 || return 0
  # "TYPE START LEN" of hwType and hwSerialNum (the OCTET STRING's contents, offsets in .san.der)
  pos=$(openssl asn1parse -inform DER -in "$T/.san.der" 2>/dev/null | awk '
    /OBJECT *:1.3.6.1.5.5.7.8.4/ { hmn = 1; next }
    hmn && /OBJECT/ { t = $0; sub(/.*OBJECT *:/, "", t); next }
    hmn && t != "" && /OCTET STRING/ {
      match($0, /^ *[0-9]+/); o = substr($0, RSTART, RLENGTH) + 0
      match($0, /hl= *[0-9]+/); h = substr($0, RSTART + 3, RLENGTH - 3) + 0
      match($0, / l= *[0-9]+/); l = substr($0, RSTART + 3, RLENGTH - 3) + 0
      print t, o + h, l; exit }')
  [ -n "$pos" ] || return 0
  set -- $pos
  printf '%s %s\n' "$1" "$(od -An -tx1 -j "$2" -N "$3" "$T/.san.der" | tr -d ' \n' | tr a-f A-F)"
}

# The Manufacturer's PKI (make_pki: root.pem, ca.pem, ca.key, ...) and the TPM vendor's EK CA,
# an EC P-256 root made by create-authority and used by swtpm_localca to sign the EK certificates.
make_ek_ca() {
  "$BIN/create-authority" --profile root-ca --subject "/O=Acme TPM Vendor/CN=Acme EK CA" --key ekca.key --new-key \
    --out ekca.pem >/dev/null || { echo "EK CA failed" >&2; exit 1; }
}

# json_get FILE PYTHON-EXPR: evaluate EXPR with j = the JSON object in FILE (the last line that is one).
json_get() {
  "$PY" - "$1" "$2" <<'EOF'
import json, sys
j = None
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith('{'):
        j = json.loads(line)
print(eval(sys.argv[2]))
EOF
}

# The system python3 when there is one: a pyenv shim costs seconds per start under load.
PY=/usr/bin/python3; [ -x "$PY" ] || PY=$(command -v python3)
# start_proxy NAME ARGS...: tests/tpm_proxy.py in front of that TPM; sets PROXY_TCTI, PROXY_LOG.
start_proxy() {
  local name=$1; shift
  stop_proxy
  rm -f "$T/.proxy-port"; PROXY_LOG=$T/proxy-$RANDOM.log
  "$PY" "$SRC/tests/tpm_proxy.py" --target "$(cat "$T/$name/port")" --port-file "$T/.proxy-port" --log "$PROXY_LOG" "$@" &
  PROXY_PID=$!
  local i
  for i in $(seq 600); do [ -s "$T/.proxy-port" ] && break; sleep 0.05; done
  [ -s "$T/.proxy-port" ] || { echo "tpm_proxy.py did not start" >&2; exit 1; }
  PROXY_TCTI="swtpm:host=127.0.0.1,port=$(cat "$T/.proxy-port")"
}
stop_proxy() {
  if [ -n "${PROXY_PID:-}" ]; then kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null; PROXY_PID=""; fi
  return 0
}
