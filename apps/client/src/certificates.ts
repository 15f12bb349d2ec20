import { decodePem, encodePem } from '@cmpkit/codec';
import { nameEqual, parseCertificate } from '@cmpkit/protection';
import { FileError, readInputFile, writeOutputFile } from './files.js';

/**
 * Every certificate in the file `path` that `option` names: PEM (several CERTIFICATE blocks
 * allowed) or one DER certificate. A file that holds none, or something else, is refused naming it.
 */
export async function readCertificates(option: string, path: string): Promise<Uint8Array[]> {
  const bytes = await readInputFile(option, path);
  const certificates =
    bytes[0] === 0x30
      ? [bytes]
      : decodePem(new TextDecoder().decode(bytes))
          .filter((b) => b.label === 'CERTIFICATE')
          .map((b) => b.der);
  if (certificates.length === 0)
    throw new FileError(path, `${option} ${path}: no certificate in it (PEM CERTIFICATE blocks or DER expected)`);
  certificates.forEach((der, i) => {
    try {
      parseCertificate(der);
    } catch (error) {
      const which = certificates.length > 1 ? ` (certificate ${i + 1})` : '';
      throw new FileError(path, `${option} ${path}${which}: not a certificate: ${(error as Error).message}`, { cause: error });
    }
  });
  return certificates;
}

/** The first certificate of a file (see {@link readCertificates}). */
export async function readCertificate(option: string, path: string): Promise<Uint8Array> {
  const [first] = await readCertificates(option, path);
  return first as Uint8Array;
}

/** Writes certificates as concatenated PEM to the file `option` names. */
export async function writeCertificates(option: string, path: string, certificates: readonly Uint8Array[]): Promise<void> {
  await writeOutputFile(option, path, certificates.map((der) => encodePem('CERTIFICATE', der)).join(''));
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
