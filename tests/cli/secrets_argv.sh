#!/usr/bin/env bash
# Secrets hygiene (SPEC §11, issue 6): argv can hold no secret. --pin/--password/--passphrase/
# --pass (alone or with =VALUE) are refused with exit 2 by every tool, before anything else,
# and the refusal never repeats the secret.
source "$SRC/tests/lib.sh"
SECRET="Sekr1t-argv-5b7e0c9d"
tools=()
for t in create-authority mint-idevid issue-ldevid sign-ticket countersign-ticket build-composite-ticket verify-ticket print-label; do
  [ -x "$BIN/$t" ] && tools+=("$t")
done
[ "${#tools[@]}" -ge 4 ] && pass || fail "tools found: ${tools[*]}"
for t in "${tools[@]}"; do
  for form in "--pin $SECRET" "--pin=$SECRET" "--password $SECRET" "--password=$SECRET" "--passphrase=$SECRET" \
              "--pass $SECRET" "--pass=$SECRET" "--pin-value=$SECRET"; do
    # shellcheck disable=SC2086  # word splitting of $form is the point
    run "$t" --out x.pem $form
    expect_rc 2 "$t $form"
    expect_err "secrets are never taken on the command line" "$t $form: says why"
    if grep -qF -- "$SECRET" <<<"$OUT$ERR"; then fail "$t $form: the secret is echoed"; else pass; fi
  done
done
# The flags that do exist take sources, never the secret: a bare value is refused and not echoed.
run create-authority --profile root-ca --subject /CN=R --key r.key --new-key --pass-source "$SECRET" --out r.pem
expect_rc 2 "--pass-source with a bare secret"
if grep -qF -- "$SECRET" <<<"$OUT$ERR"; then fail "--pass-source VALUE echoed: $ERR"; else pass; fi
expect_no_file r.key "nothing created"
finish
