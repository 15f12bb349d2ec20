import { encodeWith } from '../der/codec.js';
import type { DerReader } from '../der/reader.js';
import type { DerValue } from '../der/der-value.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';
import { readGeneralName, writeGeneralName, type GeneralName } from '../x509/general-name.js';
import { readSubjectPublicKeyInfo, writeSubjectPublicKeyInfo, type SubjectPublicKeyInfo } from '../x509/subject-public-key-info.js';

/**
 * PKMACValue, RFC 4211 section 4.1:
 *
 * ```asn1
 * PKMACValue ::= SEQUENCE {
 *     algId  AlgorithmIdentifier,
 *     value  BIT STRING }
 * ```
 */
export interface PKMACValue {
  algId: AlgorithmIdentifier;
  value: Uint8Array;
}

/**
 * POPOSigningKeyInput, RFC 4211 section 4.1:
 *
 * ```asn1
 * POPOSigningKeyInput ::= SEQUENCE {
 *     authInfo            CHOICE {
 *         sender              [0] GeneralName,
 *         publicKeyMAC        PKMACValue },
 *     publicKey           SubjectPublicKeyInfo }  -- from CertTemplate
 * ```
 */
export interface POPOSigningKeyInput {
  authInfo: { type: 'sender'; value: GeneralName } | { type: 'publicKeyMAC'; value: PKMACValue };
  publicKey: SubjectPublicKeyInfo;
}

/**
 * POPOSigningKey, RFC 4211 section 4.1 (IMPLICIT tags):
 *
 * ```asn1
 * POPOSigningKey ::= SEQUENCE {
 *     poposkInput           [0] POPOSigningKeyInput OPTIONAL,
 *     algorithmIdentifier   AlgorithmIdentifier,
 *     signature             BIT STRING }
 * ```
 *
 * When `poposkInput` is present the signature is over its DER; a decoded value keeps those bytes
 * in `raw.poposkInput`.
 */
export interface POPOSigningKey {
  poposkInput?: POPOSigningKeyInput;
  algorithmIdentifier: AlgorithmIdentifier;
  signature: Uint8Array;
  /** Set by the decoder: the received DER of poposkInput (as a SEQUENCE). Encoders ignore it. */
  raw?: { poposkInput: Uint8Array };
}

/**
 * POPOPrivKey, RFC 4211 section 4.2 (IMPLICIT tags):
 *
 * ```asn1
 * POPOPrivKey ::= CHOICE {
 *     thisMessage       [0] BIT STRING,         -- Deprecated
 *     subsequentMessage [1] SubsequentMessage,
 *     dhMAC             [2] BIT STRING,         -- Deprecated
 *     agreeMAC          [3] PKMACValue,
 *     encryptedKey      [4] EnvelopedData }
 * SubsequentMessage ::= INTEGER { encrCert (0), challengeResp (1) }
 * ```
 *
 * `encryptedKey` holds the EnvelopedData as its standalone DER.
 */
export type POPOPrivKey =
  | { type: 'thisMessage'; value: Uint8Array }
  | { type: 'subsequentMessage'; value: number }
  | { type: 'dhMAC'; value: Uint8Array }
  | { type: 'agreeMAC'; value: PKMACValue }
  | { type: 'encryptedKey'; value: DerValue };

/** The values of SubsequentMessage. */
export const SubsequentMessage = Object.freeze({ encrCert: 0, challengeResp: 1 } as const);

/**
 * ProofOfPossession, RFC 4211 section 4 (IMPLICIT tags; POPOPrivKey is a CHOICE, so `[2]` and
 * `[3]` are explicit):
 *
 * ```asn1
 * ProofOfPossession ::= CHOICE {
 *     raVerified        [0] NULL,
 *     signature         [1] POPOSigningKey,
 *     keyEncipherment   [2] POPOPrivKey,
 *     keyAgreement      [3] POPOPrivKey }
 * ```
 */
export type ProofOfPossession =
  | { type: 'raVerified'; value: null }
  | { type: 'signature'; value: POPOSigningKey }
  | { type: 'keyEncipherment'; value: POPOPrivKey }
  | { type: 'keyAgreement'; value: POPOPrivKey };

export function readPKMACValue(r: DerReader, field: string, tag: number = Tag.SEQUENCE): PKMACValue {
  const s = r.sequence(field, tag);
  const algId = readAlgorithmIdentifier(s, 'algId');
  const value = s.octetBitString('value');
  s.finish();
  return { algId, value };
}

export function writePKMACValue(w: DerWriter, mac: PKMACValue, tag: number = Tag.SEQUENCE): void {
  w.constructed(tag, (w) => {
    writeAlgorithmIdentifier(w, mac.algId);
    w.bitString(mac.value);
  });
}

function readPOPOSigningKeyInput(r: DerReader, field: string): POPOSigningKeyInput {
  const s = r.sequence(field, 0xa0);
  let authInfo: POPOSigningKeyInput['authInfo'];
  if (s.isNext(0xa0)) {
    const e = s.explicit(0, 'sender');
    authInfo = { type: 'sender', value: readGeneralName(e, '') };
    e.finish();
  } else {
    authInfo = { type: 'publicKeyMAC', value: readPKMACValue(s, 'publicKeyMAC') };
  }
  const publicKey = readSubjectPublicKeyInfo(s, 'publicKey');
  s.finish();
  return { authInfo, publicKey };
}

/** Writes POPOSigningKeyInput as a SEQUENCE, or with the IMPLICIT tag `tag`. */
export function writePOPOSigningKeyInput(w: DerWriter, input: POPOSigningKeyInput, tag: number = Tag.SEQUENCE): void {
  w.constructed(tag, (w) => {
    const authInfo = input.authInfo;
    if (authInfo.type === 'sender') w.explicit(0, (w) => writeGeneralName(w, authInfo.value));
    else writePKMACValue(w, authInfo.value);
    writeSubjectPublicKeyInfo(w, input.publicKey);
  });
}

function readPOPOSigningKey(r: DerReader, field: string): POPOSigningKey {
  const s = r.sequence(field, 0xa1);
  let poposkInput: POPOSigningKeyInput | undefined;
  let rawInput: Uint8Array | undefined;
  if (s.isNext(0xa0)) {
    const start = s.pos;
    poposkInput = readPOPOSigningKeyInput(s, 'poposkInput');
    rawInput = s.data.slice(start, s.pos);
    rawInput[0] = Tag.SEQUENCE;
  }
  const algorithmIdentifier = readAlgorithmIdentifier(s, 'algorithmIdentifier');
  const signature = s.octetBitString('signature');
  s.finish();
  const key: POPOSigningKey = { algorithmIdentifier, signature };
  if (poposkInput && rawInput) {
    key.poposkInput = poposkInput;
    key.raw = { poposkInput: rawInput };
  }
  return key;
}

function readPOPOPrivKey(r: DerReader, field: string): POPOPrivKey {
  switch (r.peekTag()) {
    case 0x80:
      return { type: 'thisMessage', value: r.octetBitString(field, 0x80) };
    case 0x81:
      return { type: 'subsequentMessage', value: r.integer(field, 0x81) };
    case 0x82:
      return { type: 'dhMAC', value: r.octetBitString(field, 0x82) };
    case 0xa3:
      return { type: 'agreeMAC', value: readPKMACValue(r, field, 0xa3) };
    case 0xa4:
      return { type: 'encryptedKey', value: { der: r.implicitSequence(0xa4, field) } };
    default:
      return r.fail('unexpectedTag', r.pos, 'not a POPOPrivKey alternative', field);
  }
}

function writePOPOPrivKey(w: DerWriter, key: POPOPrivKey): void {
  switch (key.type) {
    case 'thisMessage':
      w.bitString(key.value, 0, 0x80);
      return;
    case 'subsequentMessage':
      w.integer(key.value, 0x81);
      return;
    case 'dhMAC':
      w.bitString(key.value, 0, 0x82);
      return;
    case 'agreeMAC':
      writePKMACValue(w, key.value, 0xa3);
      return;
    case 'encryptedKey':
      w.implicitSequence(0xa4, key.value.der);
      return;
  }
}

export function readProofOfPossession(r: DerReader, field: string): ProofOfPossession {
  switch (r.peekTag()) {
    case 0x80:
      return { type: 'raVerified', value: r.null(field, 0x80) };
    case 0xa1:
      return { type: 'signature', value: readPOPOSigningKey(r, field) };
    case 0xa2:
    case 0xa3: {
      const type = r.peekTag() === 0xa2 ? 'keyEncipherment' : 'keyAgreement';
      const e = r.explicit(r.peekTag() & 0x1f, field);
      const value = readPOPOPrivKey(e, type);
      e.finish();
      return { type, value };
    }
    default:
      return r.fail('unexpectedTag', r.pos, 'not a ProofOfPossession alternative', field);
  }
}

export function writeProofOfPossession(w: DerWriter, pop: ProofOfPossession): void {
  switch (pop.type) {
    case 'raVerified':
      w.null(0x80);
      return;
    case 'signature': {
      const key = pop.value;
      w.constructed(0xa1, (w) => {
        if (key.poposkInput) writePOPOSigningKeyInput(w, key.poposkInput, 0xa0);
        writeAlgorithmIdentifier(w, key.algorithmIdentifier);
        w.bitString(key.signature);
      });
      return;
    }
    case 'keyEncipherment':
    case 'keyAgreement': {
      const key = pop.value;
      w.explicit(pop.type === 'keyEncipherment' ? 2 : 3, (w) => writePOPOPrivKey(w, key));
      return;
    }
  }
}

/** Encodes POPOSigningKeyInput as a DER SEQUENCE: what a POPOSigningKey with poposkInput signs. */
export function encodePOPOSigningKeyInput(input: POPOSigningKeyInput): Uint8Array {
  return encodeWith(input, (w, v) => writePOPOSigningKeyInput(w, v), 256);
}
