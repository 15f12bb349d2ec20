import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerValue } from '../der/der-value.js';
import type { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';
import { readGeneralName, writeGeneralName, type GeneralName } from '../x509/general-name.js';

/**
 * Challenge, RFC 9810 section 5.2.8.3 (EXPLICIT tags):
 *
 * ```asn1
 * Challenge ::= SEQUENCE {
 *    owf                 AlgorithmIdentifier{DIGEST-ALGORITHM, {...}} OPTIONAL,
 *    witness             OCTET STRING,
 *    challenge           OCTET STRING,
 *    encryptedRand   [0] EnvelopedData OPTIONAL }
 * ```
 */
export interface Challenge {
  owf?: AlgorithmIdentifier;
  witness: Uint8Array;
  challenge: Uint8Array;
  encryptedRand?: DerValue;
}

/** `POPODecKeyChallContent ::= SEQUENCE OF Challenge` */
export type POPODecKeyChallContent = Challenge[];

/**
 * Rand, RFC 9810 section 5.2.8.3: what `challenge` or `encryptedRand` encrypts.
 *
 * ```asn1
 * Rand ::= SEQUENCE {
 *    int                  INTEGER,
 *    sender               GeneralName }
 * ```
 */
export interface Rand {
  int: bigint;
  sender: GeneralName;
}

function readChallenge(r: DerReader, field: string, index: number): Challenge {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const owf = s.isNext(Tag.SEQUENCE) ? readAlgorithmIdentifier(s, 'owf') : undefined;
  const challenge: Challenge = { witness: s.octetString('witness'), challenge: s.octetString('challenge') };
  if (owf) challenge.owf = owf;
  const e = s.optionalExplicit(0, 'encryptedRand');
  if (e) {
    challenge.encryptedRand = { der: e.element('', Tag.SEQUENCE) };
    e.finish();
  }
  s.finish();
  return challenge;
}

export function readPOPODecKeyChallContent(r: DerReader, field: string): POPODecKeyChallContent {
  return r.sequenceOf(field, readChallenge);
}

export function writePOPODecKeyChallContent(w: DerWriter, content: POPODecKeyChallContent): void {
  w.sequence((w) => {
    for (const c of content) {
      w.sequence((w) => {
        if (c.owf) writeAlgorithmIdentifier(w, c.owf);
        w.octetString(c.witness);
        w.octetString(c.challenge);
        if (c.encryptedRand) {
          const enveloped = c.encryptedRand;
          w.explicit(0, (w) => w.raw(enveloped.der));
        }
      });
    }
  });
}

function readRand(r: DerReader, field: string): Rand {
  const s = r.sequence(field);
  const rand: Rand = { int: s.bigInteger('int'), sender: readGeneralName(s, 'sender') };
  s.finish();
  return rand;
}

function writeRand(w: DerWriter, rand: Rand): void {
  w.sequence((w) => {
    w.integer(rand.int);
    writeGeneralName(w, rand.sender);
  });
}

/** Decodes a DER Rand (the plaintext of a POP challenge). */
export function decodeRand(der: Uint8Array, options?: DecodeOptions): Rand {
  return decodeWith(der, 'Rand', readRand, options);
}

/** Encodes a Rand as DER. */
export function encodeRand(rand: Rand): Uint8Array {
  return encodeWith(rand, writeRand, 128);
}
