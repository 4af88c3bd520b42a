#!/usr/bin/env bash
# print-label --manifest: one label per row (CSV and JSON Lines), results as JSON Lines, a re-run
# skips identical labels, bad rows stop the run before anything is written; --sheet puts every
# label on A4 pages that an independent decoder reads.
source "$SRC/tests/lib.sh"
for t in zbarimg pdftoppm; do
  command -v $t >/dev/null || { echo "skip: $t not installed (scripts/bootstrap)"; exit 77; }
done
{ echo "id,product_instance_uri,model,serial_number"
  for i in $(seq 1 12); do echo "dev-$i,https://id.example.com/x1/$((16273800 + i)),X1,$((16273800 + i))"; done; } >m.csv

run print-label --manifest m.csv --out-dir labels --format png --text "{model} SN {serial_number}"
expect_rc 0 "batch of 12"
expect_eq "$(grep -c '"status":"ok"' <<<"$OUT")" 12 "12 results ok"
expect_out '^\{"row":1,"id":"dev-1","status":"ok","outputs":\{"label":"labels/dev-1.png"\}\}$' "result line"
expect_eq "$(zbarimg -q --raw --nodbus labels/dev-7.png 2>/dev/null)" "https://id.example.com/x1/16273807" "row 7 decodes"
run print-label --manifest m.csv --out-dir labels --format png --text "{model} SN {serial_number}"
expect_rc 0 "re-run"
expect_eq "$(grep -c '"status":"skipped"' <<<"$OUT")" 12 "re-run skips identical labels"
run print-label --manifest m.csv --out-dir labels --format png --text "other"
expect_rc 5 "different existing label without --force"
run print-label --manifest m.csv --out-dir labels --format png --text "other" --force
expect_rc 0 "--force replaces"

printf '{"id":"a","product_instance_uri":"https://id.example.com/a"}\n{"id":"b","product_instance_uri":"https://id.example.com/b"}\n' >m.jsonl
run print-label --manifest m.jsonl --out-dir z --format zpl --results res.jsonl
expect_rc 0 "JSON Lines manifest to ZPL"
expect_file z/b.zpl "ZPL per row"
expect_eq "$(grep -c '"status":"ok"' res.jsonl)" 2 "results file"

# Pass 1 checks every row first: a bad row 3 means no label at all.
{ echo "id,product_instance_uri"; echo "a,https://id.example.com/a"; echo "b,https://id.example.com/b"; echo "c,not a uri"; } >bad.csv
run print-label --manifest bad.csv --out-dir badout --format png
expect_rc 3 "bad row"
expect_err "bad.csv: row 3 \(line 4\)" "names the row"
expect_no_file badout/a.png "nothing written"
{ echo "id,product_instance_uri"; echo "a,https://id.example.com/a"; echo "b,https://id.example.com/a"; } >dup.csv
run print-label --manifest dup.csv --out-dir dupout --format png
expect_rc 3 "duplicate URI"
{ echo "id,uri"; echo "a,https://id.example.com/a"; } >nocol.csv
run print-label --manifest nocol.csv --out-dir x --format png
expect_rc 3 "no product_instance_uri column"
run print-label --manifest m.csv --out-dir x
expect_rc 2 "batch needs --format"
run print-label --manifest m.csv --out-dir x --format png --uri https://id.example.com/a
expect_rc 2 "batch takes no --uri"

# A4 sheet.
run print-label --manifest m.csv --sheet --out sheet.pdf --text "SN {serial_number}"
expect_rc 0 "sheet"
expect_err "sheet.pdf: 12 labels on 1 A4 page" "sheet summary"
pdftoppm -r 200 -png -singlefile sheet.pdf sheet
expect_eq "$(zbarimg -q --raw --nodbus sheet.png 2>/dev/null | sort | tr '\n' ' ')" \
  "$(cut -d, -f2 m.csv | tail -n +2 | sort | tr '\n' ' ')" "zbarimg reads all 12 labels on the sheet"
run print-label --manifest m.csv --sheet --out sheet.png
expect_rc 2 "sheet is PDF only"
expect_no_temp labels "no temporary files"
finish
