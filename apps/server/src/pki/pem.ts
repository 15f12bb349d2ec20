import { decodePem, encodePem } from '@cmpkit/codec';

/** PEM text of certificates (`CERTIFICATE` blocks), one after the other. */
export function certificatesPem(certificates: readonly Uint8Array[]): string {
  return certificates.map((der) => encodePem('CERTIFICATE', der)).join('');
}

/** The DER of every block with `label` in a PEM text. */
export function pemBlocks(text: string, label: string): Uint8Array[] {
  return decodePem(text)
    .filter((b) => b.label === label)
    .map((b) => b.der);
}
