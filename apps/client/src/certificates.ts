import { readFile, writeFile } from 'node:fs/promises';
import { decodePem, encodePem } from '@cmpkit/codec';

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
