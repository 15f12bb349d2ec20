import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerValue } from '../der/der-value.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readGeneralName, writeGeneralName, type GeneralName } from '../x509/general-name.js';

/**
 * EncKeyWithID, RFC 4211 section 4.2.1 (the content of id-ct-encKeyWithID, used when a private
 * key travels inside CMS EnvelopedData, e.g. for central key generation):
 *
 * ```asn1
 * EncKeyWithID ::= SEQUENCE {
 *   privateKey           PrivateKeyInfo,
 *   identifier CHOICE {
 *     string             UTF8String,
 *     generalName        GeneralName
 *   } OPTIONAL
 * }
 *
 * PrivateKeyInfo ::= SEQUENCE {
 *    version                   INTEGER,
 *    privateKeyAlgorithm       AlgorithmIdentifier,
 *    privateKey                OCTET STRING,
 *    attributes                [0] IMPLICIT Attributes OPTIONAL
 * }
 * ```
 *
 * `privateKey` is kept as the exact DER of the PrivateKeyInfo (PKCS #8 / RFC 5958
 * OneAsymmetricKey), which is what WebCrypto's `importKey('pkcs8', ...)` takes.
 */
export interface EncKeyWithID {
  privateKey: DerValue;
  identifier?: EncKeyWithIDIdentifier;
}

/** The `identifier` CHOICE of {@link EncKeyWithID}. */
export type EncKeyWithIDIdentifier = { type: 'string'; value: string } | { type: 'generalName'; value: GeneralName };

export function readEncKeyWithID(r: DerReader, field: string): EncKeyWithID {
  const s = r.sequence(field);
  const value: EncKeyWithID = { privateKey: { der: s.sequenceElement('privateKey') } };
  if (!s.atEnd()) {
    value.identifier = s.isNext(Tag.UTF8String)
      ? { type: 'string', value: s.utf8String('identifier') }
      : { type: 'generalName', value: readGeneralName(s, 'identifier') };
  }
  s.finish();
  return value;
}

export function writeEncKeyWithID(w: DerWriter, value: EncKeyWithID): void {
  w.sequence((w) => {
    w.raw(value.privateKey.der);
    const id = value.identifier;
    if (id?.type === 'string') w.utf8String(id.value);
    else if (id?.type === 'generalName') writeGeneralName(w, id.value);
  });
}

/** Decodes a DER EncKeyWithID (the decrypted content of an id-ct-encKeyWithID EnvelopedData). */
export function decodeEncKeyWithID(der: Uint8Array, options?: DecodeOptions): EncKeyWithID {
  return decodeWith(der, 'EncKeyWithID', readEncKeyWithID, options);
}

/** Encodes an EncKeyWithID as DER. */
export function encodeEncKeyWithID(value: EncKeyWithID): Uint8Array {
  return encodeWith(value, writeEncKeyWithID, 256);
}
