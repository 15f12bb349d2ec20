import { decodeBase64, decodePem, decodePKIMessage, type DecodedPKIMessage } from '@cmpkit/codec';
import { FileError, readInputFile } from './files.js';

/**
 * The DER bytes of the file `path` that `option` names, holding one DER object, a PEM block (any
 * label) or base64 text; a file that is none of them is refused naming it.
 */
export async function readDerFile(option: string, path: string): Promise<Uint8Array> {
  const bytes = await readInputFile(option, path);
  try {
    return derFromBytes(bytes);
  } catch (error) {
    throw new FileError(path, `${option} ${path}: neither DER, PEM nor base64 (${(error as Error).message})`, { cause: error });
  }
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

/** The PKIMessage in the file `path` (its DER); a file that holds none is refused naming it. */
export function decodeMessageFile(path: string, der: Uint8Array): DecodedPKIMessage {
  try {
    return decodePKIMessage(der);
  } catch (error) {
    throw new FileError(path, `${path}: not a PKIMessage: ${(error as Error).message}`, { cause: error });
  }
}
