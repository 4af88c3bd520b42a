#!/usr/bin/env bash
# Independent checkers accept what sign-ticket writes (deps.md §1.9, §5.6):
#  - npm `jose` (tests/js): flattenedVerify of EVERY signature, key from x5c[0], x5c chained to root;
#  - Debian `jose jws ver` (latchset; no EdDSA): with the signer's public key as a JWK.
# Each checker must also reject a tampered ticket. Skips (77) only when neither checker can run.
source "$SRC/tests/lib.sh"
make_pki
cat ca.pem root.pem >bundle.pem
printf 'manufacturer_name: Acme\nproduct_instance_uri: urn:acme.example:x1:1\nauthorities:\n  - bundle.pem\n' >dev.yaml
for t in p256:ES256 p384:ES384 rsa2048:RS256 rsa2048:PS256 ed25519:EdDSA; do
  kt=${t%%:*} alg=${t##*:}
  [ -e "$kt.pem" ] || "$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/ca.crl --subject "/O=Acme/CN=Signer $kt" --key "$kt.key" \
    --new-key --key-type "$kt" --issuer-cert ca.pem --issuer-key ca.key --out "$kt.pem" >/dev/null
  run sign-ticket --ticket dev.yaml --key "$kt.key" --cert "$kt.pem" --chain chain.pem --alg "$alg" --out "$alg.json"
  expect_rc 0 "sign with $alg"
done
# tampered: another device's payload under this ticket's signature (payload changed after signing)
sed 's/x1:1$/x1:2/' dev.yaml >dev2.yaml
"$BIN/sign-ticket" --ticket dev2.yaml --key p256.key --cert p256.pem --chain chain.pem --out other.json 2>/dev/null
payload_of() { sed -E 's/^\{"payload":"([^"]*)".*/\1/' "$1"; }
sed "s/$(payload_of ES256.json)/$(payload_of other.json)/" ES256.json >tampered.json
cmp -s ES256.json tampered.json && fail "tampering did not change the ticket" || pass

checkers=0
# ---- npm jose: node_modules from tests/js, else `npm ci` into a cache dir keyed by the lock file
JS=$SRC/tests/js
if command -v node >/dev/null; then
  if [ ! -d "$JS/node_modules/jose" ]; then
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/ua-onboard/js-$(sha256sum "$JS/package-lock.json" | cut -c1-16)
    if [ ! -d "$cache/node_modules/jose" ]; then
      mkdir -p "$cache" && cp "$JS/package.json" "$JS/package-lock.json" "$cache/" &&
        (cd "$cache" && timeout 120 npm ci --no-audit --no-fund --silent >/dev/null 2>&1) || rm -rf "$cache/node_modules"
    fi
    [ -d "$cache/node_modules/jose" ] && cp "$JS/verify-ticket.mjs" "$cache/" && JS=$cache
  fi
  if [ -d "$JS/node_modules/jose" ]; then
    checkers=$((checkers + 1))
    for alg in ES256 ES384 RS256 PS256 EdDSA; do
      if out=$(node "$JS/verify-ticket.mjs" "$alg.json" root.pem 2>&1); then pass; else fail "npm jose rejects $alg: $out"; fi
      grep -q '"ProductInstanceUri":"urn:acme.example:x1:1"' <<<"$out" && pass || fail "npm jose: $alg payload"
    done
    if node "$JS/verify-ticket.mjs" tampered.json root.pem >/dev/null 2>&1; then fail "npm jose accepted a tampered ticket"; else pass; fi
    if node "$JS/verify-ticket.mjs" ES256.json signer.pem >/dev/null 2>&1; then fail "npm jose: wrong root accepted"; else pass; fi
  else
    echo "note: npm jose unavailable (npm registry unreachable?)" >&2
  fi
fi
# ---- Debian jose CLI: JWK of x5c[0]'s key made by node:crypto (no npm code involved)
if command -v jose >/dev/null && command -v node >/dev/null; then
  checkers=$((checkers + 1))
  for alg in ES256 ES384 RS256 PS256; do
    node -e '
      const {X509Certificate} = require("node:crypto"); const fs = require("node:fs");
      const j = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      const h = JSON.parse(Buffer.from(j.signatures[0].protected, "base64url"));
      const jwk = new X509Certificate(Buffer.from(h.x5c[0], "base64")).publicKey.export({format: "jwk"});
      jwk.alg = h.alg; process.stdout.write(JSON.stringify(jwk));' "$alg.json" >"$alg.jwk"
    if out=$(jose jws ver -i "$alg.json" -k "$alg.jwk" -O - 2>&1); then pass; else fail "jose jws ver rejects $alg: $out"; fi
    grep -q '"ProductInstanceUri":"urn:acme.example:x1:1"' <<<"$out" && pass || fail "jose jws ver: $alg payload"
  done
  if jose jws ver -i tampered.json -k ES256.jwk -O - >/dev/null 2>&1; then fail "jose jws ver accepted a tampered ticket"; else pass; fi
  if jose jws ver -i ES256.json -k ES384.jwk -O - >/dev/null 2>&1; then fail "jose jws ver: wrong key accepted"; else pass; fi
fi
if [ "$checkers" -eq 0 ]; then echo "SKIP: neither npm jose nor the jose CLI is available" >&2; exit 77; fi
finish
