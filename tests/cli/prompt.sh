# SPEC §13.5: on a terminal the passphrase of an encrypted key file is asked for (echo off),
# --pass-source prompt asks explicitly (twice for a new key); off a terminal the old error stays.
# The terminal is a real pseudo-terminal (tests/pty_run.py).
source "$SRC/tests/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
PASS=correct-horse-42
# pty ARGS...: tests/pty_run.py; RC, and TR = everything the terminal and the streams showed
pty() {
  python3 "$SRC/tests/pty_run.py" --transcript "$T/.pty-transcript" "$@" >"$T/.pty-out" 2>"$T/.pty-err"
  RC=$?
  TR=$(cat "$T/.pty-transcript" "$T/.pty-out" "$T/.pty-err" 2>/dev/null)
}
no_secret_in() { grep -qF -- "$PASS" <<<"$TR" && fail "$1: the passphrase appears in the transcript" || pass; }
root() { CMD=("$BIN/create-authority" --profile root-ca --subject "/O=Acme/CN=Root $1" --key "$1.key" "${@:2}" --out "$1.pem"); }

# A new encrypted key: --pass-source prompt asks twice.
root enc --new-key --pass-source prompt
pty --answer "Passphrase for new key file enc.key: =$PASS" --answer "Passphrase for new key file enc.key \(again\): =$PASS" \
  -- "${CMD[@]}"
expect_eq "$RC" 0 "new key encrypted under a prompted passphrase"
grep -q "ENCRYPTED PRIVATE KEY" enc.key && pass || fail "enc.key is encrypted"
openssl pkey -in enc.key -passin "pass:$PASS" -noout 2>/dev/null && pass || fail "enc.key opens with the typed passphrase"
no_secret_in "new key"

# The two entries differ: exit 4, no key file.
root typo --new-key --pass-source prompt
pty --answer "Passphrase for new key file typo.key: =$PASS" --answer "\(again\): =${PASS}x" -- "${CMD[@]}"
expect_eq "$RC" 4 "different entries"
grep -q "the two entries differ" <<<"$TR" && pass || fail "says the entries differ: $TR"
expect_no_file typo.key "no key file after different entries"
expect_no_file typo.pem "no certificate after different entries"

# An existing encrypted key and no --pass-source, on a terminal: asked once, works.
root enc --force
pty --answer "Passphrase for key file enc.key: =$PASS" -- "${CMD[@]}"
expect_eq "$RC" 0 "passphrase asked for the encrypted key"
grep -qF "Passphrase for key file enc.key: " <<<"$TR" && pass || fail "the prompt appears on the terminal: $TR"
no_secret_in "existing key"
openssl x509 -in enc.pem -noout 2>/dev/null && pass || fail "enc.pem is a certificate"

# Wrong passphrase typed: exit 4, one error line, the wrong one not shown.
root enc --force --pass-source prompt
pty --answer "Passphrase for key file enc.key: =not-it-99" -- "${CMD[@]}"
expect_eq "$RC" 4 "wrong passphrase at the prompt"
grep -qF not-it-99 <<<"$TR" && fail "the wrong passphrase appears in the transcript" || pass
[ "$(grep -c 'create-authority: error:' <<<"$TR")" -eq 1 ] && pass || fail "one error line: $TR"

# Off a terminal: the old error (exit 4); `prompt` says there is no terminal; nothing written.
run create-authority --profile root-ca --subject "/O=Acme/CN=Root" --key enc.key --out off.pem </dev/null
expect_rc 4 "encrypted key off a terminal"
expect_err "create-authority: error: .*key is encrypted; give its passphrase with --pass-source" "the old error"
run create-authority --profile root-ca --subject "/O=Acme/CN=Root" --key enc.key --pass-source prompt --out off.pem </dev/null
expect_rc 4 "--pass-source prompt off a terminal"
expect_err "create-authority: error: .*cannot prompt: no terminal" "prompt off a terminal says why"
expect_no_file off.pem "nothing written off a terminal"

# Secret sources keep refusing the secret itself.
run create-authority --profile root-ca --subject "/O=Acme/CN=Root" --key enc.key --pass-source "$PASS" --out off.pem </dev/null
expect_rc 2 "a passphrase as the source is refused"
grep -qF -- "$PASS" <<<"$ERR$OUT" && fail "the passphrase given as a source is echoed" || pass
expect_no_temp . "no temporary files"
finish
