# SPEC §13.5: on a terminal a missing PKCS#11 PIN is asked for (echo off, on /dev/tty), and
# pin-source=prompt / --pin-source prompt ask explicitly; off a terminal the old error stays.
# The terminal is a real pseudo-terminal (tests/pty_run.py); the token is SoftHSM2.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
start_hsm mfg
PTY="python3 $SRC/tests/pty_run.py"
ROOT="pkcs11:token=mfg;object=root"

run create-authority --profile root-ca --subject "/O=Acme/CN=HSM Root" --key "$ROOT" --new-key \
  --pin-source "file:$PIN_FILE" --out root.pem
expect_rc 0 "setup: root key in the token"

# issue OUT [ARGS...]: CMD = create-authority making an issuing CA under the token's root key
issue() {
  local out=$1; shift
  CMD=("$BIN/create-authority" --profile issuing-ca --subject /O=Acme/CN=CA --key "$out.key" --new-key
    --ca-cert root.pem --crl-url http://crl.example.com/root.crl --out "$out.pem" "$@")
}
# pty CMD...: run on the pseudo-terminal; RC and the transcript in TR
pty() { $PTY "$@" >"$T/.pty-out" 2>"$T/.pty-err"; RC=$?; TR=$(cat "$T/.pty-transcript" 2>/dev/null; cat "$T/.pty-out" "$T/.pty-err"); }
no_pin_in() { grep -qF -- "$HSM_PIN" <<<"$1" && fail "$2: the PIN appears in the transcript" || pass; }

# 1. No PIN source at all, on a terminal: asked for, and the right PIN works.
issue ca1 --ca-key "$ROOT"
pty --answer "PIN for PKCS#11 token 'mfg': =$HSM_PIN" --transcript "$T/.pty-transcript" -- "${CMD[@]}"
expect_eq "$RC" 0 "PIN typed at the prompt"
grep -qF "PIN for PKCS#11 token 'mfg': " <<<"$TR" && pass || fail "the prompt appears on the terminal: $TR"
no_pin_in "$TR" "prompt"
expect_file ca1.pem "certificate made with the prompted PIN"
openssl verify -CAfile root.pem ca1.pem >/dev/null 2>&1 && pass || fail "ca1.pem verifies under the token's root"

# 2. pin-source=prompt in the URI asks even when PKCS11_PIN holds a (wrong) PIN.
issue ca2 --ca-key "$ROOT?pin-source=prompt"
PKCS11_PIN=999999 pty --answer "PIN for PKCS#11 token 'mfg': =$HSM_PIN" --transcript "$T/.pty-transcript" -- "${CMD[@]}"
expect_eq "$RC" 0 "pin-source=prompt in the URI"
expect_file ca2.pem "certificate made with pin-source=prompt"
no_pin_in "$TR" "pin-source=prompt"

# 3. --pin-source prompt, and a wrong PIN typed: exit 4, one error line, neither PIN shown.
issue ca3 --ca-key "$ROOT" --pin-source prompt
pty --answer "PIN for PKCS#11 token 'mfg': =135799" --transcript "$T/.pty-transcript" -- "${CMD[@]}"
expect_eq "$RC" 4 "wrong PIN at the prompt"
grep -qE "create-authority: error: .*token 'mfg'.*wrong PIN" <<<"$TR" && pass || fail "wrong PIN message: $TR"
grep -qF 135799 <<<"$TR" && fail "the wrong PIN appears in the transcript" || pass
expect_no_file ca3.pem "nothing written after a wrong PIN"
expect_no_file ca3.key "no key file left after a wrong PIN"

# 4. Ctrl-C at the prompt: the command stops (SIGINT), the terminal has echo on again.
issue ca4 --ca-key "$ROOT"
pty --interrupt "PIN for PKCS#11 token 'mfg': " --transcript "$T/.pty-transcript" -- "${CMD[@]}"
expect_eq "$RC" 130 "Ctrl-C at the prompt ends the command by SIGINT (pty_run.py: 91 = echo left off)"
expect_no_file ca4.pem "nothing written after Ctrl-C"

# 4b. Ctrl-C at the PIN prompt of a batch (the batch runner handles SIGINT itself): the tool says
# so and ends with 130 at once; no row is processed, nothing is written.
printf 'id,product_instance_uri,serial_number\nd1,urn:example:acme:x1:b1,B1\n' >m.csv
"$BIN/create-authority" --profile root-ca --subject /CN=dev1 --key d1.key --new-key --out "$T/discard.pem" >/dev/null 2>&1
CMD=("$BIN/mint-idevid" --manifest m.csv --out-dir batch --ca-cert root.pem --ca-key "$ROOT" --device-key-template "file:{id}.key")
pty --interrupt "PIN for PKCS#11 token 'mfg': " --transcript "$T/.pty-transcript" -- "${CMD[@]}"
expect_eq "$RC" 130 "Ctrl-C at a batch's PIN prompt (pty_run.py: 90 = the tool did not finish)"
grep -q "interrupted at the prompt" <<<"$TR" && pass || fail "says the prompt was interrupted: $TR"
[ -z "$(ls -A batch 2>/dev/null)" ] && pass || fail "no certificate after Ctrl-C at the batch's prompt"

# 5. Off a terminal: the old error (exit 4), and `prompt` says there is no terminal.
run create-authority --profile issuing-ca --subject /O=Acme/CN=CA --key ca5.key --new-key --ca-cert root.pem \
  --ca-key "$ROOT" --crl-url http://crl.example.com/root.crl --out ca5.pem </dev/null
expect_rc 4 "no PIN off a terminal"
expect_err "create-authority: error: .*token 'mfg' needs a PIN" "the old error off a terminal"
run create-authority --profile issuing-ca --subject /O=Acme/CN=CA --key ca5.key --new-key --ca-cert root.pem \
  --ca-key "$ROOT" --pin-source prompt --crl-url http://crl.example.com/root.crl --out ca5.pem </dev/null
expect_rc 4 "--pin-source prompt off a terminal"
expect_err "create-authority: error: .*cannot prompt: no terminal" "prompt off a terminal says why"
expect_no_file ca5.pem "nothing written off a terminal"

# 6. PKCS11_PIN_SOURCE (what scripts/dev-hsm exports) is read like --pin-source.
PKCS11_PIN_SOURCE="file:$PIN_FILE" run create-authority --profile issuing-ca --subject /O=Acme/CN=CA --key ca6.key \
  --new-key --ca-cert root.pem --ca-key "$ROOT" --crl-url http://crl.example.com/root.crl --out ca6.pem </dev/null
expect_rc 0 "PIN from PKCS11_PIN_SOURCE"
(eval "$("$SRC/scripts/dev-hsm" env "$T/hsm")"; [ "$PKCS11_PIN_SOURCE" = "file:$T/hsm/user.pin" ]) && pass ||
  fail "scripts/dev-hsm exports PKCS11_PIN_SOURCE"
expect_no_temp . "no temporary files"
finish
