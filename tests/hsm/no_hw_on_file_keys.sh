# A run on file keys loads neither the PKCS#11 module nor the tpm2 provider, even when the
# environment points at them (issue 3: "a tool run on file keys pays nothing for them").
# The dynamic loader's own trace (LD_DEBUG=files) shows what a process opened; the same
# check is made to see the module on a pkcs11: run, so it can fail. (libtss2-esys and libp11
# are linked libraries; the TCTI plugins, module and provider are what costs.)
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
start_hsm mfg
export PKCS11_PIN=$HSM_PIN TPM2OPENSSL_TCTI=swtpm:host=127.0.0.1,port=1

loaded() { LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -Eo 'file=[^ ]*(libsofthsm2|ossl-modules/tpm2|libtss2-tcti-)[^ ]*' | sort -u; }

got=$(loaded "$BIN/create-authority" --profile root-ca --subject "/O=Acme/CN=Root" --key root.key --new-key --out root.pem)
expect_eq "$got" "" "file-key create-authority loads no module/provider/TCTI"
got=$(loaded "$BIN/mint-idevid" --ca-cert root.pem --ca-key root.key --product-instance-uri urn:x:1 --serial-number 1 \
  --device-key dev.key --new-key --out dev.pem)
expect_eq "$got" "" "file-key mint-idevid loads no module/provider/TCTI"
expect_file dev.pem "file-key run worked"

got=$(loaded "$BIN/create-authority" --profile root-ca --subject "/O=Acme/CN=Root" --key "pkcs11:token=mfg;object=r" \
  --new-key --out hsm.pem)
grep -q libsofthsm2 <<<"$got" && pass || fail "the check does not see the module on a pkcs11: run: '$got'"
grep -q tpm2 <<<"$got" && fail "a pkcs11: run loaded the tpm2 provider" || pass
got=$(loaded "$BIN/create-authority" --profile root-ca --subject "/O=Acme/CN=Root" --key "tpm2:handle=0x81000001" --out tpm.pem)
grep -q 'ossl-modules/tpm2' <<<"$got" && pass || fail "the check does not see the provider on a tpm2: run: '$got'"
grep -q libsofthsm2 <<<"$got" && fail "a tpm2: run loaded the PKCS#11 module" || pass
finish
