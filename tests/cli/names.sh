# SPEC §13.5, one set of names: --ca-cert/--ca-key everywhere (create-authority keeps
# --issuer-cert/--issuer-key), print-label --device-cert (--cert kept); "did you mean" for
# unknown flags; typed placeholders in every --help (no TEXT, [] or ...); each --help lists only
# flags the tool uses.
source "$SRC/tests/lib.sh"
make_pki  # create-authority with --ca-cert/--ca-key (tests/lib.sh)
openssl verify -CAfile root.pem -untrusted ca.pem signer.pem >/dev/null 2>&1 && pass || fail "--ca-cert/--ca-key: signer chains to the root"

# --- aliases ------------------------------------------------------------------------------
run create-authority --profile ticket-signer --subject "/O=Acme/CN=Old Names" --key old.key --new-key \
  --issuer-cert ca.pem --issuer-key ca.key --crl-url http://crl.example.com/ca.crl --out old.pem
expect_rc 0 "--issuer-cert/--issuer-key still work"
openssl verify -CAfile root.pem -untrusted ca.pem old.pem >/dev/null 2>&1 && pass || fail "old names: certificate chains"
run create-authority --profile ticket-signer --subject "/O=Acme/CN=Mixed" --key mixed.key --new-key \
  --ca-cert ca.pem --issuer-key ca.key --crl-url http://crl.example.com/ca.crl --out mixed.pem
expect_rc 0 "--ca-cert with --issuer-key (one option, two names)"
run create-authority --profile ticket-signer --subject "/O=Acme/CN=Twice" --key twice.key --new-key \
  --ca-cert ca.pem --issuer-cert ca.pem --ca-key ca.key --crl-url http://crl.example.com/ca.crl --out twice.pem
expect_rc 2 "--ca-cert and its alias --issuer-cert together"
expect_no_file twice.pem "nothing written for the doubled issuer"
expect_no_file twice.key "no key made for the doubled issuer"
run create-authority --profile issuing-ca --subject "/O=Acme/CN=No Issuer" --key none.key --new-key \
  --crl-url http://crl.example.com/ca.crl --out none.pem
expect_rc 2 "issuing-ca without an issuer"
expect_err "create-authority: error: --profile issuing-ca needs --ca-cert and --ca-key" "the message uses the new names"
run create-authority --help
grep -qE -- "--ca-cert, --issuer-cert FILE" <<<"$OUT" && pass || fail "create-authority --help shows --ca-cert with its alias"
grep -qE -- "--ca-key, --issuer-key URI" <<<"$OUT" && pass || fail "create-authority --help shows --ca-key with its alias"

U=https://id.acme.example/x1/16273849
"$BIN/mint-idevid" --ca-cert ca.pem --ca-key ca.key --product-instance-uri "$U" --serial-number 16273849 \
  --device-key dev.key --new-key --out dev.pem >/dev/null 2>&1 || fail "setup: mint-idevid"
if [ -x "$BIN/print-label" ]; then
  run print-label --device-cert dev.pem --out new.svg --json
  expect_rc 0 "print-label --device-cert"
  expect_out "\"uri\":\"$U\"" "--device-cert: the certificate's URI"
  run print-label --cert dev.pem --out old.svg --json
  expect_rc 0 "print-label --cert (alias)"
  cmp -s new.svg old.svg && pass || fail "--cert and --device-cert make the same label"
  run print-label --help
  grep -qE -- "--device-cert, --cert FILE" <<<"$OUT" && pass || fail "print-label --help shows --device-cert with its alias"
fi

# --- unknown flags: one line, "did you mean", exit 2, nothing done ------------------------
# did_you_mean TOOL WRONG RIGHT ARGS...
did_you_mean() {
  local tool=$1 wrong=$2 right=$3; shift 3
  run "$tool" "$@"
  expect_rc 2 "$tool $wrong"
  expect_err "^$tool: error: unknown option ${wrong%%=*}; did you mean $right\? \(see --help\)\$" "$tool $wrong suggests $right"
  grep -q "not expected" <<<"$ERR" && fail "$tool $wrong: CLI11's 'not expected' message leaks through" || pass
}
did_you_mean mint-idevid --manfest --manifest --manfest "$SRC/templates/devices.csv" --out-dir out --ca-cert ca.pem --ca-key ca.key
expect_no_file out "nothing made after an unknown flag"
did_you_mean mint-idevid --manfest --manifest --ca-cert ca.pem --ca-key ca.key devices.csv --manfest
did_you_mean verify-ticket --trust-ancor --trust-anchor t.json --trust-ancor root.pem
did_you_mean sign-ticket --ky --key --ky signer.key
did_you_mean create-authority --isuer-cert --issuer-cert --isuer-cert ca.pem
did_you_mean create-authority --ca-crt --ca-cert --ca-crt ca.pem
did_you_mean countersign-ticket --manfest=x.csv --manifest --manfest=x.csv
did_you_mean issue-ldevid --form-idevid --from-idevid --form-idevid dev.pem
did_you_mean verify-ticket --polcy --policy t.json --polcy all
run mint-idevid --zzzzzzzzzz
expect_rc 2 "an unknown flag like none"
expect_err "^mint-idevid: error: unknown option --zzzzzzzzzz \(see --help\)$" "no suggestion when nothing is close"
# Operands a tool does not take: a clear line instead of "The following arguments were not expected".
run mint-idevid devices.csv --ca-cert ca.pem --ca-key ca.key
expect_rc 2 "an operand to a tool without operands"
expect_err "^mint-idevid: error: unexpected argument 'devices.csv': mint-idevid takes no operands, only --options \(see --help\)$" \
  "names the stray operand"

# --- placeholders: typed, from one table; no TEXT, [] or ... --------------------------------
ALLOWED="FILE|DIR|URI|URL|TIME|N|MM|HEX|ALG|ECC|FORMAT|TYPE|NAME|SN|DN|SOURCE|POLICY|PROFILE|REASON|TCTI|LINE|OID"
for dir in "$SRC"/tools/*/; do
  tool=$(basename "$dir")
  [ -x "$BIN/$tool" ] || continue
  help=$("$BIN/$tool" --help 2>&1)
  grep -qE '\bTEXT\b' <<<"$help" && fail "$tool --help shows TEXT: $(grep -E '\bTEXT\b' <<<"$help" | head -3)" || pass
  grep -qF '[]' <<<"$help" && fail "$tool --help shows []: $(grep -F '[]' <<<"$help" | head -3)" || pass
  grep -qE '^ +-.*[A-Z] \.\.\.' <<<"$help" && fail "$tool --help suggests a list with ...: $(grep -E '^ +-.*[A-Z] \.\.\.' <<<"$help" | head -3)" || pass
  untabled=$(grep -E '^ +-.* VALUE( |$)' <<<"$help" | grep -oE -- '--[a-z0-9-]+' | tr '\n' ' ')
  [ -z "$untabled" ] && pass || fail "$tool: options missing from the placeholder table in lib/cli/help.cpp: $untabled"
  # every option line with a value: NAME[, ALIAS] PLACEHOLDER from the allowed words
  while read -r line; do
    ph=$(sed -E 's/^ *(-h, )?--[a-z0-9-]+(, --[a-z0-9-]+)*( ([A-Z]+))?.*/\4/' <<<"$line")
    [ -z "$ph" ] || grep -qxE "$ALLOWED|REQUIRED" <<<"$ph" && pass || fail "$tool: placeholder '$ph' is not a typed word: $line"
  done < <(grep -E '^ +--' <<<"$help")
  # repeatable options say so
  for opt in --ticket-authority --trust-anchor --crl --authority --member --require-signer --text --crl-url --ocsp-url; do
    line=$(grep -E "^ +$opt( |,)" <<<"$help") || continue
    [ "$tool/$opt" = publish-crl/--crl ] && continue  # the one previous CRL, not a list
    grep -qi repeatable <<<"$line" && pass || fail "$tool: $opt takes one value a time but its help does not say 'repeatable': $line"
  done
done
run create-authority --help
for want in "--out FILE" "--days N" "--not-after TIME" "--key URI" "--key-type TYPE" "--profile PROFILE" "--subject DN"; do
  grep -qE -- "^ +$want" <<<"$OUT" && pass || fail "create-authority --help: '$want'"
done
run verify-ticket --help
for want in "--at TIME" "--trust-anchor FILE" "--policy POLICY" "--max-size N"; do
  grep -qE -- "^ +$want" <<<"$OUT" && pass || fail "verify-ticket --help: '$want'"
done
run mint-idevid --help
for want in "--out-dir DIR" "--manifest FILE" "--serial-number SN" "--pin-source SOURCE" "--product-instance-uri URI"; do
  grep -qE -- "^ +$want" <<<"$OUT" && pass || fail "mint-idevid --help: '$want'"
done

# --- each --help lists only flags the tool uses ---------------------------------------------
for dir in "$SRC"/tools/*/; do
  tool=$(basename "$dir")
  [ -x "$BIN/$tool" ] || continue
  help=$("$BIN/$tool" --help 2>&1)
  has() { grep -qE -- "^ +(-h, )?(--[a-z0-9-]+, )*$1( |,|$)" <<<"$help"; }
  writes=no; for o in --out --out-dir --html --chain-out --iak-out --tcg-csr-out; do has "$o" && writes=yes; done
  keys=no; for o in --key --ca-key --device-key --issuer-key; do has "$o" && keys=yes; done
  if has --force; then [ $writes = yes ] && pass || fail "$tool --help lists --force but the tool writes no file"; fi
  if [ $writes = yes ]; then has --force && pass || fail "$tool writes files but --help has no --force"; fi
  for o in --pin-source --pass-source --tcti; do
    if has $o; then [ $keys = yes ] && pass || fail "$tool --help lists $o but the tool opens no key"; fi
    if [ $keys = yes ]; then has $o && pass || fail "$tool opens keys but --help has no $o"; fi
  done
done
run verify-ticket --help
grep -q -- "--force" <<<"$OUT" && ! grep -q -- "--html" <<<"$OUT" && fail "verify-ticket --help lists --force though it writes nothing" || pass

# --manufacturer: mint-idevid defaults it to the CA's O=, issue-ldevid has no default (and says so)
run mint-idevid --help
grep -E -- "^ +--manufacturer" <<<"$OUT" | grep -q "default: the issuing CA's O=" && pass || fail "mint-idevid --help names its --manufacturer default"
run issue-ldevid --help
grep -E -- "^ +--manufacturer" <<<"$OUT" | grep -qi "no default" && pass || fail "issue-ldevid --help says --manufacturer has no default"
grep -E -- "^ +--manufacturer" <<<"$OUT" | grep -q "issuing CA" && fail "issue-ldevid --help claims a CA default for --manufacturer" || pass
run issue-ldevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri "$U" --serial-number 16273849 \
  --device-key ld.key --new-key --out ld.pem
expect_rc 0 "issue-ldevid with a device key and a serial number"
subject=$(openssl x509 -in ld.pem -noout -subject -nameopt RFC2253 2>/dev/null)
grep -q "O=" <<<"$subject" && fail "issue-ldevid applied an O= nobody gave: $subject" || pass
subject=$(openssl x509 -in dev.pem -noout -subject -nameopt RFC2253 2>/dev/null)
grep -q "O=Acme" <<<"$subject" && pass || fail "mint-idevid defaults O= to the CA's: $subject"
expect_no_temp . "no temporary files"
finish
