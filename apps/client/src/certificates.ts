import { readFile, writeFile } from 'node:fs/promises';
import { decodePem, encodePem } from '@cmpkit/codec';
import { nameEqual, parseCertificate } from '@cmpkit/protection';

/** Every certificate in a PEM or DER file (several PEM blocks allowed). */
export async function readCertificates(path: string): Promise<Uint8Array[]> {
  const bytes = new Uint8Array(await readFile(path));
  if (bytes[0] === 0x30) return [bytes];
  const blocks = decodePem(new TextDecoder().decode(bytes)).filter((b) => b.label === 'CERTIFICATE');
  if (blocks.length === 0) throw new Error(`${path} holds no certificate`);
  return blocks.map((b) => b.der);
}

/** The first certificate of a file. */
export async function readCertificate(path: string): Promise<Uint8Array> {
  const [first] = await readCertificates(path);
  return first as Uint8Array;
}

/** Writes certificates as concatenated PEM. */
export async function writeCertificates(path: string, certificates: readonly Uint8Array[]): Promise<void> {
  await writeFile(path, certificates.map((der) => encodePem('CERTIFICATE', der)).join(''));
}

/**
 * The issuers of `certificate` found in `pool`, issuer first, up to but not including a
 * self-signed root: the chain a signer sends in extraCerts (RFC 9483 section 3.3), built from
 * `--untrusted` as openssl cmp builds it.
 */
export function issuerChainOf(certificate: Uint8Array, pool: readonly Uint8Array[]): Uint8Array[] {
  const candidates = pool.map((der) => ({ der, parsed: parseCertificate(der) }));
  const chain: Uint8Array[] = [];
  let current = parseCertificate(certificate);
  while (!nameEqual(current.issuer, current.subject) && chain.length < candidates.length) {
    const next = candidates.find((c) => nameEqual(c.parsed.subject, current.issuer) && !chain.includes(c.der));
    if (!next || nameEqual(next.parsed.subject, next.parsed.issuer)) break;
    chain.push(next.der);
    current = next.parsed;
  }
  return chain;
}
