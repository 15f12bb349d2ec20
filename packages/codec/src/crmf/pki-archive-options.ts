import type { DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { readEncryptedKey, writeEncryptedKey, type EncryptedKey } from './encrypted-key.js';

/**
 * PKIArchiveOptions, RFC 4211 section 6.4 (IMPLICIT tags; EncryptedKey is a CHOICE, so `[0]` is
 * explicit):
 *
 * ```asn1
 * PKIArchiveOptions ::= CHOICE {
 *     encryptedPrivKey     [0] EncryptedKey,
 *     keyGenParameters     [1] KeyGenParameters,   -- OCTET STRING
 *     archiveRemGenPrivKey [2] BOOLEAN }
 * ```
 */
export type PKIArchiveOptions =
  | { type: 'encryptedPrivKey'; value: EncryptedKey }
  | { type: 'keyGenParameters'; value: Uint8Array }
  | { type: 'archiveRemGenPrivKey'; value: boolean };

export function readPKIArchiveOptions(r: DerReader, field: string): PKIArchiveOptions {
  switch (r.peekTag()) {
    case 0xa0: {
      const e = r.explicit(0, field);
      const value = readEncryptedKey(e, 'encryptedPrivKey');
      e.finish();
      return { type: 'encryptedPrivKey', value };
    }
    case 0x81:
      return { type: 'keyGenParameters', value: r.octetString(field, 0x81) };
    case 0x82:
      return { type: 'archiveRemGenPrivKey', value: r.boolean(field, 0x82) };
    default:
      return r.fail('unexpectedTag', r.pos, 'not a PKIArchiveOptions alternative', field);
  }
}

export function writePKIArchiveOptions(w: DerWriter, options: PKIArchiveOptions): void {
  switch (options.type) {
    case 'encryptedPrivKey': {
      const key = options.value;
      w.explicit(0, (w) => writeEncryptedKey(w, key));
      return;
    }
    case 'keyGenParameters':
      w.octetString(options.value, 0x81);
      return;
    case 'archiveRemGenPrivKey':
      w.boolean(options.value, 0x82);
      return;
  }
}
