# PKCS#11 failures: each one line `TOOL: error: ...`, exit 4 (key/token) or 2 (usage), never the PIN.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
start_hsm mfg
ca() { run create-authority --profile root-ca --subject "/O=Acme/CN=Root" --out out.pem --force "$@"; }

ca --new-key --key "pkcs11:token=mfg;object=root" --pin-source "file:$PIN_FILE"
expect_rc 0 "setup: root key in the token"

# Wrong PIN: exit 4, names the token, never shows the PIN.
echo 999999 >wrong.pin
ca --key "pkcs11:token=mfg;object=root" --pin-source file:wrong.pin
expect_rc 4 "wrong PIN"
expect_err "token 'mfg'.*wrong PIN" "wrong PIN names the token"
grep -q 999999 <<<"$ERR$OUT" && fail "the wrong PIN appears in the output" || pass
PKCS11_PIN=999999 ca --key "pkcs11:token=mfg;object=root"
expect_rc 4 "wrong PIN from PKCS11_PIN"
grep -q 999999 <<<"$ERR$OUT" && fail "the PIN from PKCS11_PIN appears in the output" || pass
# Some tokens lock the PIN after failures; SoftHSM does not, so the right PIN still works.
ca --key "pkcs11:token=mfg;object=root" --pin-source "file:$PIN_FILE"
expect_rc 0 "right PIN after wrong ones"

# No PIN at all (and no terminal to ask on: tests/hsm/prompt.sh covers the terminal).
ca --key "pkcs11:token=mfg;object=root" </dev/null
expect_rc 4 "no PIN"
expect_err "token 'mfg' needs a PIN" "no PIN"

# Token and object not found.
ca --key "pkcs11:token=nosuch;object=root" --pin-source "file:$PIN_FILE"
expect_rc 4 "token label not found"
expect_err "token 'nosuch' not found.*tokens: 'mfg'" "token label not found lists the tokens"
ca --key "pkcs11:token=mfg;object=nosuch" --pin-source "file:$PIN_FILE"
expect_rc 4 "object not found"
expect_err "object=nosuch: no such private key on token 'mfg'" "object not found"
ca --key "pkcs11:token=mfg;id=%de%ad" --pin-source "file:$PIN_FILE"
expect_rc 4 "id not found"

# Module missing, not a PKCS#11 module, not a library, none configured.
ca --key "pkcs11:token=mfg;object=root?module-path=$T/missing.so" --pin-source "file:$PIN_FILE"
expect_rc 4 "module path missing"
expect_err "PKCS#11 module .*/missing.so: No such file" "module path missing"
ca --key "pkcs11:token=mfg;object=root?module-path=$(ls /usr/lib/x86_64-linux-gnu/libz.so.1 /lib/*/libz.so.1 2>/dev/null | head -1)" --pin-source "file:$PIN_FILE"
expect_rc 4 "library that is not a PKCS#11 module"
expect_err "not a PKCS#11 module" "library that is not a PKCS#11 module"
echo "not a library" >fake.so
ca --key "pkcs11:token=mfg;object=root?module-path=$T/fake.so" --pin-source "file:$PIN_FILE"
expect_rc 4 "file that is not a library"
expect_err "fake.so: cannot load it" "file that is not a library"
env -u PKCS11_MODULE_PATH "$BIN/create-authority" --profile root-ca --subject /CN=x --key "pkcs11:token=mfg;object=root" \
  --pin-source "file:$PIN_FILE" --out out.pem --force >"$T/.out" 2>"$T/.err"; RC=$?; ERR=$(cat "$T/.err")
expect_rc 4 "no module configured"
expect_err "no PKCS#11 module.*PKCS11_MODULE_PATH" "no module configured"
# module-path in the URI wins over the environment.
PKCS11_MODULE_PATH=$T/missing.so ca --key "pkcs11:token=mfg;object=root?module-path=$HSM_MODULE" --pin-source "file:$PIN_FILE"
expect_rc 0 "module-path in the URI"

# Ambiguous: two private keys with the same label (made with pkcs11-tool, different IDs).
for id in 0a 0b; do
  p11tool --token-label mfg --login --pin "$HSM_PIN" --keypairgen --key-type EC:prime256v1 --label dup --id $id >/dev/null ||
    fail "setup: pkcs11-tool keypairgen"
done
ca --key "pkcs11:token=mfg;object=dup" --pin-source "file:$PIN_FILE"
expect_rc 4 "ambiguous object"
expect_err "ambiguous: 2 private keys match on token 'mfg'; add id=" "ambiguous object"
ca --key "pkcs11:token=mfg;object=dup;id=%0b" --pin-source "file:$PIN_FILE"
expect_rc 0 "label + id picks one of the duplicates"
# Two keys sharing one CKA_ID: libp11 could pair the wrong public half.
for l in same1 same2; do
  p11tool --token-label mfg --login --pin "$HSM_PIN" --keypairgen --key-type EC:prime256v1 --label $l --id 77 >/dev/null
done
ca --key "pkcs11:token=mfg;object=same1" --pin-source "file:$PIN_FILE"
expect_rc 4 "shared CKA_ID"
expect_err "CKA_ID is shared by 2 private keys" "shared CKA_ID"

# --new-key never replaces: an object with that label exists.
ca --new-key --key "pkcs11:token=mfg;object=root" --pin-source "file:$PIN_FILE"
expect_rc 4 "new key over an existing label"
expect_err "object labelled 'root' already exists" "new key over an existing label"
ca --new-key --key-type ed25519 --key "pkcs11:token=mfg;object=ed" --pin-source "file:$PIN_FILE"
expect_rc 2 "Ed25519 in a token"
ca --new-key --key "pkcs11:token=mfg;id=%01" --pin-source "file:$PIN_FILE"
expect_rc 2 "new key without a label"

# Malformed URIs: usage errors before anything is loaded.
for uri in "pkcs11:" "pkcs11:object=root" "pkcs11:token=mfg" "pkcs11:token=mfg;object=root;type=cert" \
           "pkcs11:token=mfg;object=a;object=b" "pkcs11:token=mfg;object=%zz" "pkcs11:token=mfg;object=root;bogus=1" \
           "pkcs11:slot-id=1;object=root" "pkcs11:token=mfg;object=root?pin-source=file:x&pin-value=1" "pkcs11:token=mfg;objectroot"; do
  ca --key "$uri"
  expect_rc 2 "malformed URI $uri"
  expect_err "key URI" "malformed URI $uri names the URI"
done

# pin-value works, warns, and the PIN is not echoed.
ca --key "pkcs11:token=mfg;object=root?pin-value=$HSM_PIN"
expect_rc 0 "pin-value works"
grep -q "warning: .*pin-value" <<<"$ERR" && pass || fail "pin-value warns: $ERR"
grep -q "$HSM_PIN" <<<"$ERR$OUT" && fail "pin-value PIN echoed" || pass
# The warning is about pin-value only: a PIN from a file draws none, and two URIs with pin-value warn once.
ca --key "pkcs11:token=mfg;object=root" --pin-source "file:$PIN_FILE"
expect_rc 0 "PIN from a file"
grep -q "warning" <<<"$ERR" && fail "a PIN from a file draws no warning: $ERR" || pass
run issue-ldevid --ca-cert out.pem --ca-key "pkcs11:token=mfg;object=root?pin-value=$HSM_PIN" \
  --device-key "pkcs11:token=mfg;object=root?pin-value=$HSM_PIN" --product-instance-uri urn:x:pv --serial-number 1 \
  --out "$T/pv.pem" --force
n=$(grep -c "warning: .*pin-value" <<<"$ERR")
expect_eq "$n" 1 "pin-value in two URIs warns once"
# The --pin flag does not exist: secrets never on the command line.
ca --key "pkcs11:token=mfg;object=root" --pin "$HSM_PIN"
expect_rc 2 "--pin refused"
finish
