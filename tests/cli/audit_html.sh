#!/usr/bin/env bash
# verify-ticket --html (SPEC §13.4): the audit page rendered by headless Chromium. For each test
# page (valid, multi-signature with an expired signer, untrusted, device match, hostile fields) a
# screenshot that is not blank, a DOM that shows the verdict, the ProductInstanceUri and every
# signer, no script or outside reference; the PDF print is A4. Bad inputs: exit codes, no file.
source "$SRC/tests/lib.sh"
source "$SRC/tests/verify_lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "skip: chromium is not installed (scripts/bootstrap installs it)"; exit 77; }
export HOME="$T/home"
mkdir -p "$HOME"
# Headless Chromium as root needs --no-sandbox; its own profile dir keeps runs apart.
chrome() { timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$T/profile" "$@" 2>>"$T/chromium.log"; }

# png_stats FILE → "WIDTH HEIGHT DISTINCT_COLOURS NON_WHITE_PERMILLE" (a plain PNG decoder: no PIL here)
png_stats() {
  python3 - "$1" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6), "unexpected PNG type"
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, colours, dark = bytearray(stride), set(), 0
for y in range(h):
    f, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = row[i - bpp] if i >= bpp else 0
        b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
        if f == 1: row[i] = (row[i] + a) & 255
        elif f == 2: row[i] = (row[i] + b) & 255
        elif f == 3: row[i] = (row[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp * 2):  # every other pixel: enough to count colours
        px = bytes(row[x:x + 3])
        colours.add(px)
        dark += px != b"\xff\xff\xff"
    prev = row
print(w, h, len(colours), dark * 2000 // (w * h))
PY
}

# render NAME: screenshot + DOM of NAME.html; checks the page is self-contained and not blank
render() {
  local name=$1
  chrome --window-size=1000,1400 --hide-scrollbars --screenshot="$T/$name.png" "file://$T/$name.html" >/dev/null
  expect_file "$name.png" "$name: Chromium made a screenshot"
  local stats; stats=$(png_stats "$name.png")
  read -r w h colours dark <<<"$stats"
  [ "${colours:-0}" -ge 8 ] && pass || fail "$name: screenshot has $colours colours ($stats): blank?"
  [ "${dark:-0}" -ge 20 ] && pass || fail "$name: screenshot is ${dark}‰ non-white ($stats): blank?"
  chrome --dump-dom "file://$T/$name.html" >"$name.dom"
  expect_file "$name.dom" "$name: --dump-dom"
  # self-contained: no script, no element or style that loads anything
  # (an attribute counts inside a tag only: escaped ticket text such as "&lt;img src=x&gt;" is text)
  local loads='<script|<link|<iframe|<object|<embed|<img|<[a-z][^>]*[[:space:]](src|href|xlink:href|action|srcset|poster|formaction)=|url\(|@import'
  if grep -Eiq "$loads" "$name.html" "$name.dom"; then
    fail "$name: the page loads or runs something: $(grep -Eio "$loads" "$name.html" "$name.dom" | head -3)"
  else
    pass
  fi
  ! grep -Eiq '(src|href)="?(https?:)?//' "$name.html" && pass || fail "$name: an http(s) resource reference"
}
dom_has() {  # dom_has NAME FIXED-TEXT DESCRIPTION
  grep -qF -- "$2" "$1.dom" && pass || fail "$3: '$2' not in $1's DOM"
}

make_pki
make_distributor
cat ca.pem root.pem >bundle.pem
"$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/ca.crl --subject "/O=Acme/CN=Acme Short Signer" \
  --key short.key --new-key --issuer-cert ca.pem --issuer-key ca.key --not-after 2030-01-01T00:00:00Z --out short.pem >/dev/null
device_yaml 1
"$BIN/sign-ticket" --ticket dev-1.yaml --key signer.key --cert signer.pem --chain chain.pem --authority bundle.pem --out t.json >/dev/null
"$BIN/sign-ticket" --ticket dev-1.yaml --key short.key --cert short.pem --chain chain.pem --authority bundle.pem --out s.json >/dev/null
"$BIN/countersign-ticket" s.json --key dsigner.key --cert dsigner.pem --chain droot.pem --trust-anchor root.pem --out s2.json >/dev/null
"$BIN/mint-idevid" --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:acme.example:x1:1 --serial-number 1 \
  --device-key dev.key --new-key --out dev.pem >/dev/null || fail "mint-idevid for the device match"
URI=urn:acme.example:x1:1

# 1. valid, one signature
run verify-ticket t.json --trust-anchor root.pem --html valid.html
expect_rc 0 "valid ticket with --html"
expect_out "^t.json: VALID" "the text report still goes to stdout"
expect_file valid.html "page written"
render valid
dom_has valid ">VALID<" "verdict"
dom_has valid "$URI" "ProductInstanceUri"
dom_has valid "CN=Acme Ticket Signer" "signer subject"
dom_has valid "Valid until" "valid until"
dom_has valid "<svg class=\"timeline\"" "timeline drawn"
dom_has valid "<figure class=\"qr\"><svg" "QR code drawn"
grep -c '<svg class="timeline"' valid.html | grep -qx 1 && pass || fail "one timeline for one ticket"
# The QR code on the page holds exactly the URI (the same encoder as print-label)
"$BIN/print-label" --scan valid.png >scan.out 2>&1 && grep -qF "valid.png: $URI (QRCode" scan.out && pass ||
  fail "the page's QR code reads back as the ProductInstanceUri: $(cat scan.out)"

# 2. two signatures, the manufacturer's signer expired: valid through the distributor
run verify-ticket s2.json --trust-anchor root.pem --trust-anchor droot.pem --at 2031-06-01T00:00:00Z --html multi.html
expect_rc 0 "countersigned ticket, first signer expired"
render multi
dom_has multi ">VALID<" "verdict"
dom_has multi "$URI" "ProductInstanceUri"
dom_has multi "CN=Acme Short Signer" "first signer"
dom_has multi "CN=Dist Signer" "second signer"
dom_has multi "REJECTED" "expired signature rejected"
dom_has multi "expired: " "why rejected"
dom_has multi "class=\"cert expired\"" "expired certificate drawn as expired"
dom_has multi "evaluated 2031-06-01" "evaluation time marked"

# 3. untrusted (exit 10): the page says INVALID, why, and what 10 means
run verify-ticket t.json --trust-anchor droot.pem --html untrusted.html
expect_rc 10 "untrusted ticket: exit code unchanged by --html"
expect_file untrusted.html "page written for an invalid ticket"
render untrusted
dom_has untrusted ">INVALID<" "verdict"
dom_has untrusted "Exit code 10" "exit code"
dom_has untrusted "untrusted: signatures verify but none chains to a trusted certificate" "exit code meaning"
dom_has untrusted "CN=Acme Ticket Signer" "signer subject"
dom_has untrusted "$URI" "ProductInstanceUri"

# 4. device match, and several tickets on one page (one per printed page)
run verify-ticket t.json s2.json --trust-anchor root.pem --trust-anchor droot.pem --device-cert dev.pem --html device.html
expect_rc 0 "device match"
render device
dom_has device "Device match" "device section"
dom_has device ">matched<" "matched"
dom_has device "dev.pem" "which certificate matched"
dom_has device "CN=Dist Signer" "second ticket's signer"
[ "$(grep -o '<section class="ticket"' device.html | wc -l)" -eq 2 ] && pass || fail "two tickets, two sections"
chrome --no-pdf-header-footer --print-to-pdf="$T/device.pdf" "file://$T/device.html" >/dev/null
expect_file device.pdf "printed to PDF"
info=$(pdfinfo device.pdf 2>&1)
grep -Eq '^Page size: +59[45](\.[0-9]+)? x 84[12](\.[0-9]+)? pts' <<<"$info" && pass ||
  fail "PDF pages are not A4: $(grep 'Page size' <<<"$info")"
pages=$(awk '/^Pages:/ { print $2 }' <<<"$info")
[ "${pages:-0}" -ge 2 ] && pass || fail "one ticket per page: $pages page(s) for two tickets"

# 5. hostile strings: payload fields and a signer subject with markup and quotes stay text
"$BIN/create-authority" --profile ticket-signer --crl-url http://crl.example.com/ca.crl \
  --subject "/O=Evil\"'&/CN=<script>alert(2)" --key evil.key --new-key --issuer-cert ca.pem --issuer-key ca.key \
  --out evil.pem >/dev/null || fail "hostile signer certificate"
printf '%s\n' 'manufacturer_name: "<script>alert(1)</script>"' "model_name: \"\\\" onmouseover='x' <img src=x>\"" \
  'serial_number: "</style><b>7</b>"' 'product_instance_uri: urn:acme.example:x1:evil' >evil.yaml
"$BIN/sign-ticket" --ticket evil.yaml --key evil.key --cert evil.pem --chain chain.pem --authority bundle.pem --out evil.json >/dev/null ||
  fail "hostile ticket signed"
run verify-ticket evil.json --trust-anchor root.pem --html evil.html
expect_rc 0 "hostile strings in a valid ticket"
render evil
grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' evil.html && pass || fail "payload <script> escaped"
grep -qF 'CN=\&lt;script\&gt;alert(2)' evil.html && pass || fail "subject <script> escaped"
grep -qF '&quot; onmouseover=&#39;x&#39; &lt;img src=x&gt;' evil.html && pass || fail "quotes escaped"
grep -qF '&lt;/style&gt;' evil.html && pass || fail "</style> escaped"
dom_has evil "&lt;script&gt;alert(1)&lt;/script&gt;" "the hostile text is shown as text"
! grep -q '<b>7</b>' evil.html && pass || fail "markup from the ticket became markup"

# 6. --html - : the page on stdout, no text report
run verify-ticket t.json --trust-anchor root.pem --html -
expect_rc 0 "--html -"
[ "$(head -c 15 <<<"$OUT")" = "<!DOCTYPE html>" ] && pass || fail "--html - writes the page to stdout"
! grep -q '^t.json: VALID' <<<"$OUT" && pass || fail "--html -: no text report mixed into the page"

# Bad input
mkdir adir
run verify-ticket t.json --trust-anchor root.pem --html adir
expect_rc 5 "--html to a directory"
expect_err "--html" "names the flag"
run verify-ticket t.json --trust-anchor root.pem --html valid.html
expect_rc 5 "--html over an existing page without --force"
run verify-ticket t.json --trust-anchor root.pem --html valid.html --force
expect_rc 0 "--force replaces the page"
run verify-ticket missing.json --trust-anchor root.pem --html missing.html
expect_rc 5 "missing ticket"
expect_err "missing.json" "names the file"
expect_no_file missing.html "no page when an input cannot be read"
printf '{"payload":"e30","signatures":[]}\n' >bad.json
run verify-ticket bad.json --trust-anchor root.pem --html bad.html
expect_rc 3 "malformed ticket"
expect_file bad.html "page for a malformed ticket"
run verify-ticket t.json --trust-anchor root.pem --html nodir/x.html
expect_rc 5 "--html into a missing directory"
expect_no_file nodir/x.html "nothing written"
expect_no_temp . "no temporary files"
finish
