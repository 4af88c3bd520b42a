#!/usr/bin/env python3
"""Tampered copies of a TCG-CSR-IDEVID, one per field, for tests/tpm/attest_csr.sh.

usage: tcg_csr_tamper.py CSR OUTDIR   writes OUTDIR/<variant>.csr and prints the variant names.

Layout (TCG "TPM 2.0 Keys for Device Identity and Attestation" §13.1, the declared members, all
integers big-endian 4 bytes, as lib/attest documents it):
  TCG_CSR_IDEVID:     structVer contentSz sigSz | content[contentSz] | signature[sigSz]
  TCG_IDEVID_CONTENT: structVer hashAlgoId hashSz, 13 sizes (prodModel prodSerial prodCaData
                      bootEvntLog ekCert attestPub atCreateTkt atCertifyInfo atCertifyInfoSig
                      signingPub sgnCertifyInfo sgnCertifyInfoSig pad), then the 13 fields.
The parse must cover the file exactly; if it does not, exit 2 (the layout changed: fix this file).
Every variant changes the bytes so that a verifier must refuse the CSR (malformed or untrusted).
"""
import os
import struct
import sys

FIELDS = ['prodModel', 'prodSerial', 'prodCaData', 'bootEvntLog', 'ekCert', 'attestPub', 'atCreateTkt',
          'atCertifyInfo', 'atCertifyInfoSig', 'signingPub', 'sgnCertifyInfo', 'sgnCertifyInfoSig', 'pad']


def u32(b, off):
    return struct.unpack('>I', b[off:off + 4])[0]


def parse(b):
    """Offsets: {name: (offset, length)} for every integer and every field."""
    if len(b) < 12:
        raise ValueError('shorter than the TCG_CSR_IDEVID header')
    spans = {'csr.structVer': (0, 4), 'csr.contentSz': (4, 4), 'csr.sigSz': (8, 4)}
    content_sz, sig_sz = u32(b, 4), u32(b, 8)
    if 12 + content_sz + sig_sz != len(b):
        raise ValueError(f'contentSz {content_sz} + sigSz {sig_sz} + 12 != file size {len(b)}')
    c = 12
    spans.update({'content.structVer': (c, 4), 'content.hashAlgoId': (c + 4, 4), 'content.hashSz': (c + 8, 4)})
    off = c + 12
    sizes = []
    for name in FIELDS:
        spans[f'{name}Sz'] = (off, 4)
        sizes.append(u32(b, off))
        off += 4
    for name, n in zip(FIELDS, sizes):
        spans[name] = (off, n)
        off += n
    if off != c + content_sz:
        raise ValueError(f'the fields end at {off}, the content at {c + content_sz}')
    spans['signature'] = (off, sig_sz)
    return spans


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, outdir = sys.argv[1], sys.argv[2]
    b = open(src, 'rb').read()
    try:
        spans = parse(b)
    except ValueError as e:
        print(f'tcg_csr_tamper: {src} does not follow the expected layout: {e}', file=sys.stderr)
        sys.exit(2)
    os.makedirs(outdir, exist_ok=True)
    variants = {}
    for name, (off, n) in spans.items():
        if n == 0:
            continue
        if n == 4 and (name.endswith('Sz') or name.startswith(('csr.', 'content.'))):
            v = u32(b, off)
            for tag, new in (('plus1', v + 1), ('huge', 0xFFFFFFFF), ('minus1', v - 1)):
                if 0 <= new <= 0xFFFFFFFF and new != v:
                    variants[f'{name}-{tag}'] = b[:off] + struct.pack('>I', new) + b[off + 4:]
        else:
            for tag, i in (('first', off), ('middle', off + n // 2), ('last', off + n - 1)):
                variants.setdefault(f'{name}-flip-{tag}', b[:i] + bytes([b[i] ^ 0x01]) + b[i + 1:])
    # SHA-384 named as the signature's digest (with its size): the signature no longer matches.
    h = spans['content.hashAlgoId'][0]
    variants['content.hashAlgo-sha384'] = b[:h] + struct.pack('>II', 0x000C, 48) + b[h + 8:]
    variants['truncated'] = b[:-1]
    variants['trailing-byte'] = b + b'\x00'
    variants['header-only'] = b[:12]
    variants['empty'] = b''
    for name, data in variants.items():
        with open(os.path.join(outdir, name + '.csr'), 'wb') as f:
            f.write(data)
        print(name)


if __name__ == '__main__':
    main()
