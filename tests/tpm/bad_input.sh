# TPM failures: one line `TOOL: error: ...`; exit 4 for TPM/key errors, 2 for malformed URIs.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
start_tpm
ca() { run create-authority --profile root-ca --subject "/O=Acme/CN=Root" --out out.pem --force "$@"; }

ca --new-key --key tpm2:handle=0x81000200
expect_rc 0 "setup: key at 0x81000200"

# TPM unreachable: a TCTI nobody listens on (opening, and generating).
down=swtpm:host=127.0.0.1,port=9
ca --key tpm2:handle=0x81000200 --tcti "$down"
expect_rc 4 "TPM unreachable (open)"
expect_err "TPM not reachable through TCTI '$down'" "TPM unreachable (open)"
ca --new-key --key tpm2:handle=0x81000201 --tcti "$down"
expect_rc 4 "TPM unreachable (generate)"
expect_err "TPM not reachable through TCTI '$down'" "TPM unreachable (generate)"
TPM2OPENSSL_TCTI=$down ca --key tpm2:handle=0x81000200
expect_rc 4 "TPM unreachable via TPM2OPENSSL_TCTI"
expect_err "TPM not reachable" "TPM unreachable via TPM2OPENSSL_TCTI"
# A TPM that goes away: stop it, then use it.
stop_tpm
ca --key tpm2:handle=0x81000200
expect_rc 4 "TPM stopped"
expect_err "TPM not reachable" "TPM stopped"
eval "$("$SRC/scripts/dev-tpm" start "$T/tpm")"

# No key at the handle; handle occupied on --new-key.
ca --key tpm2:handle=0x81000299
expect_rc 4 "no key at the handle"
expect_err "tpm2:handle=0x81000299: no usable key" "no key at the handle"
ca --new-key --key tpm2:handle=0x81000200
expect_rc 4 "handle occupied"
expect_err "0x81000200 already holds a key" "handle occupied"
ca --new-key --key-type ed25519 --key tpm2:handle=0x81000202
expect_rc 2 "Ed25519 in a TPM"

# Key files: missing, not a TSS2 key.
ca --key tpm2:file=missing.pem
expect_rc 4 "missing TSS2 file"
"$BIN/create-authority" --profile root-ca --subject /CN=x --key plain.key --new-key --out "$T/discard.pem" --force >/dev/null 2>&1
ca --key tpm2:file=plain.key
expect_rc 3 "not a TSS2 file"
expect_err "not a TSS2 PEM key" "not a TSS2 file"

# Malformed URIs: empty handle, not a number, not persistent, unknown form.
for uri in "tpm2:handle=" "tpm2:handle=xyz" "tpm2:handle=0x80000001" "tpm2:handle=0x81000200x" "tpm2:" "tpm2:file=" "tpm2:blob=1"; do
  ca --key "$uri"
  expect_rc 2 "malformed URI $uri"
  expect_err "key URI" "malformed URI $uri names the URI"
done
ca --key "tpm2:handle="
expect_err "handle is empty" "empty handle"

# The failures above did not lock the TPM out (orderly shutdowns only): the key still signs.
ca --key tpm2:handle=0x81000200
expect_rc 0 "key still usable after the failures"
finish
