import {
  INFO_TYPE_OIDS,
  oids,
  type CertReqTemplateContent,
  type CRLStatus,
  type DerValue,
  type InfoTypeAndValue,
  type InfoTypeAndValueOf,
  type InfoTypeName,
  type RootCaKeyUpdateContent,
} from '@cmpkit/codec';
import { parseCertificate, verifyCertificatePath } from '@cmpkit/protection';
import { ProtocolError } from '../errors/protocol-error.js';
import { bytesEqual } from '../message/bytes.js';
import { namesEqual } from '../message/general-names.js';
import type { TransactionState } from '../message/transaction-state.js';
import type { ClientContext } from './client-context.js';
import { startTransaction } from './kem-transaction.js';
import { exchange } from './exchange.js';
import { freeText, pollForResponse } from './poll.js';

/** Per-call options of the general-message operations. */
export interface GeneralMessageOptions {
  signal?: AbortSignal;
  /** The certificate profile the question is about (RFC 9483 certProfile). */
  certProfile?: string;
}

/**
 * genm/genp (RFC 9810 section 5.3.19, RFC 9483 section 4.3): sends the given InfoTypeAndValues
 * and returns the InfoTypeAndValues of the genp. A server that answers "waiting" is polled.
 */
export async function generalMessage(
  ctx: ClientContext,
  items: InfoTypeAndValue[],
  options: GeneralMessageOptions = {},
): Promise<InfoTypeAndValue[]> {
  const transaction: TransactionState = await startTransaction(ctx, options.signal);
  const startedAt = ctx.runtime.clock().getTime();
  const generalInfo: InfoTypeAndValue[] = options.certProfile ? [{ type: 'certProfile', infoValue: [options.certProfile] }] : [];
  let answer = await exchange(ctx, transaction, { type: 'genm', content: items }, ['genp'], {
    signal: options.signal,
    acceptWaiting: true,
    ...(generalInfo.length ? { generalInfo } : {}),
  });
  if (answer.message.body.type === 'error') {
    answer = await pollForResponse(ctx, transaction, {
      request: 'genm',
      transactionID: transaction.transactionID,
      certReqId: -1,
      firstCheckAfter: 0,
      firstReason: freeText(answer.message.body.content.pKIStatusInfo.statusString),
      final: ['genp'],
      signal: options.signal,
      startedAt,
    });
  }
  if (answer.message.body.type !== 'genp') throw new ProtocolError('badRequest', `expected genp but got ${answer.message.body.type}`);
  const content = answer.message.body.content;
  const invalid = content.find((itav) => itav.type === 'invalid');
  if (invalid?.type === 'invalid') {
    throw new ProtocolError('badDataFormat', `the genp answers ${invalid.infoType} with a value of the wrong syntax`, invalid.error);
  }
  return content;
}

/**
 * The answer of infotype `type` to a genm that asked `asked`, or undefined when the genp holds
 * none (RFC 9483 section 4.3 wants exactly one; OpenSSL 3.0's mock server echoes the request
 * instead, which is read as "nothing to report").
 *
 * @throws ProtocolError badRequest when the server lists `asked` as unsupported, badDataFormat
 *   when the genp holds more than one answer of the type.
 */
function answerOf<T extends InfoTypeName>(
  items: readonly InfoTypeAndValue[],
  type: T,
  asked: InfoTypeName,
): InfoTypeAndValueOf<T> | undefined {
  const unsupported = items.find((itav) => itav.type === 'unsupportedOIDs');
  if (unsupported?.type === 'unsupportedOIDs' && unsupported.infoValue?.includes(INFO_TYPE_OIDS[asked])) {
    throw new ProtocolError('badRequest', `the server does not support genm ${asked}`);
  }
  const found = items.filter((itav): itav is InfoTypeAndValueOf<T> => itav.type === type);
  if (found.length > 1) throw new ProtocolError('badDataFormat', `the genp holds ${found.length} ${type} answers`);
  return found[0];
}

/** RFC 9810 section 5.3.19.16: no publicKey in the template; keySpec of algId (not rsaEncryption) and rsaKeyLen only (the codec checks rsaKeyLen's range). */
function checkCertReqTemplate(content: CertReqTemplateContent): CertReqTemplateContent {
  const bad = (why: string): never => {
    throw new ProtocolError('badDataFormat', `the certReqTemplate ${why}`);
  };
  if (content.certTemplate.publicKey) bad('carries a publicKey (RFC 9810 section 5.3.19.16: it MUST NOT)');
  for (const control of content.keySpec ?? []) {
    if (control.type === 'algId' && control.value.algorithm === oids.rsaEncryption)
      bad('names rsaEncryption in algId (rsaKeyLen is for RSA)');
    else if (control.type === 'rsaKeyLen' && !(Number.isInteger(control.value) && control.value >= 1))
      bad(`has rsaKeyLen ${control.value}`);
    else if (control.type !== 'algId' && control.type !== 'rsaKeyLen')
      bad(`has a keySpec control other than algId and rsaKeyLen (${control.type})`);
  }
  return content;
}

/** CA certificates (RFC 9483 section 4.3.1): the certificates the PKI wants the EE to know. */
export async function getCaCertificates(ctx: ClientContext, options?: GeneralMessageOptions): Promise<Uint8Array[]> {
  const items = await generalMessage(ctx, [{ type: 'caCerts' }], options);
  return (answerOf(items, 'caCerts', 'caCerts')?.infoValue ?? []).map((c) => c.der);
}

/** A verified root CA key update (RFC 9483 section 4.3.2). */
export interface RootCaUpdate {
  /** The new root CA certificate. */
  newWithNew: Uint8Array;
  /** The new root's key certified by the old root: proves the update comes from the old root. */
  newWithOld?: Uint8Array;
  /** The old root's key certified by the new root, for relying parties still on the old one. */
  oldWithNew?: Uint8Array;
}

/** Refuses a link certificate that certifies another key or name than `expected`. */
function sameKeyAndSubject(link: Uint8Array, expected: Uint8Array, linkName: string, expectedName: string): void {
  const a = parseCertificate(link);
  const b = parseCertificate(expected);
  if (!bytesEqual(a.subjectPublicKeyInfoDer, b.subjectPublicKeyInfoDer) || !namesEqual(a.subject, b.subject)) {
    throw new ProtocolError('badCertId', `${linkName} does not certify the key and name of ${expectedName}`);
  }
}

/**
 * Checks a root CA key update against `oldRoot` (RFC 9810 section 4.4): newWithNew verifies under
 * itself, newWithOld carries newWithNew's key and name and verifies under the old root, and
 * oldWithNew, when present, carries the old root's key and name and verifies under the new root.
 */
export async function verifyRootCaKeyUpdate(
  ctx: ClientContext,
  content: RootCaKeyUpdateContent,
  oldRoot: Uint8Array,
): Promise<RootCaUpdate> {
  const at = ctx.runtime.clock();
  const common = { at, crypto: ctx.runtime.crypto, ...(ctx.init.algorithms ? { algorithms: ctx.init.algorithms } : {}) };
  const newWithNew = content.newWithNew.der;
  await verifyCertificatePath(newWithNew, { anchors: [newWithNew], ...common });
  if (!content.newWithOld) {
    throw new ProtocolError('badDataFormat', 'the root CA update lacks newWithOld, so it cannot be checked against the old root');
  }
  // newWithOld must certify the new root's key under the old root; oldWithNew the old root's key under the new one.
  sameKeyAndSubject(content.newWithOld.der, newWithNew, 'newWithOld', 'newWithNew');
  await verifyCertificatePath(content.newWithOld.der, { anchors: [oldRoot], ...common });
  const update: RootCaUpdate = { newWithNew, newWithOld: content.newWithOld.der };
  if (content.oldWithNew) {
    sameKeyAndSubject(content.oldWithNew.der, oldRoot, 'oldWithNew', 'the old root');
    await verifyCertificatePath(content.oldWithNew.der, { anchors: [newWithNew], ...common });
    update.oldWithNew = content.oldWithNew.der;
  }
  return update;
}

/**
 * Root CA update (RFC 9483 section 4.3.2): asks whether `oldRoot` has a successor. Returns
 * undefined when there is none; the update is checked by {@link verifyRootCaKeyUpdate}.
 */
export async function getRootCaUpdate(
  ctx: ClientContext,
  oldRoot: Uint8Array,
  options?: GeneralMessageOptions,
): Promise<RootCaUpdate | undefined> {
  const items = await generalMessage(ctx, [{ type: 'rootCaCert', infoValue: { der: oldRoot } }], options);
  const content: RootCaKeyUpdateContent | undefined = answerOf(items, 'rootCaKeyUpdate', 'rootCaCert')?.infoValue;
  return content ? verifyRootCaKeyUpdate(ctx, content, oldRoot) : undefined;
}

/** Certificate request template (RFC 9483 section 4.3.3); undefined when the server has none. */
export async function getCertReqTemplate(ctx: ClientContext, options?: GeneralMessageOptions): Promise<CertReqTemplateContent | undefined> {
  const items = await generalMessage(ctx, [{ type: 'certReqTemplate' }], options);
  const content = answerOf(items, 'certReqTemplate', 'certReqTemplate')?.infoValue;
  return content && checkCertReqTemplate(content);
}

/**
 * CRL update retrieval (RFC 9483 section 4.3.4): sends the CRL sources (and the thisUpdate of the
 * CRLs already held); returns the newer CRLs (DER), none when nothing is newer.
 */
export async function getCrls(ctx: ClientContext, status: CRLStatus[], options?: GeneralMessageOptions): Promise<Uint8Array[]> {
  const items = await generalMessage(ctx, [{ type: 'crlStatusList', infoValue: status }], options);
  const crls: DerValue[] = answerOf(items, 'crls', 'crlStatusList')?.infoValue ?? [];
  return crls.map((c) => c.der);
}
