import { describe, expect, it } from 'vitest';
import {
  decodeInfoTypeAndValue,
  encodeInfoTypeAndValue,
  EncodeError,
  nameToString,
  oids,
  type CRLStatus,
  type DerErrorKind,
} from '../../src/index.js';
import { fixture, hex, invalidItavErrorOf } from '../fixtures.js';

/** The CRLStatus list of a crlStatusList InfoTypeAndValue. */
function statusList(der: Uint8Array): CRLStatus[] {
  const itav = decodeInfoTypeAndValue(der);
  if (itav.type !== 'crlStatusList' || !itav.infoValue) throw new Error('not a crlStatusList value');
  return itav.infoValue;
}

describe('CRLStatus, CRLSource, DistributionPointName', () => {
  const der = fixture('der/itav/itav-crlStatusList.der');
  const list = statusList(der);

  it('dpn [0] EXPLICIT around fullName [0] IMPLICIT GeneralNames, with a UTCTime thisUpdate', () => {
    expect(list[0]).toEqual({
      source: {
        type: 'dpn',
        value: {
          type: 'fullName',
          value: [{ type: 'uniformResourceIdentifier', value: 'http://crl.example.org/issuing.crl' }],
        },
      },
      thisUpdate: { type: 'utcTime', value: new Date('2026-11-27T16:23:24Z') },
    });
    // [0] { [0] { [6] ... } }: the outer tag is explicit, the inner one implicit.
    expect(der.subarray(18, 23)).toEqual(hex('a026 a024 86'));
  });

  it('dpn [0] around nameRelativeToCRLIssuer [1] IMPLICIT SET OF, in DER order, with a GeneralizedTime', () => {
    const status = list[1];
    expect(status?.source.type).toBe('dpn');
    const dpn = status?.source.type === 'dpn' ? status.source.value : undefined;
    expect(dpn?.type).toBe('nameRelativeToCRLIssuer');
    const rdn = dpn?.type === 'nameRelativeToCRLIssuer' ? dpn.value : [];
    // OpenSSL sorted the SET: the shorter OU attribute comes first.
    expect(rdn.map((atv) => atv.type)).toEqual([oids.id_at_organizationalUnitName, oids.id_at_commonName]);
    expect(nameToString([rdn])).toBe('/OU=PKI+CN=CRL Partition 7');
    expect(status?.thisUpdate).toEqual({
      type: 'generalTime',
      value: new Date('2050-01-01T00:00:00Z'),
    });
  });

  it('issuer [1] EXPLICIT around GeneralNames, without thisUpdate', () => {
    const status = list[2];
    expect(status && 'thisUpdate' in status).toBe(false);
    expect(status?.source.type).toBe('issuer');
    const names = status?.source.type === 'issuer' ? status.source.value : [];
    expect(names).toHaveLength(1);
    expect(names[0]?.type).toBe('directoryName');
    expect(names[0]?.type === 'directoryName' ? nameToString(names[0].value) : '').toBe('/C=DE/O=Example Org/CN=CMP Perf Root CA');
  });

  it('re-encodes byte for byte, sorting an RDN given out of order', () => {
    expect(encodeInfoTypeAndValue({ type: 'crlStatusList', infoValue: list })).toEqual(der);
    const dpn = list[1]?.source;
    if (dpn?.type !== 'dpn' || dpn.value.type !== 'nameRelativeToCRLIssuer') throw new Error('fixture changed');
    const reversed: CRLStatus = {
      ...list[1]!,
      source: { type: 'dpn', value: { ...dpn.value, value: [...dpn.value.value].reverse() } },
    };
    expect(encodeInfoTypeAndValue({ type: 'crlStatusList', infoValue: [list[0]!, reversed, list[2]!] })).toEqual(der);
  });

  const invalid: [string, DerErrorKind, string][] = [
    ['itav-crlStatusList-source2', 'unexpectedTag', 'InfoTypeAndValue.infoValue[0].source'],
    ['itav-crlStatusList-dpn2', 'unexpectedTag', 'InfoTypeAndValue.infoValue[0].source.dpn'],
    ['itav-crlStatusList-implicitDpn', 'unexpectedTag', 'InfoTypeAndValue.infoValue[0].source.dpn'],
    ['itav-crlStatusList-emptyIssuer', 'sizeConstraint', 'InfoTypeAndValue.infoValue[0].source.issuer'],
  ];

  it.each(invalid)('%s decodes as an invalid infotype value (%s at %s), losslessly', (name, kind, path) => {
    const error = invalidItavErrorOf(fixture(`der/itav/invalid/${name}.der`));
    expect(error.kind).toBe(kind);
    expect(error.path).toBe(path);
  });

  it('refuses to encode empty GeneralNames or an empty RDN', () => {
    const cases: CRLStatus[] = [
      { source: { type: 'issuer', value: [] } },
      { source: { type: 'dpn', value: { type: 'fullName', value: [] } } },
      { source: { type: 'dpn', value: { type: 'nameRelativeToCRLIssuer', value: [] } } },
    ];
    for (const status of cases) {
      expect(() => encodeInfoTypeAndValue({ type: 'crlStatusList', infoValue: [status] })).toThrow(EncodeError);
    }
  });
});
