// Independent check of a ticket written by our tools (deps.md §5.6): npm `jose` verifies EVERY
// signature (flattenedVerify per signature; generalVerify stops at the first good one) with the
// key from x5c[0]; node:crypto checks that the x5c chain ends at the given root.
// Usage: node verify-ticket.mjs TICKET.json ROOT.pem   → prints the payload JSON, exit 0/1.
import { flattenedVerify, importX509 } from 'jose';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [ticketPath, rootPath] = process.argv.slice(2);
const jws = JSON.parse(readFileSync(ticketPath, 'utf8'));
const root = new X509Certificate(readFileSync(rootPath));
const pem = (b) => `-----BEGIN CERTIFICATE-----\n${b.match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;

const getKey = async (h) => {
  const chain = h.x5c.map((b) => new X509Certificate(Buffer.from(b, 'base64')));
  for (let i = 0; i + 1 < chain.length; i++)
    if (!chain[i].verify(chain[i + 1].publicKey)) throw new Error(`x5c[${i}] not issued by x5c[${i + 1}]`);
  const last = chain.at(-1);
  if (!(last.fingerprint256 === root.fingerprint256 || last.verify(root.publicKey)))
    throw new Error('x5c does not chain to the given root');
  return importX509(pem(h.x5c[0]), h.alg);
};

let payload;
try {
  for (const [i, s] of jws.signatures.entries()) {
    const r = await flattenedVerify({ payload: jws.payload, protected: s.protected, header: s.header, signature: s.signature }, getKey);
    console.error(`signature ${i}: ${r.protectedHeader.alg} ok (${r.protectedHeader.cty})`);
    payload = new TextDecoder().decode(r.payload);
  }
} catch (e) {
  console.error(`jose: ${e.code ?? ''} ${e.message}`);
  process.exit(1);
}
console.log(payload);
