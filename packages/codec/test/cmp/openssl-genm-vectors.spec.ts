import { describe, expect, it } from 'vitest';
import { decodePKIMessage, encodePKIMessage, INFO_TYPE_OIDS, infoTypeOid, type InfoTypeName } from '../../src/index.js';
import { fixture, fixtureDir, hex } from '../fixtures.js';

/** The infotypes OpenSSL 3.0.19's `-infotype` accepted (fixtures/der/openssl-3.0-genm/README.md). */
const REQUESTED: InfoTypeName[] = [
  'signKeyPairTypes',
  'encKeyPairTypes',
  'preferredSymmAlg',
  'caKeyUpdateInfo',
  'currentCRL',
  'unsupportedOIDs',
  'keyPairParamReq',
  'keyPairParamRep',
  'revPassphrase',
  'implicitConfirm',
  'confirmWaitTime',
  'origPKIMessage',
  'suppLangTags',
  'caProtEncCert',
  'caCerts',
  'rootCaKeyUpdate',
  'certReqTemplate',
];

describe('OpenSSL 3.0 genm/genp with each infotype (real peer bytes)', () => {
  it.each(fixtureDir('der/openssl-3.0-genm'))('%s round-trips byte for byte', (_name, der) => {
    expect(encodePKIMessage(decodePKIMessage(der))).toEqual(der);
  });

  it.each(REQUESTED)('%s: genm asks and genp answers with the typed ITAV, value absent', (type) => {
    const genm = decodePKIMessage(fixture(`der/openssl-3.0-genm/genm-${type}.der`));
    const genp = decodePKIMessage(fixture(`der/openssl-3.0-genm/genp-${type}.der`));
    expect(genm.body).toEqual({ type: 'genm', content: [{ type }] });
    expect(genp.body).toEqual({ type: 'genp', content: [{ type }] });
    const itav = genm.body.type === 'genm' ? genm.body.content[0] : undefined;
    expect(itav && infoTypeOid(itav)).toBe(INFO_TYPE_OIDS[type]);
    expect(genm.header.senderKID).toEqual(new TextEncoder().encode('3078'));
  });

  it('-geninfo puts an unknown infoType with an INTEGER into generalInfo, kept as other', () => {
    const genm = decodePKIMessage(fixture('der/openssl-3.0-genm/genm-geninfo.der'));
    expect(genm.header.generalInfo).toEqual([{ type: 'other', infoType: '1.3.6.1.4.1.99999.9', infoValue: { der: hex('02023039') } }]);
    expect(genm.body).toEqual({ type: 'genm', content: [{ type: 'signKeyPairTypes' }] });
  });

  it('ir-implicit carries implicitConfirm with a NULL value in generalInfo', () => {
    const ir = decodePKIMessage(fixture('der/openssl-3.0/ir-implicit.der'));
    expect(ir.header.generalInfo).toEqual([{ type: 'implicitConfirm', infoValue: null }]);
    const ip = decodePKIMessage(fixture('der/openssl-3.0/ip-implicit.der'));
    expect(ip.header.generalInfo).toEqual([{ type: 'implicitConfirm', infoValue: null }]);
  });
});
