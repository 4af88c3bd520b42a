#!/usr/bin/env bash
# Make the attest unit-test vectors ONCE from a real swtpm with EK certificates (the files next
# to this script are its output, committed; re-running replaces them with new keys).
#   tests/data/attest/make-vectors.sh
# Needs swtpm, swtpm-tools (swtpm_setup, swtpm_localca) and tpm2-tools. Its own local CA (in a
# temporary directory, not /var/lib/swtpm-localca) signs the EK certificates; its issuercert.pem
# is copied as ek-ca.pem (the --ek-ca anchor). A second swtpm with another local CA gives
# other-ek-ca.pem (an anchor the first TPM's EK does not chain to).
# Keys from the TCG "TPM 2.0 Keys for Device Identity and Attestation" templates (§7.3):
# primary keys in the endorsement hierarchy, P-256/SHA-256.
set -euo pipefail
OUT=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$OUT/../../.." && pwd)
W=$(mktemp -d /tmp/attest-vectors.XXXXXX)
trap '[ -f "$W/tpm/pid" ] && "$SRC/scripts/dev-tpm" stop "$W/tpm"; rm -rf "$W"' EXIT

setup_tpm() {  # setup_tpm STATEDIR CADIR: a TPM 2.0 state with RSA and ECC EKs and EK certificates
  local state=$1 ca=$2
  mkdir -p "$state" "$ca"
  cat >"$ca/localca.conf" <<EOF
statedir = $ca
signingkey = $ca/signkey.pem
issuercert = $ca/issuercert.pem
certserial = $ca/certserial
EOF
  printf -- '--platform-manufacturer Acme\n--platform-version 2.1\n--platform-model X1\n' >"$ca/localca.options"
  cat >"$ca/swtpm_setup.conf" <<EOF
create_certs_tool = /usr/bin/swtpm_localca
create_certs_tool_config = $ca/localca.conf
create_certs_tool_options = $ca/localca.options
active_pcr_banks = sha256
EOF
  swtpm_setup --tpm2 --tpmstate "$state" --create-ek-cert --ecc --overwrite --config "$ca/swtpm_setup.conf" \
    --logfile "$ca/setup.log" >/dev/null
}

flush() { tpm2_flushcontext -t >/dev/null 2>&1 || true; }

setup_tpm "$W/tpm" "$W/ca"
setup_tpm "$W/tpm2" "$W/ca2"
cp "$W/ca/issuercert.pem" "$OUT/ek-ca.pem"
cp "$W/ca2/issuercert.pem" "$OUT/other-ek-ca.pem"

cp "$W/ca/swtpm-localca-rootca-cert.pem" "$OUT/ek-root.pem"

eval "$("$SRC/scripts/dev-tpm" start "$W/tpm")"
cd "$W"
# EK certificates from NV (swtpm_setup: RSA-2048 at 0x01c00002, ECC P-384 at 0x01c00016) and
# the EKs' public areas (TPM2B_PUBLIC) from the persistent EKs swtpm_setup made them for.
tpm2_nvread 0x01c00002 -o "$OUT/ek-rsa.crt.der" 2>/dev/null
tpm2_nvread 0x01c00016 -o "$OUT/ek-ecc.crt.der" 2>/dev/null
tpm2_readpublic -c 0x81010001 -o "$OUT/ek-rsa.pub" -n "$OUT/ek-rsa.name" >/dev/null; flush
tpm2_readpublic -c 0x81010016 -o "$OUT/ek-ecc.pub" -n "$OUT/ek-ecc.name" >/dev/null; flush

primary() {  # primary NAME ATTRIBUTES [ALG [NAMEALG]]: a primary key in the endorsement hierarchy; NAME.pub (TPM2B_PUBLIC), NAME.ctx
  tpm2_createprimary -C e -G "${3:-ecc256:ecdsa-sha256:null}" -g "${4:-sha256}" -a "$2" -c "$1.ctx" -d "$1.chash" -t "$1.ctkt" >/dev/null; flush
  tpm2_readpublic -c "$1.ctx" -o "$OUT/$1.pub" -n "$OUT/$1.name" >/dev/null; flush
  tpm2_readpublic -c "$1.ctx" -f der -o "$OUT/$1.spki.der" >/dev/null; flush
}
primary iak 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign'
primary idevid 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign'
# Keys made outside the templates (bad input): no fixedTPM (nor fixedParent: a primary key cannot have one without the other); decrypt as well as sign.
primary nofixedtpm 'sensitivedataorigin|userwithauth|sign'
primary decrypt 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|decrypt|sign' ecc256:null:null

nonce_hex=$(printf 'attest-vectors-nonce-0123456789ab' | od -An -tx1 | tr -d ' \n')
printf 'attest-vectors-nonce-0123456789ab' >"$OUT/nonce.bin"
# TPM2_Certify of the IDevID by the IAK over the nonce (tpm2_certify 5.4 cannot pass qualifying
# data, so a small ESYS program does it); and one signed by the IDevID itself.
tpm2_evictcontrol -C o -c iak.ctx 0x81010101 >/dev/null; flush
tpm2_evictcontrol -C o -c idevid.ctx 0x81010102 >/dev/null; flush
cat >certify.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>
static void die(const char* what, TSS2_RC rc) { fprintf(stderr, "certify: %s: 0x%x\n", what, rc); exit(1); }
static void put(const char* path, const void* p, size_t n) { FILE* f = fopen(path, "wb"); if (!f || fwrite(p, 1, n, f) != n) exit(1); fclose(f); }
int main(int argc, char** argv) {  /* certify OBJECT-HANDLE SIGNER-HANDLE NONCE-FILE ATTEST-OUT SIG-OUT */
  TSS2_TCTI_CONTEXT* tcti; ESYS_CONTEXT* ctx; TSS2_RC rc;
  if ((rc = Tss2_TctiLdr_Initialize(getenv("TPM2TOOLS_TCTI"), &tcti))) die("tcti", rc);
  if ((rc = Esys_Initialize(&ctx, tcti, NULL))) die("esys", rc);
  ESYS_TR obj, sig;
  if ((rc = Esys_TR_FromTPMPublic(ctx, strtoul(argv[1], 0, 16), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &obj))) die("object", rc);
  if ((rc = Esys_TR_FromTPMPublic(ctx, strtoul(argv[2], 0, 16), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sig))) die("signer", rc);
  TPM2B_DATA nonce = {0};
  FILE* f = fopen(argv[3], "rb"); nonce.size = fread(nonce.buffer, 1, sizeof nonce.buffer, f); fclose(f);
  TPMT_SIG_SCHEME scheme = {.scheme = TPM2_ALG_NULL};
  TPM2B_ATTEST* attest; TPMT_SIGNATURE* signature;
  if ((rc = Esys_Certify(ctx, obj, sig, ESYS_TR_PASSWORD, ESYS_TR_PASSWORD, ESYS_TR_NONE, &nonce, &scheme, &attest, &signature))) die("Esys_Certify", rc);
  put(argv[4], attest->attestationData, attest->size);
  uint8_t buf[sizeof(TPMT_SIGNATURE)]; size_t off = 0;
  if ((rc = Tss2_MU_TPMT_SIGNATURE_Marshal(signature, buf, sizeof buf, &off))) die("marshal", rc);
  put(argv[5], buf, off);
  Esys_Free(attest); Esys_Free(signature); Esys_Finalize(&ctx); Tss2_TctiLdr_Finalize(&tcti);
  return 0;
}
C
gcc -o certify certify.c $(pkg-config --cflags --libs tss2-esys tss2-mu tss2-tctildr)
./certify 0x81010102 0x81010101 "$OUT/nonce.bin" "$OUT/certify.attest" "$OUT/certify.sig"
./certify 0x81010102 0x81010102 "$OUT/nonce.bin" "$OUT/certify-self.attest" "$OUT/certify-self.sig"
flush
# IAKs of the other TCG templates (RSA-2048/SHA-256 RSASSA, P-384/SHA-384) certifying the IDevID.
primary iak-rsa 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign' rsa2048:rsassa-sha256:null
primary iak-p384 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign' ecc384:ecdsa-sha384:null sha384
tpm2_evictcontrol -C o -c iak-rsa.ctx 0x81010103 >/dev/null; flush
tpm2_evictcontrol -C o -c iak-p384.ctx 0x81010104 >/dev/null; flush
./certify 0x81010102 0x81010103 "$OUT/nonce.bin" "$OUT/certify-rsa.attest" "$OUT/certify-rsa.sig"
./certify 0x81010102 0x81010104 "$OUT/nonce.bin" "$OUT/certify-p384.attest" "$OUT/certify-p384.sig"
flush
# TPM2_CertifyCreation of the IAK by itself (the TCG-CSR's atCreateTkt/atCertifyInfo/atCertifyInfoSig).
tpm2_certifycreation -C 0x81010101 -c 0x81010101 -d iak.chash -t iak.ctkt -g sha256 -q "$nonce_hex" \
  -o "$OUT/iak-creation.sig" --attestation "$OUT/iak-creation.attest" >/dev/null; flush
cp iak.ctkt "$OUT/iak-creation.tkt"

# A TCG-CSR-IDEVID (TCG §13.1) built here independently of lib/attest (a cross-check of its
# encoder and decoder), signed in the TPM by the IDevID key (ECDSA-SHA256, DER).
python3 - "$OUT" <<'PY'
import struct, sys, os
out = sys.argv[1]
rd = lambda n: open(os.path.join(out, n), 'rb').read()
tpmt = lambda b: b[2:]  # TPM2B_PUBLIC -> TPMT_PUBLIC
fields = [b'X1', b'0001', b'', b'', rd('ek-rsa.crt.der'), tpmt(rd('iak.pub')), rd('iak-creation.tkt'),
          rd('iak-creation.attest'), rd('iak-creation.sig'), tpmt(rd('idevid.pub')), rd('certify.attest'),
          rd('certify.sig'), b'']
content = struct.pack('>III', 0x100, 0x000B, 32) + b''.join(struct.pack('>I', len(f)) for f in fields) + b''.join(fields)
open(os.path.join(out, 'tcg-csr.content'), 'wb').write(content)
PY
tpm2_sign -c 0x81010102 -g sha256 -f plain -o tcg-csr.sig "$OUT/tcg-csr.content" >/dev/null; flush
python3 - "$OUT" "$W/tcg-csr.sig" <<'PY'
import struct, sys, os
out = sys.argv[1]
content = open(os.path.join(out, 'tcg-csr.content'), 'rb').read()
sig = open(sys.argv[2], 'rb').read()
open(os.path.join(out, 'tcg-csr.bin'), 'wb').write(struct.pack('>III', 0x100, len(content), len(sig)) + content + sig)
os.remove(os.path.join(out, 'tcg-csr.content'))
PY
"$SRC/scripts/dev-tpm" stop "$W/tpm"
echo "vectors written to $OUT"
