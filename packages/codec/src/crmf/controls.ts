import type { DerReader } from '../der/reader.js';
import type { DerValue } from '../der/der-value.js';
import { requireItems, type DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { oids } from '../oids.js';
import { readAlgorithmIdentifier, writeAlgorithmIdentifier, type AlgorithmIdentifier } from '../x509/algorithm-identifier.js';
import { readSubjectPublicKeyInfo, writeSubjectPublicKeyInfo, type SubjectPublicKeyInfo } from '../x509/subject-public-key-info.js';
import { readCertId, writeCertId, type CertId } from './cert-id.js';
import { readPKIArchiveOptions, writePKIArchiveOptions, type PKIArchiveOptions } from './pki-archive-options.js';
import { readPKIPublicationInfo, writePKIPublicationInfo, type PKIPublicationInfo } from './pki-publication-info.js';

/**
 * One registration control: an `AttributeTypeAndValue` of Controls (RFC 4211 section 6) whose
 * value is decoded by its type. `type` names the control; a control cmpkit does not know keeps its
 * OID and its value's DER (`type: 'other'`).
 *
 * ```asn1
 * id-regCtrl-regToken           RegToken ::= UTF8String
 * id-regCtrl-authenticator      Authenticator ::= UTF8String
 * id-regCtrl-pkiPublicationInfo PKIPublicationInfo
 * id-regCtrl-pkiArchiveOptions  PKIArchiveOptions
 * id-regCtrl-oldCertID          OldCertId ::= CertId
 * id-regCtrl-protocolEncrKey    ProtocolEncrKey ::= SubjectPublicKeyInfo
 * id-regCtrl-algId              AlgIdCtrl ::= AlgorithmIdentifier     -- RFC 9810 5.3.19.16
 * id-regCtrl-rsaKeyLen          RsaKeyLenCtrl ::= INTEGER (1..MAX)    -- RFC 9810 5.3.19.16
 * ```
 */
export type Control =
  | { type: 'regToken'; value: string }
  | { type: 'authenticator'; value: string }
  | { type: 'pkiPublicationInfo'; value: PKIPublicationInfo }
  | { type: 'pkiArchiveOptions'; value: PKIArchiveOptions }
  | { type: 'oldCertID'; value: CertId }
  | { type: 'protocolEncrKey'; value: SubjectPublicKeyInfo }
  | { type: 'algId'; value: AlgorithmIdentifier }
  | { type: 'rsaKeyLen'; value: number }
  | { type: 'other'; oid: string; value: DerValue };

/** `Controls ::= SEQUENCE SIZE(1..MAX) OF AttributeTypeAndValue` */
export type Controls = Control[];

type KnownControl = Exclude<Control, { type: 'other' }>;

const CONTROL_OIDS: { readonly [K in KnownControl['type']]: string } = {
  regToken: oids.id_regCtrl_regToken,
  authenticator: oids.id_regCtrl_authenticator,
  pkiPublicationInfo: oids.id_regCtrl_pkiPublicationInfo,
  pkiArchiveOptions: oids.id_regCtrl_pkiArchiveOptions,
  oldCertID: oids.id_regCtrl_oldCertID,
  protocolEncrKey: oids.id_regCtrl_protocolEncrKey,
  algId: oids.id_regCtrl_algId,
  rsaKeyLen: oids.id_regCtrl_rsaKeyLen,
};

function readControl(r: DerReader, field: string, index: number): Control {
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const oid = s.oid('type');
  let control: Control;
  switch (oid) {
    case oids.id_regCtrl_regToken:
      control = { type: 'regToken', value: s.utf8String('value') };
      break;
    case oids.id_regCtrl_authenticator:
      control = { type: 'authenticator', value: s.utf8String('value') };
      break;
    case oids.id_regCtrl_pkiPublicationInfo:
      control = { type: 'pkiPublicationInfo', value: readPKIPublicationInfo(s, 'value') };
      break;
    case oids.id_regCtrl_pkiArchiveOptions:
      control = { type: 'pkiArchiveOptions', value: readPKIArchiveOptions(s, 'value') };
      break;
    case oids.id_regCtrl_oldCertID:
      control = { type: 'oldCertID', value: readCertId(s, 'value') };
      break;
    case oids.id_regCtrl_protocolEncrKey:
      control = { type: 'protocolEncrKey', value: readSubjectPublicKeyInfo(s, 'value') };
      break;
    case oids.id_regCtrl_algId:
      control = { type: 'algId', value: readAlgorithmIdentifier(s, 'value') };
      break;
    case oids.id_regCtrl_rsaKeyLen: {
      const at = s.pos;
      const value = s.integer('value');
      if (value < 1) s.fail('integerRange', at, 'rsaKeyLen must be positive', 'value');
      control = { type: 'rsaKeyLen', value };
      break;
    }
    default:
      control = { type: 'other', oid, value: { der: s.element('value') } };
  }
  s.finish();
  return control;
}

export function readControls(r: DerReader, field: string): Controls {
  return r.sequenceOf(field, readControl, Tag.SEQUENCE, 1);
}

function writeControlValue(w: DerWriter, control: Control): void {
  switch (control.type) {
    case 'regToken':
    case 'authenticator':
      w.utf8String(control.value);
      return;
    case 'pkiPublicationInfo':
      writePKIPublicationInfo(w, control.value);
      return;
    case 'pkiArchiveOptions':
      writePKIArchiveOptions(w, control.value);
      return;
    case 'oldCertID':
      writeCertId(w, control.value);
      return;
    case 'protocolEncrKey':
      writeSubjectPublicKeyInfo(w, control.value);
      return;
    case 'algId':
      writeAlgorithmIdentifier(w, control.value);
      return;
    case 'rsaKeyLen':
      w.integer(control.value);
      return;
    case 'other':
      w.raw(control.value.der);
      return;
  }
}

export function writeControls(w: DerWriter, controls: Controls): void {
  requireItems(controls, 'Controls');
  w.sequence((w) => {
    for (const control of controls) {
      w.sequence((w) => {
        w.oid(control.type === 'other' ? control.oid : CONTROL_OIDS[control.type]);
        writeControlValue(w, control);
      });
    }
  });
}
