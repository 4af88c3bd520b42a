# SPEC §13.1 through the real tools: `--out -`, a directory (exit 5), a character device and a
# FIFO written into and never replaced (with --force too), a symlink followed.
source "$SRC/tests/lib.sh"
make_pki

mint() {  # mint OUT [ARGS...]
  local out=$1; shift
  run mint-idevid --ca-cert ca.pem --ca-key ca.key --product-instance-uri urn:example:acme:x1:1 --serial-number 1 \
    --device-key dev.key --out "$out" "$@"
}
"$BIN/create-authority" --profile root-ca --subject /CN=dev --key dev.key --new-key --out dev-root.pem >/dev/null 2>&1

# --out -: the certificate on stdout.
mint -
expect_rc 0 "--out -"
expect_out "BEGIN CERTIFICATE" "--out - prints the PEM"

# A directory: exit 5, with and without --force, and it stays a directory.
mkdir outdir
mint outdir
expect_rc 5 "--out naming a directory"
expect_err "is a directory" "--out naming a directory"
mint outdir --force
expect_rc 5 "--out naming a directory with --force"
[ -d outdir ] && pass || fail "the directory is untouched"
expect_eq "$(ls -A outdir | wc -l)" 0 "nothing written into the directory"

# A character device with --force: written into, still a device (as root, `--out /dev/null
# --force` used to replace /dev/null with a regular file). Our own null device, not the machine's.
if mknod null c 1 3 2>/dev/null; then
  run create-authority --profile root-ca --subject /CN=x --key x.key --new-key --out null --force
  expect_rc 0 "--out DEVICE --force"
  [ -c null ] && pass || fail "the device is still a character device"
  run create-authority --profile root-ca --subject /CN=y --key y.key --new-key --out null
  expect_rc 0 "--out DEVICE without --force (not a regular file: written into)"
else
  echo "note: mknod not permitted; device case left out"
fi

# A FIFO: the certificate arrives through it; the FIFO stays.
mkfifo spool
cat spool >from-fifo.pem &
reader=$!
mint spool --force
expect_rc 0 "--out FIFO"
wait "$reader"
openssl x509 -in from-fifo.pem -noout 2>/dev/null && pass || fail "the FIFO carried a certificate"
[ -p spool ] && pass || fail "the FIFO is still a FIFO"

# A symlink: followed; its target replaced atomically with --force, the link kept.
mkdir real
mint real/dev.pem
expect_rc 0 "first certificate"
ln -s real/dev.pem link.pem
before=$(openssl x509 -in real/dev.pem -noout -serial)
mint link.pem
expect_rc 5 "a symlink to an existing certificate without --force"
mint link.pem --force
expect_rc 0 "a symlink with --force"
[ -L link.pem ] && pass || fail "the symlink is still a symlink"
after=$(openssl x509 -in real/dev.pem -noout -serial)
[ "$before" != "$after" ] && pass || fail "the symlink's target was replaced"
expect_no_temp real "symlink target directory"
finish
