import { decodeWith, encodeWith } from '../der/codec.js';
import type { DecodeOptions, DerReader } from '../der/reader.js';
import type { DerWriter } from '../der/writer.js';
import { readCertTemplate, writeCertTemplate, type CertTemplate } from '../crmf/cert-template.js';
import { EncodeError } from '../errors/encode-error.js';
import { readControls, writeControls, type Controls } from '../crmf/controls.js';

/**
 * CertReqTemplateContent, RFC 9810 section 5.3.19.16 (the value of id-it-certReqTemplate in a
 * genp):
 *
 * ```asn1
 * CertReqTemplateContent ::= SEQUENCE {
 *    certTemplate           CertTemplate,
 *    keySpec                Controls OPTIONAL }
 *
 * Controls  ::= SEQUENCE SIZE (1..MAX) OF AttributeTypeAndValue
 * ```
 *
 * `keySpec` lists one control per supported key algorithm (`algId`) or RSA key length
 * (`rsaKeyLen`). The RFC forbids `publicKey` in `certTemplate`; the codec does not enforce that.
 */
export interface CertReqTemplateContent {
  certTemplate: CertTemplate;
  keySpec?: Controls;
}

export function readCertReqTemplateContent(r: DerReader, field: string): CertReqTemplateContent {
  const s = r.sequence(field);
  const value: CertReqTemplateContent = { certTemplate: readCertTemplate(s, 'certTemplate') };
  if (!s.atEnd()) value.keySpec = readControls(s, 'keySpec');
  s.finish();
  return value;
}

export function writeCertReqTemplateContent(w: DerWriter, value: CertReqTemplateContent): void {
  if (value.keySpec?.length === 0) throw new EncodeError('CertReqTemplateContent.keySpec needs at least one control');
  w.sequence((w) => {
    writeCertTemplate(w, value.certTemplate);
    if (value.keySpec) writeControls(w, value.keySpec);
  });
}

/** Decodes a DER CertReqTemplateContent. */
export function decodeCertReqTemplateContent(der: Uint8Array, options?: DecodeOptions): CertReqTemplateContent {
  return decodeWith(der, 'CertReqTemplateContent', readCertReqTemplateContent, options);
}

/** Encodes a CertReqTemplateContent as DER. Throws `EncodeError` for an empty `keySpec`. */
export function encodeCertReqTemplateContent(value: CertReqTemplateContent): Uint8Array {
  return encodeWith(value, writeCertReqTemplateContent, 256);
}
