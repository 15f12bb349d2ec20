import { DerError } from '../errors/der-error.js';
import { decodeBase64, encodeBase64 } from './base64.js';

/** One PEM block: its label (`CERTIFICATE`, `PKIMESSAGE`, ...) and its DER. */
export interface PemBlock {
  label: string;
  der: Uint8Array;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in `text`, in order. Text outside the blocks is ignored. */
export function decodePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const body = (match[2] as string).replace(/^[A-Za-z-]+:.*$/gm, '');
    blocks.push({ label: match[1] as string, der: decodeBase64(body) });
  }
  return blocks;
}

/** The DER of the first PEM block labelled `label`; throws a `DerError` when there is none. */
export function decodePemBlock(text: string, label: string): Uint8Array {
  const block = decodePem(text).find((b) => b.label === label);
  if (!block) throw new DerError('invalidValue', 0, 'PEM', `no PEM block labelled ${label}`);
  return block.der;
}

/** A PEM block with 64-character lines. */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = encodeBase64(der);
  let body = '';
  for (let i = 0; i < b64.length; i += 64) body += `${b64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}
