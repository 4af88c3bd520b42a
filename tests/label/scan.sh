#!/usr/bin/env bash
# print-label --scan: a printed label photographed rotated by 90°, at half size, blurred, on
# grey paper (made here with an SVG transform + blur filter rendered by rsvg-convert), and a
# JPEG "scan" of the PDF (pdftoppm): match → 0, other URI → 13, no code → 3.
source "$SRC/tests/lib.sh"
for t in rsvg-convert pdftoppm base64; do
  command -v $t >/dev/null || { echo "skip: $t not installed (scripts/bootstrap)"; exit 77; }
done
U=https://id.example.com/x1/16273849
png_size() { od -An -tu1 -j"$2" -N4 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4}'; }

# photo IN.png OUT.png ANGLE SCALE BLUR
photo() {
  local w h; w=$(png_size "$1" 16) h=$(png_size "$1" 20)
  local side=$(( (w > h ? w : h) + 40 ))
  cat >photo.svg <<SVG
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="$side" height="$side">
<defs><filter id="b"><feGaussianBlur stdDeviation="$5"/></filter></defs>
<rect width="$side" height="$side" fill="#c8c8c8"/>
<g filter="url(#b)" transform="translate($((side / 2)),$((side / 2))) rotate($3) scale($4) translate($((-w / 2)),$((-h / 2)))">
<image width="$w" height="$h" xlink:href="data:image/png;base64,$(base64 -w0 "$1")"/></g></svg>
SVG
  rsvg-convert photo.svg -o "$2"
}

run print-label --uri "$U" --text "SN 16273849" --out label.png
expect_rc 0 "label"
photo label.png rot90.png 90 0.5 0.6
expect_file rot90.png "photo made"
run print-label --scan rot90.png --uri "$U"
expect_rc 0 "rotated 90°, 50%, blurred: match"
expect_out "rot90.png: match: $U" "match reported"
run print-label --scan rot90.png --uri https://id.example.com/x1/99999999
expect_rc 13 "other URI: mismatch"
expect_err "print-label: error: --scan rot90.png: the label reads '$U', expected 'https://id.example.com/x1/99999999'" "mismatch says both"
run print-label --scan rot90.png --uri "$U" --json
expect_out '"match":true' "json match"
photo label.png skew.png 17 0.8 0.8
run print-label --scan skew.png --uri "$U"
expect_rc 0 "rotated 17°, blurred: match"

# A JPEG scan of the PDF label at 150 dpi.
run print-label --uri "$U" --out label.pdf
pdftoppm -r 150 -jpeg -singlefile label.pdf scan
run print-label --scan scan.jpg --uri "$U"
expect_rc 0 "JPEG scan of the PDF"
# PNM as well (pdftoppm's default output).
pdftoppm -r 200 -gray -singlefile label.pdf scan
run print-label --scan scan.pgm --uri "$U"
expect_rc 0 "PGM scan"

# No code in the image: unreadable (3). Not an image: malformed (3). Missing: file error (5).
photo label.png tiny.png 0 0.05 2
run print-label --scan tiny.png --uri "$U"
expect_rc 3 "unreadable label"
expect_err "no readable QR code" "unreadable says so"
echo hello >not-image.png
run print-label --scan not-image.png --uri "$U"
expect_rc 3 "not an image"
run print-label --scan missing.png --uri "$U"
expect_rc 5 "missing image"
run print-label --scan rot90.png
expect_rc 0 "--scan alone says what the label holds (issue 11)"
expect_out "^rot90.png: $U \(QRCode, ECC Q\)$" "the rotated label's text, symbology and ECC level"

# Scan against a device certificate (its SAN) and a ticket.
make_pki
"$BIN/mint-idevid" --ca-cert ca.pem --ca-key ca.key --product-instance-uri "$U" --serial-number 16273849 \
  --device-key dev.key --new-key --out dev.pem >/dev/null || fail "mint-idevid"
run print-label --scan rot90.png --cert dev.pem
expect_rc 0 "scan vs certificate SAN"
"$BIN/mint-idevid" --ca-cert ca.pem --ca-key ca.key --product-instance-uri https://id.example.com/x1/other \
  --serial-number 2 --device-key dev2.key --new-key --out dev2.pem >/dev/null || fail "mint-idevid 2"
run print-label --scan rot90.png --cert dev2.pem
expect_rc 13 "scan vs another device's certificate"
finish
