# The README is a test (issue 10): every ```sh block of README.md runs, in order, as one script
# in a scratch directory with the project's own build/bin first in PATH; any failing command
# fails the test (bash -e). A block preceded by `<!-- readme-test: skip -->` is not run (the
# "two commands" block: it would run the demo and this very test suite again).
#
# The scratch directory is laid out like a checkout: templates/ is a copy of the real one,
# build/bin is the tools under test, and scripts/bootstrap is a stand-in that exits 0 (it already
# ran: it built the tools under test; CI runs the real one before the suite).
source "$SRC/tests/lib.sh"

extract() {  # README → the runnable shell blocks, in order
  awk '
    /^<!-- readme-test: skip -->/ { skip = 1; next }
    /^```sh[[:space:]]*$/ && !inblock { inblock = 1; if (!skip) { n++; print "# ---- README block " n } ; next }
    /^```/ && inblock { inblock = 0; skip = 0; next }
    inblock && !skip { print }
  ' "$1"
}

extract "$SRC/README.md" >readme-blocks.sh
blocks=$(grep -c '^# ---- README block' readme-blocks.sh)
[ "$blocks" -ge 1 ] && pass || fail "README has no runnable sh block"

mkdir -p work/scripts work/build
cp -r "$SRC/templates" work/templates
ln -s "$BIN" work/build/bin
printf '#!/bin/sh\n# stand-in: the real scripts/bootstrap built the tools under test\nexit 0\n' >work/scripts/bootstrap
chmod +x work/scripts/bootstrap

(
  cd work
  export PATH="$BIN:$PATH"
  # -x: the log shows which README command failed.
  bash -euo pipefail -x ../readme-blocks.sh
) >readme.log 2>&1
RC=$?
ERR=$(grep -v '^+' readme.log | tail -5)
if [ "$RC" -ne 0 ]; then
  echo "---- last README commands run:" >&2
  grep '^+' readme.log | tail -3 >&2
fi
expect_rc 0 "README walk-through ($blocks blocks)"

# It did what it says: the files the walk-through promises exist.
for f in root.pem ca.pem dev.pem ldevid.pem dev.png signer.pem dev.ticket.json shipped.ticket.json; do
  expect_file "work/$f" "README output $f"
done
expect_eq "$(ls work/idevids/*.pem 2>/dev/null | wc -l)" "$(($(wc -l <"$SRC/templates/devices.csv") - 1))" "README manifest: one IDevID per row"
finish
