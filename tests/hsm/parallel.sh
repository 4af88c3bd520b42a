# Four processes signing at the same time with keys on the same SoftHSM2 token all succeed.
source "$SRC/tests/lib.sh"
source "$SRC/tests/hw.sh"
start_hsm mfg
export PKCS11_PIN=$HSM_PIN

run create-authority --profile root-ca --subject "/O=Acme/CN=Root" --new-key --key "pkcs11:token=mfg;object=root" --out root.pem
expect_rc 0 "root in the token"
for p in 1 2 3 4; do
  run create-authority --profile issuing-ca --subject "/O=Acme/CN=CA $p" --new-key --key "pkcs11:token=mfg;object=ca$p" \
    --issuer-cert root.pem --issuer-key "pkcs11:token=mfg;object=root" --out "ca$p.pem"
  expect_rc 0 "issuing CA $p in the token"
done

# One device key, many CSR-less rows: each process issues 40 certificates with its own CA key.
"$BIN/create-authority" --profile root-ca --subject /CN=dev --key dev.key --new-key --out "$T/discard.pem" --force >/dev/null 2>&1
for p in 1 2 3 4; do
  printf 'id,product_instance_uri,serial_number\n' >"m$p.csv"
  for i in $(seq 40); do printf 'p%s-%s,urn:example:acme:p%s:%s,%s-%s\n' $p $i $p $i $p $i >>"m$p.csv"; done
done
pids=()
for p in 1 2 3 4; do
  "$BIN/mint-idevid" --manifest "m$p.csv" --out-dir "out$p" --ca-cert "ca$p.pem" --ca-key "pkcs11:token=mfg;object=ca$p" \
    --device-key-template file:dev.key >"r$p.jsonl" 2>"e$p.txt" &
  pids+=($!)
done
for p in 1 2 3 4; do
  wait "${pids[$((p - 1))]}"; rc=$?
  expect_eq "$rc" 0 "process $p exit status ($(cat "e$p.txt"))"
  n=$(grep -c '"status":"ok"' "r$p.jsonl")
  expect_eq "$n" 40 "process $p issued 40 certificates"
  bad=0
  for f in "out$p"/*.pem; do
    openssl verify -CAfile root.pem -untrusted "ca$p.pem" "$f" >/dev/null 2>&1 || bad=$((bad + 1))
  done
  expect_eq "$bad" 0 "process $p: every certificate verifies"
done
# And four single signers in parallel with the SAME key.
pids=()
for p in 1 2 3 4; do
  "$BIN/create-authority" --profile ticket-signer --subject "/O=Acme/CN=Signer $p" --key "s$p.key" --new-key \
    --issuer-cert root.pem --issuer-key "pkcs11:token=mfg;object=root" --out "s$p.pem" >/dev/null 2>"se$p.txt" &
  pids+=($!)
done
for p in 1 2 3 4; do
  wait "${pids[$((p - 1))]}" && pass || fail "same-key signer $p: $(cat "se$p.txt")"
  openssl verify -CAfile root.pem "s$p.pem" >/dev/null 2>&1 && pass || fail "s$p.pem verifies"
done
finish
