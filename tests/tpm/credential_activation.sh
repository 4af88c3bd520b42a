# Software MakeCredential (lib/attest, TPM 2.0 Part 1 §24) against a real TPM: a challenge made
# by attest::make_credential for an EK and an IAK of swtpm, opened by TPM2_ActivateCredential
# (tpm2_activatecredential), gives back the secret; for the RSA EK and the ECC EKs. A challenge
# bound to another key's Name does not open. The challenge is written by the attest_test case
# ActivationOnSwtpm.WritesChallenge (skipped in the unit run).
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
start_tpm
[ -x "$BIN/attest_test" ] || { echo "SKIP: attest_test not built"; exit 77; }
flush() { tpm2_flushcontext -t >/dev/null 2>&1 || true; }

challenge() {  # challenge NAME-FILE: cred.bin and secret.bin in $T for ek.pub and NAME-FILE
  cp "$1" key.name
  ATTEST_ACTIVATION_DIR=$T "$BIN/attest_test" --gtest_filter=ActivationOnSwtpm.WritesChallenge >challenge.log 2>&1 ||
    { cat challenge.log >&2; fail "make_credential for $1"; return 1; }
}
activate() {  # activate: TPM2_ActivateCredential of cred.bin with iak.ctx under ek.ctx → out.bin
  rm -f out.bin
  tpm2_startauthsession --policy-session -S session.ctx >/dev/null 2>&1 &&
    tpm2_policysecret -S session.ctx -c e >/dev/null 2>&1 &&
    tpm2_activatecredential -c iak.ctx -C ek.ctx -i cred.bin -o out.bin -P session:session.ctx >activate.log 2>&1
  local rc=$?
  tpm2_flushcontext session.ctx >/dev/null 2>&1; flush
  return $rc
}

tpm2_createprimary -C e -G ecc256:ecdsa-sha256:null -g sha256 \
  -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign' -c iak.ctx >/dev/null; flush
tpm2_readpublic -c iak.ctx -n iak.name >/dev/null; flush
tpm2_createprimary -C e -G ecc256:ecdsa-sha256:null -g sha256 \
  -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign' -c idevid.ctx >/dev/null; flush
tpm2_readpublic -c idevid.ctx -n idevid.name >/dev/null; flush

for alg in rsa2048 ecc256 ecc384; do
  tpm2_createek -c ek.ctx -G "$alg" -u ek.pub >/dev/null 2>&1 || { fail "tpm2_createek -G $alg"; continue; }
  flush
  challenge iak.name || continue
  if activate; then
    cmp -s out.bin secret.bin && pass || fail "$alg EK: activation gave another secret"
  else
    fail "$alg EK: TPM2_ActivateCredential refused our challenge: $(cat activate.log)"
  fi
  # Bound to the IDevID's Name, the challenge does not open with the IAK.
  challenge idevid.name || continue
  if activate; then fail "$alg EK: a challenge for another Name opened"; else pass; fi
  tpm2_flushcontext ek.ctx >/dev/null 2>&1; flush
done
finish
