import {
  decodeSubjectPublicKeyInfo,
  encodeGeneralNames,
  encodeSubjectPublicKeyInfo,
  oids,
  timeOf,
  type CertReqMsg,
  type CertRepMessage,
  type CertRequest,
  type CertResponse,
  type CertTemplate,
  type Control,
  type Extension,
  type FailInfo,
  type GeneralName,
  type InfoTypeAndValue,
  type Name,
  type PKIBody,
  type PKIBodyType,
  type SubjectPublicKeyInfo,
} from '@cmpkit/codec';
import {
  computeCertHash,
  createPOPOSigningKey,
  parseCertificate,
  verifyCertificatePath,
} from '@cmpkit/protection';
import { isCmpError } from '@cmpkit/codec';
import { ProtocolError } from '../errors/protocol-error.js';
import { RemoteError } from '../errors/remote-error.js';
import { bytesEqual } from '../message/bytes.js';
import { directoryName } from '../message/general-names.js';
import { randomBytes } from '../message/random.js';
import type { TransactionState } from '../message/transaction-state.js';
import { acceptCertificate, type CertificateDecision, type IssuedCertificate } from './certificate-decision.js';
import type { ClientContext } from './client-context.js';
import { exchange, type Exchanged } from './exchange.js';
import { pollForResponse } from './poll.js';

/** What to ask for in an ir, cr, kur or p10cr. */
export interface EnrollOptions {
  /** ir (default), cr, kur, or p10cr (then `csr` is required). */
  bodyType?: 'ir' | 'cr' | 'kur' | 'p10cr';
  /** The new key pair: its public key goes in the template, its private key signs the POP. */
  keyPair?: CryptoKeyPair;
  /** The new public key when no private key is at hand (no POP is sent). */
  publicKey?: SubjectPublicKeyInfo;
  /** A DER PKCS#10 request, for p10cr. */
  csr?: Uint8Array;
  subject?: Name;
  /** Written as a subjectAltName extension. */
  subjectAltNames?: GeneralName[];
  /** Further template extensions (DER values). */
  extensions?: Extension[];
  /** Requested validity. */
  validity?: { notBefore?: Date; notAfter?: Date };
  /** Requested issuer (usually left to the CA). */
  issuer?: Name;
  /** kur: the certificate being updated (its issuer and serial go in oldCertID). */
  oldCertificate?: Uint8Array;
  /** The certificate profile to use (RFC 9483 certProfile in generalInfo). */
  certProfile?: string;
  /** Ask for implicit confirmation; default from the client. */
  implicitConfirm?: boolean;
  signal?: AbortSignal;
}

/** A completed enrollment. */
export interface EnrollResult {
  /** DER of the new certificate. */
  certificate: Uint8Array;
  /** The verified path (new certificate first, anchor last) when it was checked. */
  path?: readonly Uint8Array[];
  caPubs: readonly Uint8Array[];
  extraCerts: readonly Uint8Array[];
  /** True when the CA granted implicit confirmation (no certConf was sent). */
  implicitConfirmGranted: boolean;
  /** accepted (0) or grantedWithMods (1). */
  status: number;
  transactionID: Uint8Array;
}

const RESPONSE_TYPE = { ir: 'ip', cr: 'cp', kur: 'kup', p10cr: 'cp' } as const satisfies Record<string, PKIBodyType>;
const PKI_STATUS = { accepted: 0, grantedWithMods: 1, waiting: 3 } as const;

async function spkiOf(ctx: ClientContext, options: EnrollOptions): Promise<SubjectPublicKeyInfo | undefined> {
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
  const subject = options.subject ?? (options.bodyType === 'kur' && options.oldCertificate ? parseCertificate(options.oldCertificate).subject : undefined);
  if (subject) template.subject = subject;
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

/** Builds the CertReqMsg of an ir/cr/kur, with POP when the private key is at hand. */
async function buildCertReqMsg(ctx: ClientContext, options: EnrollOptions, sender: GeneralName): Promise<CertReqMsg> {
  const publicKey = await spkiOf(ctx, options);
  const certRequest: CertRequest = { certReqId: 0, certTemplate: templateOf(options, publicKey) };
  if (options.bodyType === 'kur' && options.oldCertificate) certRequest.controls = [oldCertIdControl(options.oldCertificate)];
  const msg: CertReqMsg = { certReq: certRequest };
  if (options.keyPair) {
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

function generalInfoOf(ctx: ClientContext, options: EnrollOptions): InfoTypeAndValue[] {
  const info: InfoTypeAndValue[] = [];
  if (options.implicitConfirm ?? ctx.init.implicitConfirm) info.push({ type: 'implicitConfirm', infoValue: null });
  if (options.certProfile) info.push({ type: 'certProfile', infoValue: [options.certProfile] });
  return info;
}

function findResponse(rep: CertRepMessage, certReqId: number, bodyType: string): CertResponse {
  const response = rep.response.find((r) => r.certReqId === certReqId) ?? (rep.response.length === 1 ? rep.response[0] : undefined);
  if (!response) throw new ProtocolError('badRequest', `the ${bodyType} holds no response for certReqId ${certReqId}`);
  return response;
}

function certRepOf(answer: Exchanged): CertRepMessage {
  const body = answer.message.body;
  if (body.type !== 'ip' && body.type !== 'cp' && body.type !== 'kup') {
    throw new ProtocolError('badRequest', `expected a certificate response but got ${body.type}`);
  }
  return body.content;
}

/** Runs a complete enrollment: request, polling, checks, certConf/pkiConf. */
export async function enroll(ctx: ClientContext, options: EnrollOptions): Promise<EnrollResult> {
  const { runtime } = ctx;
  const bodyType = options.bodyType ?? 'ir';
  const transaction: TransactionState = { transactionID: randomBytes(runtime.crypto, 16) };
  const sender = ctx.sender ? directoryName(ctx.sender) : options.subject ? directoryName(options.subject) : directoryName([]);
  const responseType = RESPONSE_TYPE[bodyType];
  let body: PKIBody;
  let certReqId: number;
  let requestedKey: SubjectPublicKeyInfo | undefined;
  if (bodyType === 'p10cr') {
    if (!options.csr) throw new TypeError('core: p10cr needs `csr`');
    body = { type: 'p10cr', content: { der: options.csr } };
    certReqId = -1;
  } else {
    const msg = await buildCertReqMsg(ctx, options, sender);
    requestedKey = msg.certReq.certTemplate.publicKey;
    body = { type: bodyType, content: [msg] };
    certReqId = 0;
  }
  const startedAt = runtime.clock().getTime();
  const exchangeOptions = { signal: options.signal, generalInfo: generalInfoOf(ctx, options), sender };
  let answer = await exchange(ctx, transaction, body, [responseType], exchangeOptions);
  let response = findResponse(certRepOf(answer), certReqId, responseType);
  certReqId = response.certReqId;
  if (response.status.status === PKI_STATUS.waiting) {
    answer = await pollForResponse(ctx, transaction, {
      certReqId,
      firstCheckAfter: 0,
      final: [responseType],
      signal: options.signal,
      startedAt,
    });
    response = findResponse(certRepOf(answer), certReqId, responseType);
  }
  const status = response.status.status;
  if (status !== PKI_STATUS.accepted && status !== PKI_STATUS.grantedWithMods) {
    throw RemoteError.fromStatusInfo(response.status, responseType);
  }
  const certOrEncCert = response.certifiedKeyPair?.certOrEncCert;
  if (!certOrEncCert) throw new ProtocolError('badRequest', `the ${responseType} accepts the request but carries no certificate`);
  if (certOrEncCert.type !== 'certificate') {
    throw new ProtocolError('badRequest', 'the certificate came encrypted (indirect POP), which this client did not ask for');
  }
  const certificate = certOrEncCert.value.der;
  const rep = certRepOf(answer);
  const caPubs = (rep.caPubs ?? []).map((c) => c.der);
  const extraCerts = (answer.message.extraCerts ?? []).map((c) => c.der);
  const implicitConfirmGranted =
    (options.implicitConfirm ?? ctx.init.implicitConfirm ?? false) &&
    (answer.message.header.generalInfo?.some((itav) => itav.type === 'implicitConfirm') ?? false);

  let path: readonly Uint8Array[] | undefined;
  let decision: CertificateDecision;
  try {
    path = await checkNewCertificate(ctx, certificate, requestedKey, caPubs, extraCerts, answer.verified?.type === 'mac');
    const issued: IssuedCertificate = { certificate, caPubs, extraCerts, bodyType: responseType, ...(path ? { path } : {}) };
    decision = ctx.init.onCertificate ? await ctx.init.onCertificate(issued) : acceptCertificate;
  } catch (error) {
    if (!isCmpError(error)) throw error;
    decision = { accept: false, failInfo: error.failInfo[0] ?? 'badCertTemplate', reason: error.message };
    if (!implicitConfirmGranted) await confirm(ctx, transaction, certificate, certReqId, decision, options.signal);
    throw error;
  }
  if (!implicitConfirmGranted) await confirm(ctx, transaction, certificate, certReqId, decision, options.signal);
  if (!decision.accept) {
    throw new ProtocolError(decision.failInfo ?? 'badCertTemplate', `the new certificate was rejected: ${decision.reason ?? 'by onCertificate'}`);
  }
  const result: EnrollResult = {
    certificate,
    caPubs,
    extraCerts,
    implicitConfirmGranted,
    status,
    transactionID: transaction.transactionID,
  };
  if (path) result.path = path;
  return result;
}

/**
 * cmpkit's own checks of a new certificate: it carries the public key we asked for, and it has a
 * path to the trust anchors (the configured ones, else the caPubs of a MAC-protected response).
 */
async function checkNewCertificate(
  ctx: ClientContext,
  certificate: Uint8Array,
  requestedKey: SubjectPublicKeyInfo | undefined,
  caPubs: readonly Uint8Array[],
  extraCerts: readonly Uint8Array[],
  macProtected: boolean,
): Promise<readonly Uint8Array[] | undefined> {
  const parsed = parseCertificate(certificate);
  if (requestedKey && requestedKey.subjectPublicKey.length > 0) {
    if (!bytesEqual(parsed.subjectPublicKeyInfoDer, encodeSubjectPublicKeyInfo(requestedKey))) {
      throw new ProtocolError('badCertTemplate', 'the new certificate does not carry the public key that was requested');
    }
  }
  const anchors = ctx.init.trustAnchors?.length ? ctx.init.trustAnchors : macProtected ? caPubs : [];
  if (anchors.length === 0) {
    ctx.runtime.logger.warn('cmp: no trust anchors: the new certificate path is not checked');
    return undefined;
  }
  const path = await verifyCertificatePath(certificate, {
    anchors,
    untrusted: [...extraCerts, ...caPubs, ...(ctx.init.untrusted ?? [])],
    at: ctx.runtime.clock(),
    crypto: ctx.runtime.crypto,
    ...(ctx.init.algorithms ? { algorithms: ctx.init.algorithms } : {}),
    ...(ctx.init.allowSha1 ? { allowSha1: true } : {}),
  });
  return path.certificates;
}

/** Sends certConf (positive or negative) and expects pkiconf. */
async function confirm(
  ctx: ClientContext,
  transaction: TransactionState,
  certificate: Uint8Array,
  certReqId: number,
  decision: CertificateDecision,
  signal: AbortSignal | undefined,
): Promise<void> {
  const pvno = ctx.init.pvno ?? 2;
  const hash = await computeCertHash(certificate, {
    crypto: ctx.runtime.crypto,
    pvno: 3,
    ...(ctx.init.algorithms ? { algorithms: ctx.init.algorithms } : {}),
    hashAlg: { algorithm: oids.id_sha256 },
  });
  const status: { certHash: Uint8Array; certReqId: number; statusInfo?: { status: number; failInfo?: FailInfo[]; statusString?: string[] }; hashAlg?: { algorithm: string } } = {
    certHash: hash.certHash,
    certReqId,
  };
  if (hash.hashAlg) status.hashAlg = hash.hashAlg;
  if (!decision.accept) {
    status.statusInfo = {
      status: 2,
      failInfo: [decision.failInfo ?? 'badCertTemplate'],
      ...(decision.reason ? { statusString: [decision.reason] } : {}),
    };
  }
  await exchange(ctx, transaction, { type: 'certConf', content: [status] }, ['pkiconf'], {
    signal,
    pvno: hash.hashAlg ? 3 : pvno,
  });
}
