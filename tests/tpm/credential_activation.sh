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
activate() {  # activate HASH: TPM2_ActivateCredential of cred.bin with iak.ctx under ek.ctx → out.bin
  rm -f out.bin
  # The EK's policy (PolicySecret endorsement) is computed with the EK's nameAlg.
  tpm2_startauthsession --policy-session -g "$1" -S session.ctx >/dev/null 2>&1 &&
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
  hash=sha256; [ "$alg" = ecc384 ] && hash=sha384
  if [ "$alg" = ecc384 ]; then
    # tpm2_createek's P-384 template carries a PolicyOR policy; an EK-like key (restricted decrypt,
    # AES-256-CFB, SHA-384) under PolicySecret(endorsement) alone is enough to test KDFe on P-384.
    tpm2_startauthsession -g sha384 -S trial.ctx >/dev/null && tpm2_policysecret -S trial.ctx -c e -L policy384.bin >/dev/null &&
      tpm2_flushcontext trial.ctx >/dev/null &&
      tpm2_createprimary -C e -G ecc384:aes256cfb -g sha384 -L policy384.bin \
        -a 'fixedtpm|fixedparent|sensitivedataorigin|adminwithpolicy|restricted|decrypt' -c ek.ctx >/dev/null 2>&1 &&
      tpm2_readpublic -c ek.ctx -o ek.pub >/dev/null 2>&1 || { fail "P-384 EK"; flush; continue; }
  else
    tpm2_createek -c ek.ctx -G "$alg" -u ek.pub >/dev/null 2>&1 || { fail "tpm2_createek -G $alg"; continue; }
  fi
  flush
  challenge iak.name || continue
  if activate $hash; then
    cmp -s out.bin secret.bin && pass || fail "$alg EK: activation gave another secret"
  else
    fail "$alg EK: TPM2_ActivateCredential refused our challenge: $(cat activate.log)"
  fi
  # Bound to the IDevID's Name, the challenge does not open with the IAK.
  challenge idevid.name || continue
  if activate $hash; then fail "$alg EK: a challenge for another Name opened"; else pass; fi
  tpm2_flushcontext ek.ctx >/dev/null 2>&1; flush
done
finish
