#!/usr/bin/env bash
# The conformance vectors (SPEC §13.8, tests/vectors/README.md): every case through verify-ticket,
# exit code, verdict and each signature's outcome compared with its expected.json.
source "$SRC/tests/lib.sh"
V="$SRC/tests/vectors"
n=$(find "$V" -mindepth 2 -maxdepth 2 -name expected.json | wc -l)
[ "$n" -ge 40 ] && pass || fail "at least 40 vectors, found $n"
for d in "$V"/*/; do
  for f in ticket.json expected.json; do [ -s "$d$f" ] || fail "$(basename "$d"): $f missing"; done
done
if python3 "$V/run_vectors.py" "$BIN/verify-ticket" "$V" >run.out 2>run.err; then pass; else fail "vectors: $(cat run.err)"; fi
grep -q "^$n vectors, [0-9]* checks, 0 failed" run.out && pass || fail "runner summary: $(cat run.out)"
# The runner is not vacuous: a vector with a wrong expectation is reported.
cp -r "$V/valid-single" "$V/expired" .
sed -i 's/"exit_code": 0/"exit_code": 11/' valid-single/expected.json
python3 "$V/run_vectors.py" "$BIN/verify-ticket" . >wrong.out 2>wrong.err
expect_rc_val=$?
expect_eq "$expect_rc_val" "1" "a wrong expectation fails the run"
grep -q "FAIL valid-single: exit code 0, expected 11" wrong.err && pass || fail "names the mismatch: $(cat wrong.err)"
grep -q "FAIL expired" wrong.err && fail "a correct vector reported" || pass
finish
