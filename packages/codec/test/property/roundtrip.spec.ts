import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeAlgorithmIdentifier,
  decodeCertRequest,
  decodeName,
  decodePBKDF2Params,
  decodePBMAC1Params,
  decodePBMParameter,
  decodePKIMessage,
  decodePKIMessages,
  decodeRand,
  decodeSubjectPublicKeyInfo,
  encodeAlgorithmIdentifier,
  encodeCertRequest,
  encodeName,
  encodePBKDF2Params,
  encodePBMAC1Params,
  encodePBMParameter,
  encodePKIMessage,
  encodePKIMessages,
  encodePOPOSigningKeyInput,
  encodeProtectedPart,
  encodeRand,
  encodeSubjectPublicKeyInfo,
  isDerError,
  PKI_BODY_TYPES,
  receivedProtectedPart,
  type PKIMessage,
} from '../../src/index.js';
import { pbkdf2Params, pbmac1Params, pbmParameter, pkiBody, pkiBodyOf, pkiMessage, rand } from '../arbitraries/cmp.js';
import { certRequest } from '../arbitraries/crmf.js';
import { algorithmIdentifier, name, subjectPublicKeyInfo } from '../arbitraries/x509.js';

/**
 * decode(encode(x)) deep-equals x for generated values in canonical form (see test/arbitraries:
 * DEFAULT fields absent, Extension.critical `true` or absent, SET OF in DER order, GeneralizedTime
 * with millisecond precision and years 0-9999, UTCTime with whole seconds in 1950-2049, failInfo
 * in bit order). Decoded values carry `raw` byte views that the generated ones lack; they are
 * stripped before comparing.
 */
function stripRaw<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripRaw) as T;
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'raw') out[k] = stripRaw(v);
  return out as T;
}

const SEED = 20261127;

function roundTrips(message: PKIMessage): void {
  const der = encodePKIMessage(message);
  const decoded = decodePKIMessage(der);
  expect(stripRaw(decoded)).toEqual(message);
  // deterministic and idempotent
  expect(encodePKIMessage(decoded)).toEqual(der);
  expect(encodePKIMessage(message)).toEqual(der);
  // the received ProtectedPart is the ProtectedPart of the value
  expect(receivedProtectedPart(decoded)).toEqual(encodeProtectedPart(message));
}

describe('decode(encode(x)) = x (fast-check, seed 20261127)', () => {
  it.each([...PKI_BODY_TYPES])('PKIMessage with a %s body', (type) => {
    fc.assert(
      fc.property(pkiMessage(0, pkiBodyOf(type)), (message) => {
        roundTrips(message);
      }),
      { seed: SEED, numRuns: type === 'nested' ? 15 : 30 },
    );
  });

  it('PKIMessage with every optional header field, protection and extraCerts', () => {
    fc.assert(
      fc.property(pkiMessage(0, pkiBody(1), true), (message) => {
        expect(Object.keys(message.header)).toHaveLength(12);
        roundTrips(message);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('PKIMessages', () => {
    fc.assert(
      fc.property(fc.array(pkiMessage(1), { minLength: 1, maxLength: 3 }), (messages) => {
        const der = encodePKIMessages(messages);
        expect(stripRaw(decodePKIMessages(der))).toEqual(messages);
      }),
      { seed: SEED, numRuns: 20 },
    );
  });

  it('POPOSigningKey: raw.poposkInput is what encodePOPOSigningKeyInput gives', () => {
    fc.assert(
      fc.property(pkiMessage(0, pkiBodyOf('ir')), (message) => {
        const decoded = decodePKIMessage(encodePKIMessage(message));
        if (decoded.body.type !== 'ir') throw new Error('not ir');
        for (const msg of decoded.body.content) {
          expect(msg.raw?.certReq).toEqual(encodeCertRequest(msg.certReq));
          if (msg.popo?.type === 'signature' && msg.popo.value.poposkInput) {
            expect(msg.popo.value.raw?.poposkInput).toEqual(encodePOPOSigningKeyInput(msg.popo.value.poposkInput));
          }
        }
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it.each([
    ['Name', name, encodeName, decodeName],
    ['AlgorithmIdentifier', algorithmIdentifier, encodeAlgorithmIdentifier, decodeAlgorithmIdentifier],
    ['SubjectPublicKeyInfo', subjectPublicKeyInfo, encodeSubjectPublicKeyInfo, decodeSubjectPublicKeyInfo],
    ['CertRequest', certRequest, encodeCertRequest, decodeCertRequest],
    ['Rand', rand, encodeRand, decodeRand],
    ['PBMParameter', pbmParameter, encodePBMParameter, decodePBMParameter],
    ['PBKDF2-params', pbkdf2Params, encodePBKDF2Params, decodePBKDF2Params],
    ['PBMAC1-params', pbmac1Params, encodePBMAC1Params, decodePBMAC1Params],
  ] as [string, fc.Arbitrary<unknown>, (v: never) => Uint8Array, (b: Uint8Array) => unknown][])(
    '%s',
    (_name, arbitrary, encode, decode) => {
      fc.assert(
        fc.property(arbitrary, (value) => {
          const der = encode(value as never);
          const decoded = decode(der);
          expect(stripRaw(decoded)).toEqual(value);
          expect(encode(decoded as never)).toEqual(der);
        }),
        { seed: SEED, numRuns: 100 },
      );
    },
  );
});

describe('number INTEGERs cover the whole safe-integer range', () => {
  const pollReq = (certReqId: number): PKIMessage => ({
    header: {
      pvno: 2,
      sender: { type: 'directoryName', value: [] },
      recipient: { type: 'directoryName', value: [] },
    },
    body: { type: 'pollReq', content: [{ certReqId }] },
  });

  it.each([
    0,
    127,
    128,
    -128,
    -129,
    2 ** 47 - 1,
    2 ** 47,
    -(2 ** 47),
    -(2 ** 47) - 1,
    2 ** 52,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
  ])('certReqId %d round-trips', (n) => {
    const decoded = decodePKIMessage(encodePKIMessage(pollReq(n)));
    expect(decoded.body.content).toEqual([{ certReqId: n }]);
  });

  it.each([
    ['2^53', [0x20, 0, 0, 0, 0, 0, 0]],
    ['-(2^53)-1', [0xdf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ['2^55-1', [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ['8 octets', [1, 0, 0, 0, 0, 0, 0, 0]],
  ])('certReqId %s is integerRange', (_label, contents) => {
    const template = encodePKIMessage(pollReq(0x7777));
    // replace the 3-byte INTEGER 02 02 77 77 at the end
    const at = template.length - 4;
    expect(Array.from(template.subarray(at))).toEqual([2, 2, 0x77, 0x77]);
    const patched = Uint8Array.from([...template.subarray(0, at), 2, contents.length, ...contents]);
    // fix the three enclosing lengths (SEQUENCE, SEQUENCE OF, [25]) and the outer SEQUENCE
    const delta = contents.length - 2;
    patched[1] = patched[1]! + delta;
    for (const i of [at - 2, at - 4, at - 6]) patched[i + 1] = patched[i + 1]! + delta;
    let error: unknown;
    try {
      decodePKIMessage(patched);
    } catch (e) {
      error = e;
    }
    expect(isDerError(error) && [error.kind, error.path]).toEqual(['integerRange', 'PKIMessage.body.pollReq[0].certReqId']);
  });
});
