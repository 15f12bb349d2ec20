import {
  decodeSubjectPublicKeyInfo,
  encodeGeneralNames,
  oids,
  SubsequentMessage,
  timeOf,
  type CertReqMsg,
  type CertRequest,
  type CertTemplate,
  type Control,
  type Extension,
  type GeneralName,
  type InfoTypeAndValue,
  type Name,
  type PKIBody,
  type SubjectPublicKeyInfo,
} from '@cmpkit/codec';
import { createPOPOSigningKey, parseCertificate, verifyCertificationRequest } from '@cmpkit/protection';
import { directoryName } from '../message/general-names.js';
import type { ClientContext } from './client-context.js';
import type { EnrollOptions } from './enroll-options.js';

/** The first message of an enrollment and what its response is matched against. */
export interface EnrollRequest {
  body: PKIBody;
  /** The certReqId sent (0), or -1 for a p10cr. */
  certReqId: number;
  /** p10cr: the subject of the CSR, header.sender when no other is known. */
  csrSubject?: Name;
  /** The public key asked for (p10cr: the CSR's); for central key generation it has an empty subjectPublicKey. */
  requestedKey: SubjectPublicKeyInfo | undefined;
}

async function spkiOf(ctx: ClientContext, options: EnrollOptions): Promise<SubjectPublicKeyInfo | undefined> {
  if (options.centralKeyGeneration) {
    const algorithm = options.centralKeyGeneration.algorithm;
    return algorithm ? { algorithm, subjectPublicKey: new Uint8Array(0) } : undefined;
  }
  if (options.publicKey) return options.publicKey;
  if (!options.keyPair) return undefined;
  const der = new Uint8Array(await ctx.runtime.crypto.subtle.exportKey('spki', options.keyPair.publicKey));
  return decodeSubjectPublicKeyInfo(der);
}

function templateOf(options: EnrollOptions, publicKey: SubjectPublicKeyInfo | undefined): CertTemplate {
  const template: CertTemplate = {};
  if (options.issuer) template.issuer = options.issuer;
  if (options.validity && (options.validity.notBefore || options.validity.notAfter)) {
    template.validity = {
      ...(options.validity.notBefore ? { notBefore: timeOf(options.validity.notBefore) } : {}),
      ...(options.validity.notAfter ? { notAfter: timeOf(options.validity.notAfter) } : {}),
    };
  }
  const subject =
    options.subject ??
    (options.bodyType === 'kur' && options.oldCertificate ? parseCertificate(options.oldCertificate).subject : undefined);
  // RFC 9483 section 4.1.1 requires a subject: without one the NULL-DN (a subjectAltName names the subject).
  template.subject = subject ?? [];
  if (publicKey) template.publicKey = publicKey;
  const extensions: Extension[] = [];
  if (options.subjectAltNames?.length) {
    extensions.push({ extnID: oids.id_ce_subjectAltName, extnValue: encodeGeneralNames(options.subjectAltNames) });
  }
  extensions.push(...(options.extensions ?? []));
  if (extensions.length) template.extensions = extensions;
  return template;
}

function oldCertIdControl(oldCertificate: Uint8Array): Control {
  const old = parseCertificate(oldCertificate);
  return { type: 'oldCertID', value: { issuer: directoryName(old.issuer), serialNumber: old.serialNumber } };
}

/** The POP method of an enrollment: as asked, else encrCert for keys that cannot sign (ML-KEM), else a signature. */
export function popMethodOf(options: EnrollOptions): 'signature' | 'encrCert' | 'challengeResp' {
  if (options.proofOfPossession) return options.proofOfPossession;
  const name = options.keyPair?.privateKey.algorithm.name.toUpperCase() ?? '';
  return name.startsWith('ML-KEM') ? 'encrCert' : 'signature';
}

/** Builds the CertReqMsg of an ir/cr/kur, with POP when the private key is at hand. */
async function buildCertReqMsg(ctx: ClientContext, options: EnrollOptions, sender: GeneralName): Promise<CertReqMsg> {
  const publicKey = await spkiOf(ctx, options);
  const certRequest: CertRequest = { certReqId: 0, certTemplate: templateOf(options, publicKey) };
  if (options.bodyType === 'kur' && options.oldCertificate) certRequest.controls = [oldCertIdControl(options.oldCertificate)];
  const msg: CertReqMsg = { certReq: certRequest };
  const method = popMethodOf(options);
  if (options.keyPair && !options.centralKeyGeneration && method !== 'signature') {
    // RFC 9810 5.2.8.3.2: the certificate comes back encrypted, and the certHash in certConf proves
    // possession; 5.2.8.3.3: a popdecc challenge comes first, answered in popdecr.
    const value = method === 'encrCert' ? SubsequentMessage.encrCert : SubsequentMessage.challengeResp;
    msg.popo = { type: 'keyEncipherment', value: { type: 'subsequentMessage', value } };
  } else if (options.keyPair && !options.centralKeyGeneration) {
    const template = certRequest.certTemplate;
    const value = await createPOPOSigningKey(certRequest, options.keyPair.privateKey, {
      crypto: ctx.runtime.crypto,
      ...(ctx.init.algorithms ? { algorithms: ctx.init.algorithms } : {}),
      ...(template.subject && template.publicKey ? {} : { poposkInput: { sender } }),
    });
    msg.popo = { type: 'signature', value };
  }
  return msg;
}

/** Checks that the options ask for one thing, the way the body type needs it. */
function checkOptions(options: EnrollOptions): void {
  const bodyType = options.bodyType ?? 'ir';
  if (bodyType === 'p10cr') {
    if (!options.csr) throw new TypeError('core: p10cr needs `csr`');
    if (options.centralKeyGeneration) throw new TypeError('core: p10cr cannot ask for central key generation');
    return;
  }
  if (options.centralKeyGeneration && (options.keyPair || options.publicKey)) {
    throw new TypeError('core: centralKeyGeneration excludes keyPair and publicKey');
  }
  if (bodyType === 'kur' && !options.oldCertificate) throw new TypeError('core: kur needs `oldCertificate`');
}

/** The ir, cr, kur or p10cr body for `options`. */
export async function buildEnrollRequest(ctx: ClientContext, options: EnrollOptions, sender: GeneralName): Promise<EnrollRequest> {
  const bodyType = options.bodyType ?? 'ir';
  if (options.certReqMsg && bodyType !== 'p10cr') {
    const given = options.certReqMsg;
    const msg: CertReqMsg = options.raVerified ? { ...given, popo: { type: 'raVerified', value: null } } : given;
    return { body: { type: bodyType, content: [msg] }, certReqId: msg.certReq.certReqId, requestedKey: msg.certReq.certTemplate.publicKey };
  }
  checkOptions(options);
  if (bodyType === 'p10cr') {
    // The CSR's own signature is its POP; checking it here also gives the key the certificate must carry.
    const csr = await verifyCertificationRequest(options.csr!, {
      crypto: ctx.runtime.crypto,
      ...(ctx.init.algorithms ? { algorithms: ctx.init.algorithms } : {}),
    });
    return {
      body: { type: 'p10cr', content: { der: options.csr! } },
      certReqId: -1,
      requestedKey: csr.subjectPublicKeyInfo,
      csrSubject: csr.subject,
    };
  }
  const msg = await buildCertReqMsg(ctx, options, sender);
  return { body: { type: bodyType, content: [msg] }, certReqId: 0, requestedKey: msg.certReq.certTemplate.publicKey };
}

/** generalInfo of the request: implicitConfirm and certProfile when asked for. */
export function generalInfoOf(ctx: ClientContext, options: EnrollOptions): InfoTypeAndValue[] {
  const info: InfoTypeAndValue[] = [];
  if (options.implicitConfirm ?? ctx.init.implicitConfirm) info.push({ type: 'implicitConfirm', infoValue: null });
  if (options.certProfile) info.push({ type: 'certProfile', infoValue: [options.certProfile] });
  info.push(...(options.generalInfo ?? []));
  return info;
}
