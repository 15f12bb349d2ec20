import type {
  CertReqTemplateContent,
  CRLStatus,
  DerValue,
  InfoTypeAndValue,
  InfoTypeAndValueOf,
  InfoTypeName,
  RootCaKeyUpdateContent,
} from '@cmpkit/codec';
import { parseCertificate, verifyCertificatePath } from '@cmpkit/protection';
import { ProtocolError } from '../errors/protocol-error.js';
import { bytesEqual } from '../message/bytes.js';
import { namesEqual } from '../message/general-names.js';
import { randomBytes } from '../message/random.js';
import type { TransactionState } from '../message/transaction-state.js';
import type { ClientContext } from './client-context.js';
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
  const transaction: TransactionState = { transactionID: randomBytes(ctx.runtime.crypto, 16) };
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
  return answer.message.body.content;
}

/** The answer of infotype `type` in a genp, or undefined when the server sent none. */
function answerOf<T extends InfoTypeName>(items: readonly InfoTypeAndValue[], type: T): InfoTypeAndValueOf<T> | undefined {
  const found = items.filter((itav): itav is InfoTypeAndValueOf<T> => itav.type === type);
  if (found.length > 1) throw new ProtocolError('badDataFormat', `genp holds ${found.length} ${type} answers`);
  return found[0];
}

/** CA certificates (RFC 9483 section 4.3.1): the certificates the PKI wants the EE to know. */
export async function getCaCertificates(ctx: ClientContext, options?: GeneralMessageOptions): Promise<Uint8Array[]> {
  const items = await generalMessage(ctx, [{ type: 'caCerts' }], options);
  return (answerOf(items, 'caCerts')?.infoValue ?? []).map((c) => c.der);
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
  const content: RootCaKeyUpdateContent | undefined = answerOf(items, 'rootCaKeyUpdate')?.infoValue;
  return content ? verifyRootCaKeyUpdate(ctx, content, oldRoot) : undefined;
}

/** Certificate request template (RFC 9483 section 4.3.3); undefined when the server has none. */
export async function getCertReqTemplate(ctx: ClientContext, options?: GeneralMessageOptions): Promise<CertReqTemplateContent | undefined> {
  const items = await generalMessage(ctx, [{ type: 'certReqTemplate' }], options);
  return answerOf(items, 'certReqTemplate')?.infoValue;
}

/**
 * CRL update retrieval (RFC 9483 section 4.3.4): sends the CRL sources (and the thisUpdate of the
 * CRLs already held); returns the newer CRLs (DER), none when nothing is newer.
 */
export async function getCrls(ctx: ClientContext, status: CRLStatus[], options?: GeneralMessageOptions): Promise<Uint8Array[]> {
  const items = await generalMessage(ctx, [{ type: 'crlStatusList', infoValue: status }], options);
  const crls: DerValue[] = answerOf(items, 'crls')?.infoValue ?? [];
  return crls.map((c) => c.der);
}
