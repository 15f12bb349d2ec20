import { describe, expect, it } from 'vitest';
import {
  decodePKIMessage,
  encodeName,
  encodePKIMessage,
  EncodeError,
  type CertTemplate,
  type PKIBody,
  type PKIHeader,
  type PKIMessage,
} from '../../src/index.js';

/**
 * `SIZE (1..MAX)` lists: encoding an empty one would give bytes every decoder rejects, so the
 * encoder refuses with an EncodeError (as it does for any value that cannot be valid DER).
 */
const header: PKIHeader = {
  pvno: 2,
  sender: { type: 'directoryName', value: [] },
  recipient: { type: 'directoryName', value: [] },
};
const cert = { der: Uint8Array.of(0x30, 0) };
const msg = (body: PKIBody, extra: Partial<PKIMessage> = {}): PKIMessage => ({
  header,
  body,
  ...extra,
});
const ir = (template: CertTemplate, more: object = {}): PKIBody => ({
  type: 'ir',
  content: [{ certReq: { certReqId: 0, certTemplate: template }, ...more }],
});

const CASES: [string, PKIMessage][] = [
  ['extraCerts', msg({ type: 'pkiconf', content: null }, { extraCerts: [] })],
  ['generalInfo', { header: { ...header, generalInfo: [] }, body: { type: 'pkiconf', content: null } }],
  ['freeText', { header: { ...header, freeText: [] }, body: { type: 'pkiconf', content: null } }],
  ['caPubs', msg({ type: 'ip', content: { caPubs: [], response: [] } })],
  ['statusString', msg({ type: 'error', content: { pKIStatusInfo: { status: 2, statusString: [] } } })],
  ['CertReqMessages', msg({ type: 'cr', content: [] })],
  ['Controls', msg({ type: 'ir', content: [{ certReq: { certReqId: 0, certTemplate: {}, controls: [] } }] })],
  ['regInfo', msg(ir({}, { regInfo: [] }))],
  [
    'pubInfos',
    msg({
      type: 'ir',
      content: [
        {
          certReq: {
            certReqId: 0,
            certTemplate: {},
            controls: [{ type: 'pkiPublicationInfo', value: { action: 1, pubInfos: [] } }],
          },
        },
      ],
    }),
  ],
  ['Extensions', msg(ir({ extensions: [] }))],
  ['RelativeDistinguishedName', msg(ir({ subject: [[]] }))],
  ['keyPairHist', msg({ type: 'krp', content: { status: { status: 0 }, keyPairHist: [] } })],
  ['caCerts', msg({ type: 'krp', content: { status: { status: 0 }, caCerts: [] } })],
  ['RevRepContent.status', msg({ type: 'rp', content: { status: [] } })],
  ['revCerts', msg({ type: 'rp', content: { status: [{ status: 0 }], revCerts: [] } })],
  ['crls', msg({ type: 'rp', content: { status: [{ status: 0 }], crls: [] } })],
  ['NestedMessageContent', msg({ type: 'nested', content: [] })],
  ['reason', msg({ type: 'pollRep', content: [{ certReqId: 0, checkAfter: 1, reason: [] }] })],
];

describe('empty SIZE (1..MAX) lists are an EncodeError', () => {
  it.each(CASES)('%s: []', (_name, message) => {
    expect(() => encodePKIMessage(message)).toThrow(EncodeError);
    expect(() => encodePKIMessage(message)).toThrow(/SIZE \(1\.\.MAX\)/);
  });

  it('with one element each of them encodes and decodes', () => {
    const full: PKIMessage = {
      header: {
        ...header,
        generalInfo: [{ type: 'other', infoType: '1.3.6.1.4.1.99999.1' }],
        freeText: ['x'],
      },
      body: {
        type: 'rp',
        content: { status: [{ status: 0, statusString: ['ok'] }], crls: [cert] },
      },
      extraCerts: [cert],
    };
    expect(decodePKIMessage(encodePKIMessage(full)).body.type).toBe('rp');
  });

  it('the empty Name (NULL-DN) is fine: only its RDNs must not be empty', () => {
    expect(encodeName([])).toEqual(Uint8Array.of(0x30, 0));
    expect(() => encodeName([[]])).toThrow(EncodeError);
  });
});
