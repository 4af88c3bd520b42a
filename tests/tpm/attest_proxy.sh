# TPM-attested IDevIDs (issue 13) against a misbehaving TPM, made with tests/tpm_proxy.py in front
# of a real swtpm: the TPM going away mid-enrollment (at TPM2_ActivateCredential, at TPM2_Certify,
# and after every few commands of a whole enrollment) exits 4 with nothing minted and, after the
# swtpm is restarted, no persistent handle at --iak-handle or the device handle; a TPM that
# replays a TPM2_Certify recorded in an earlier session ("certify over the wrong nonce") exits 10.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
source "$SRC/tests/tpm/attest.bash"

make_pki
make_ek_ca
ek_tpm real ekca.pem,ekca.key
CA=(--ca-cert ca.pem --ca-key ca.key --ca-chain root.pem --model X1)
# enroll TCTI DEV-HANDLE IAK-HANDLE OUT [ARGS...]
enroll() {
  local tcti=$1 dev=$2 iak=$3 out=$4; shift 4
  run mint-idevid "${CA[@]}" --tcti "$tcti" --product-instance-uri "urn:example:acme:x1:$out" --serial-number "$out" \
    --device-key tpm2:handle=$dev --new-key --attest --ek-ca ekca.pem --iak-handle $iak \
    --iak-out "$out-iak.pem" --tcg-csr-out "$out.csr" --out "$out.pem" "$@"
}
expect_nothing_minted() {  # expect_nothing_minted OUT DESCRIPTION
  local f
  for f in "$1.pem" "$1-iak.pem" "$1.csr"; do expect_no_file "$f" "$2: nothing written"; done
  expect_no_temp . "$2"
}

# --- Through the proxy, untouched: the enrollment works (and TPM2_Certify's response is kept) ---
start_proxy real --record certify.rsp
enroll "$PROXY_TCTI" 0x81020000 0x81020001 first --json
expect_rc 0 "attested enrollment through the proxy"
expect_file certify.rsp "the proxy recorded TPM2_Certify's response"
grep -q ' ActivateCredential rc=0x0' "$PROXY_LOG" && pass || fail "the enrollment ran TPM2_ActivateCredential: $(cat "$PROXY_LOG")"
grep -q ' Certify rc=0x0 recorded' "$PROXY_LOG" && pass || fail "the enrollment ran TPM2_Certify: $(cat "$PROXY_LOG")"
# where the first key is made persistent (TPM2_EvictControl): every proof comes before it
first_evict=$(grep -n ' EvictControl ' "$PROXY_LOG" | head -1 | cut -d: -f1)
[ -n "$first_evict" ] && pass || fail "no TPM2_EvictControl in the enrollment: $(cat "$PROXY_LOG")"
stop_proxy

# --- A replaying TPM: TPM2_Certify answered with the earlier session's response -----------------
start_proxy real --replay certify.rsp
enroll "$PROXY_TCTI" 0x81020002 0x81020003 replay --json
expect_rc 10 "a TPM2_Certify replayed from an earlier session (wrong nonce) is refused"
expect_err 'nonce|certif' "replayed certify: the error names the failed check"
grep -q ' Certify rc=0x0 replayed' "$PROXY_LOG" && pass || fail "the proxy replayed TPM2_Certify: $(cat "$PROXY_LOG")"
expect_nothing_minted replay "replayed certify"
stop_proxy
expect_handles_free real "replayed certify" 0x81020002 0x81020003
# Replayed byte for byte (the stale session area too): the TSS refuses the response's HMAC before
# any check sees it; refused all the same (10, or 4 when reported as a TPM failure), nothing minted.
start_proxy real --replay certify.rsp --replay-verbatim
enroll "$PROXY_TCTI" 0x81020002 0x81020003 verbatim
case $RC in 4|10) pass ;; *) fail "a verbatim replayed TPM2_Certify: exit $RC, expected 10 or 4 ($ERR)" ;; esac
expect_err '^mint-idevid: error: ' "verbatim replay: one error line"
expect_nothing_minted verbatim "verbatim replay"
stop_proxy
restart_tpm real
expect_handles_free real "verbatim replay" 0x81020002 0x81020003
expect_handles_used real "the first enrollment's keys stay" 0x81020000 0x81020001

# --- The TPM goes away mid-enrollment ----------------------------------------------------------
# cut_case DESCRIPTION PROXY-ARGS...: exit 4, nothing minted; after a restart of the swtpm (the
# transient objects of the dead session go with it) no handle is persistent at the two handles.
cut_case() {
  local what=$1; shift
  start_proxy real "$@"
  enroll "$PROXY_TCTI" 0x81020004 0x81020005 cut
  expect_rc 4 "TPM gone $what"
  expect_err '^mint-idevid: error: ' "TPM gone $what: one error line"
  grep -q ' cut$' "$PROXY_LOG" && pass || fail "TPM gone $what: the proxy never cut: $(cat "$PROXY_LOG")"
  expect_nothing_minted cut "TPM gone $what"
  stop_proxy
  restart_tpm real
  expect_handles_free real "TPM gone $what, after a restart" 0x81020004 0x81020005
}
cut_case "at TPM2_ActivateCredential" --cut-at ActivateCredential
cut_case "at TPM2_Certify" --cut-at Certify
# ... and at every few commands of a whole enrollment up to the first TPM2_EvictControl (a TPM
# gone after it cannot be told to evict what was made persistent: nobody can clean that up).
n=1
while [ "$n" -lt "${first_evict:-1}" ]; do
  cut_case "after $n commands" --cut-after "$n"
  n=$((n + 7))
done

# The TPM still works after all that: the same handles enroll fine.
enroll "$TCTI_real" 0x81020004 0x81020005 after
expect_rc 0 "enrollment on the restarted TPM"
openssl verify -CAfile root.pem -untrusted ca.pem after.pem >/dev/null 2>&1 && pass || fail "openssl verify after.pem"

finish
