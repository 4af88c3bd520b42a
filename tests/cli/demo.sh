# The README's first command must keep working: run scripts/demo end to end (SoftHSM2 + swtpm)
# on the built tools and check what it promises.
source "$SRC/tests/lib.sh"
ONBOARD_DEMO_NO_BOOTSTRAP=1 bash "$SRC/scripts/demo" "$T/demo" >demo.log 2>&1
RC=$?
ERR=$(tail -5 demo.log)
expect_rc 0 "scripts/demo"
grep -q "exit 0: valid through the distributor" demo.log && pass || fail "demo: ticket valid through the countersignature"
grep -q "exit 13" demo.log && pass || fail "demo: IDevID partial match"
grep -q "exit 11" demo.log && pass || fail "demo: manufacturer-only ticket expired"
grep -q '>VALID<' "$T/demo/audit.html" && grep -q 'Device match' "$T/demo/audit.html" && pass ||
  fail "demo: audit page for the shipped ticket"
expect_eq "$(ls "$T/demo/shipped" | wc -l)" 4 "demo: shipped tickets"
expect_eq "$(ls "$T/demo/labels"/*.png | wc -l)" 5 "demo: labels"
pgrep -f "swtpm socket.*$T/demo" >/dev/null && fail "demo left swtpm running" || pass
finish
