import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePKIMessage, isDerError, type DerErrorKind } from '../../src/index.js';
import { FIXTURES, fixtureDir } from '../fixtures.js';

/** fixtures/der/invalid: file, expected DerError kind, byte offset and field path. */
const CORPUS: [file: string, kind: DerErrorKind, offset: number, path: string][] = [
  ['indefinite-length', 'indefiniteLength', 0, 'PKIMessage'],
  ['length-leading-zero', 'nonMinimalLength', 0, 'PKIMessage'],
  ['length-long-form-under-128', 'nonMinimalLength', 0, 'PKIMessage'],
  ['length-5-octets', 'lengthTooLarge', 0, 'PKIMessage'],
  ['integer-leading-zero', 'nonMinimalInteger', 4, 'PKIMessage.header.pvno'],
  ['integer-leading-ff', 'nonMinimalInteger', 21, 'PKIMessage.body.pollReq[0].certReqId'],
  ['integer-empty', 'nonMinimalInteger', 4, 'PKIMessage.header.pvno'],
  ['integer-range', 'integerRange', 21, 'PKIMessage.body.pollReq[0].certReqId'],
  ['trailing-data', 'trailingData', 19, 'PKIMessage'],
  ['boolean-01', 'invalidBoolean', 32, 'PKIMessage.body.rr[0].crlEntryDetails[0].critical'],
  ['extension-critical-false', 'defaultEncoded', 32, 'PKIMessage.body.rr[0].crlEntryDetails[0].critical'],
  ['bitstring-unused-bits-8', 'invalidBitString', 21, 'PKIMessage.protection'],
  ['bitstring-empty-unused-bits', 'invalidBitString', 21, 'PKIMessage.protection'],
  ['bitstring-nonzero-padding', 'invalidBitString', 24, 'PKIMessage.body.error.pKIStatusInfo.failInfo'],
  ['bitstring-octets-unused-bits', 'invalidBitString', 21, 'PKIMessage.protection'],
  ['named-bits-trailing-zero', 'invalidBitString', 24, 'PKIMessage.body.error.pKIStatusInfo.failInfo'],
  ['set-of-unsorted', 'setOrder', 23, 'PKIMessage.header.sender.directoryName[0][1]'],
  ['generalizedtime-no-z', 'invalidTime', 17, 'PKIMessage.header.messageTime'],
  ['generalizedtime-offset', 'invalidTime', 17, 'PKIMessage.header.messageTime'],
  ['generalizedtime-fraction-trailing-zero', 'invalidTime', 17, 'PKIMessage.header.messageTime'],
  ['generalizedtime-bad-month', 'invalidTime', 17, 'PKIMessage.header.messageTime'],
  ['generalizedtime-no-seconds', 'invalidTime', 17, 'PKIMessage.header.messageTime'],
  ['high-tag-number', 'highTagNumber', 29, 'PKIMessage.header.protectionAlg.parameters'],
  ['high-tag-number-body', 'highTagNumber', 15, 'PKIMessage.body'],
  ['wrong-tag', 'unexpectedTag', 4, 'PKIMessage.header.pvno'],
  ['unknown-body-27', 'unexpectedTag', 15, 'PKIMessage.body'],
  ['empty-capubs', 'sizeConstraint', 21, 'PKIMessage.body.ip.caPubs'],
  ['empty-extracerts', 'sizeConstraint', 21, 'PKIMessage.extraCerts'],
  ['empty-cert-req-messages', 'sizeConstraint', 17, 'PKIMessage.body.ir'],
  ['oid-leading-0x80', 'invalidOid', 19, 'PKIMessage.header.protectionAlg.algorithm'],
  ['utf8-invalid', 'invalidString', 19, 'PKIMessage.header.freeText[0]'],
  ['null-with-content', 'invalidNull', 17, 'PKIMessage.body.pkiconf'],
];

describe('invalid DER corpus (fixtures/der/invalid)', () => {
  it.each(CORPUS)('%s.der: DerError %s at offset %i (%s)', (file, kind, offset, path) => {
    const der = new Uint8Array(readFileSync(join(FIXTURES, 'der/invalid', `${file}.der`)));
    let error: unknown;
    try {
      decodePKIMessage(der);
    } catch (e) {
      error = e;
    }
    expect(isDerError(error)).toBe(true);
    if (!isDerError(error)) return;
    expect({ kind: error.kind, offset: error.offset, path: error.path }).toEqual({
      kind,
      offset,
      path,
    });
    expect(error.code).toBe('CMP_ERR_DER');
    expect(error.failInfo).toEqual(['badDataFormat']);
    expect(error.message).toContain(`at offset ${offset}`);
    expect(error.message).toContain(path);
    expect(offset).toBeLessThan(der.length);
  });

  it('the table covers every file of the folder and the README lists each', () => {
    const files = fixtureDir('der/invalid').map(([name]) => name.replace(/\.der$/, ''));
    expect(files.sort()).toEqual(CORPUS.map(([file]) => file).sort());
    const readme = readFileSync(join(FIXTURES, 'der/invalid/README.md'), 'utf8');
    for (const [file, kind, offset, path] of CORPUS) {
      expect(readme).toContain(`| \`${file}.der\` |`);
      expect(readme).toContain(`| \`${kind}\` | ${offset} | \`${path}\` |`);
    }
  });

  it('the base message of the corpus decodes (each file breaks exactly one rule of it)', () => {
    const base = Uint8Array.from([0x30, 0x11, 0x30, 0x0b, 2, 1, 2, 0xa4, 2, 0x30, 0, 0xa4, 2, 0x30, 0, 0xb3, 2, 5, 0]);
    expect(decodePKIMessage(base).body).toEqual({ type: 'pkiconf', content: null });
    const trailing = new Uint8Array(readFileSync(join(FIXTURES, 'der/invalid/trailing-data.der')));
    expect(Array.from(trailing.subarray(0, base.length))).toEqual(Array.from(base));
  });
});
