#!/usr/bin/env bash
# print-label: every format is decoded back by the tool itself, then checked here with an
# independent decoder (zbarimg on PNG; rsvg-convert → zbarimg for SVG; pdftoppm → zbarimg for
# PDF; the ZPL ^GF field turned into a PBM → zbarimg). Also: human text, JSON report, stdout.
source "$SRC/tests/lib.sh"
for t in zbarimg rsvg-convert pdftoppm pdftotext; do
  command -v $t >/dev/null || { echo "skip: $t not installed (scripts/bootstrap)"; exit 77; }
done
U=https://id.example.com/x1/16273849
zbar() { zbarimg -q --raw --nodbus "$1" 2>/dev/null; }

for f in png svg pdf zpl; do
  run print-label --uri "$U" --format $f --text "SN 16273849" --text "Größe Ω – Σπάρτη" --out label.$f
  expect_rc 0 "$f label"
  expect_out "label.$f: $U \(QR version [0-9]+, ECC Q, module 0.339 mm = 4 dots at 300 dpi, label [0-9.]+ x [0-9.]+ mm, decoded back\)" "$f report"
  expect_file label.$f "$f written"
done
expect_eq "$(zbar label.png)" "$U" "zbarimg reads the PNG"
rsvg-convert -d 300 -p 300 label.svg -o svg.png && expect_eq "$(zbar svg.png)" "$U" "zbarimg reads the SVG via rsvg-convert"
pdftoppm -r 300 -png -singlefile label.pdf pdf && expect_eq "$(zbar pdf.png)" "$U" "zbarimg reads the PDF via pdftoppm"
# ZPL: the ^GFA field (hex, 1 = black) as a plain PBM.
awk 'match($0, /\^GFA,[0-9]+,[0-9]+,[0-9]+,[0-9A-F]+/) {
       split(substr($0, RSTART + 5, RLENGTH - 5), p, ","); bpr = p[3]; hex = p[4]; rows = p[1] / bpr
       print "P1"; print bpr * 8, rows
       for (r = 0; r < rows; r++) { line = ""
         for (b = 0; b < bpr; b++) { v = index("0123456789ABCDEF", substr(hex, 2 * (r * bpr + b) + 1, 1)) - 1
           w = index("0123456789ABCDEF", substr(hex, 2 * (r * bpr + b) + 2, 1)) - 1; v = v * 16 + w
           for (k = 7; k >= 0; k--) line = line (int(v / 2 ^ k) % 2) " " }
         print line } }' label.zpl >zpl.pbm
expect_eq "$(zbar zpl.pbm)" "$U" "zbarimg reads the ZPL graphic field"
grep -q '^\^FO0,[0-9]*^A0N,[0-9]*,[0-9]*^FB[0-9]*,1,0,C,0^FH\\^FDGr\\C3\\B6\\C3\\9Fe' label.zpl && pass || fail "ZPL text uses printer font 0, UTF-8 hex"

# Non-ASCII text is real text in the vector formats.
grep -q '>Größe Ω – Σπάρτη</text>' label.svg && pass || fail "SVG has the text"
pdftotext label.pdf - | grep -q 'Größe Ω – Σπάρτη' && pass || fail "PDF text extracts"
# ... and renders in the PNG: the label with text lines is taller than the bare symbol.
run print-label --uri "$U" --out bare.png --json
expect_rc 0 "bare png"
expect_out '"width_mm":14.56,"height_mm":14.56' "bare label is the square symbol"
h_text=$(od -An -tu1 -j20 -N4 label.png | awk '{print $1*16777216+$2*65536+$3*256+$4}')
h_bare=$(od -An -tu1 -j20 -N4 bare.png | awk '{print $1*16777216+$2*65536+$3*256+$4}')
[ "$h_text" -gt "$h_bare" ] && pass || fail "text adds height ($h_text vs $h_bare)"
grep -aq pHYs label.png && pass || fail "PNG stores its resolution"

# ECC, dpi and module size are honoured and reported.
run print-label --uri "$U" --format png --ecc H --dpi 600 --module-mm 0.5 --out big.png --json
expect_rc 0 "600 dpi H"
expect_out '"ecc":"H","dpi":600,"dots_per_module":12,"module_mm":0.508' "achieved size reported"
expect_eq "$(zbar big.png)" "$U" "zbarimg reads the 600 dpi label"

# stdout; case is preserved (byte mode).
M='https://Id.Example.COM/X1/Ab'
"$BIN/print-label" --uri "$M" --format png --out - 2>err.txt >stdout.png
RC=$? ERR=$(cat err.txt)
expect_rc 0 "to stdout"
expect_eq "$(zbar stdout.png)" "$M" "case preserved"
expect_err 'warning: URI .* upper-case letters in scheme or authority' "lint: upper case"
expect_no_temp . "no temporary files"
finish
