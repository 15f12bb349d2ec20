import { readFile } from 'node:fs/promises';
import { decodeBase64, decodePem } from '@cmpkit/codec';

/**
 * The DER bytes of a file holding one DER object, a PEM block (any label) or base64 text.
 */
export async function readDerFile(path: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(path));
  return derFromBytes(bytes);
}

/** Interprets file contents as DER, PEM or base64 (in that order of likelihood). */
export function derFromBytes(bytes: Uint8Array): Uint8Array {
  if (bytes[0] === 0x30) return bytes;
  const text = new TextDecoder().decode(bytes);
  if (text.includes('-----BEGIN ')) {
    const [block] = decodePem(text);
    if (block) return block.der;
  }
  return decodeBase64(text);
}
