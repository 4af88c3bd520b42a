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
grep -q "exit 12 (12: revoked)" demo.log && pass || fail "demo: revoked ticket signer gives exit 12"
grep -q "revoked on .*, reason keyCompromise" demo.log && pass || fail "demo: the revocation reason is shown"
grep -q "exit 0: the shipped ticket is still valid" demo.log && pass || fail "demo: countersigned ticket stays valid"
grep -q "verify OK" demo.log && pass || fail "demo: openssl verifies the CRL"
expect_file "$T/demo/pki.acme.example/device-ca.crl" "demo: the CRL where the signer's --crl-url points"
grep -q "timestamped at .* by .*Dev Time-Stamping Unit" demo.log && pass || fail "demo: time-stamp honoured with --tsa-anchor"
grep -q "exit 0 (0: the signature was made, and time-stamped" demo.log && pass || fail "demo: time-stamped ticket valid in 2029"
grep -q '>VALID<' "$T/demo/audit.html" && grep -q 'Device match' "$T/demo/audit.html" && pass ||
  fail "demo: audit page for the shipped ticket"
expect_eq "$(ls "$T/demo/shipped" | wc -l)" 4 "demo: shipped tickets"
expect_eq "$(ls "$T/demo/labels"/*.png | wc -l)" 5 "demo: labels"
pgrep -f "swtpm socket.*$T/demo" >/dev/null && fail "demo left swtpm running" || pass
[ -f "$T/demo/tsa/pid" ] && fail "demo left the dev TSA running" || pass
finish
