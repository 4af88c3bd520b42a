# Issue 10: a batch re-run that meets a file it did not make says what the file is, and does not
# invite --force when the file is a valid certificate of another CA.
source "$SRC/tests/lib.sh"
make_pki
"$BIN/create-authority" --profile root-ca --subject "/O=Other/CN=Other Root" --key other.key --new-key --out other.pem >/dev/null
printf 'product_instance_uri,serial_number\nurn:acme.example:x1:1,1\n' >m.csv
mkdir out
# out/1.pem: a certificate of the same device URI, but issued by another CA.
run mint-idevid --ca-cert other.pem --ca-key other.key --product-instance-uri urn:acme.example:x1:1 --serial-number 1 \
  --device-key k1.key --new-key --out out/1.pem
expect_rc 0 "a certificate from another CA"
before=$(sha256sum out/1.pem)
run mint-idevid --manifest m.csv --out-dir out --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:keys/{serial_number}.key' --new-key
expect_rc 5 "batch meets another CA's certificate"
grep -q "issued by O=Other,CN=Other Root, not by --ca-cert" <<<"$ERR" && pass || fail "names the other issuer: $ERR"
grep -q -- "--force" <<<"$ERR" && fail "invites --force for a valid certificate: $ERR" || pass
expect_eq "$(sha256sum out/1.pem)" "$before" "the other CA's certificate is untouched"
expect_no_file keys/1.key "no key left behind for the row"
# A file that is not a certificate at all: --force is the way out, and says so.
printf 'junk\n' >out/1.pem
run mint-idevid --manifest m.csv --out-dir out --ca-cert ca.pem --ca-key ca.key --device-key-template 'file:keys/{serial_number}.key' --new-key
expect_rc 5 "batch meets a file that is not a certificate"
expect_err "exists and is not a certificate \(remove it, or --force to replace it\)" "junk file"
finish
