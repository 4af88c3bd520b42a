#!/usr/bin/env python3
"""Run every conformance vector through a verifier and compare with expected.json.

Usage: run_vectors.py VERIFY-TICKET [VECTORS-DIR]
VERIFY-TICKET is ua-onboard's verify-ticket or anything with the same command line and --json
output (see README.md, "Running them with another verifier"). Exit status 0 when every case
matches; one line per mismatch on stderr."""
import json, os, subprocess, sys

verifier = os.path.abspath(sys.argv[1])
root = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__)))
failures = checks = 0
cases = sorted(d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, "expected.json")))


def bad(case, what):
    global failures
    failures += 1
    print("FAIL %s: %s" % (case, what), file=sys.stderr)


for case in cases:
    d = os.path.join(root, case)
    with open(os.path.join(d, "expected.json")) as f:
        exp = json.load(f)
    argv = [verifier, "ticket.json", "--json", "--at", exp["evaluation_time"]] + exp["trust"] + exp["arguments"]
    r = subprocess.run(argv, cwd=d, capture_output=True)
    checks += 1
    if r.returncode != exp["exit_code"]:
        bad(case, "exit code %d, expected %d: %s" % (r.returncode, exp["exit_code"], r.stderr.decode().strip()))
        continue
    lines = r.stdout.decode().splitlines()
    if not lines:
        if exp["signatures"] or exp["valid"]:
            bad(case, "no --json report")
        continue
    got = json.loads(lines[0])
    checks += 1
    if got.get("valid") != exp["valid"]:
        bad(case, "valid %s, expected %s" % (got.get("valid"), exp["valid"]))
    gs = got.get("signatures", [])
    if exp["signatures"] and len(gs) != len(exp["signatures"]):
        bad(case, "%d signatures reported, %d expected" % (len(gs), len(exp["signatures"])))
        continue
    for s in exp["signatures"]:
        g = gs[s["index"]]
        checks += 1
        if g.get("accepted") != s["accepted"]:
            bad(case, "signature %d accepted=%s, expected %s (%s)" % (s["index"], g.get("accepted"), s["accepted"], g.get("reason")))
        if s.get("failed_check"):
            checks += 1
            if g.get(s["failed_check"], {}).get("result") != "fail":
                bad(case, "signature %d: the %s check did not fail" % (s["index"], s["failed_check"]))
        if "revocation" in s:
            checks += 1
            if g.get("revocation", {}).get("status") != s["revocation"]:
                bad(case, "signature %d revocation %s, expected %s" % (s["index"], g.get("revocation", {}).get("status"), s["revocation"]))
        if "opc_uri" in s:
            checks += 1
            if g.get("opc_uri") != s["opc_uri"]:
                bad(case, "signature %d opc-uri %s, expected %s" % (s["index"], g.get("opc_uri"), s["opc_uri"]))

print("%d vectors, %d checks, %d failed" % (len(cases), checks, failures))
sys.exit(1 if failures or not cases else 0)
