import { decodeBase64, type DecodedPKIMessage } from '@cmpkit/codec';
import { ProtocolError } from '../errors/protocol-error.js';
import { bytesEqual, toHex } from '../message/bytes.js';
import type { Requester } from './requester.js';
import type { TransactionRecord } from './stores.js';
import type { HandlerInput } from './handler-input.js';
import type { ServerContext } from './server-context.js';

/** A stable key for who a requester is: the MAC reference, or the SHA-256 of the signer certificate. */
export async function requesterKeyOf(crypto: Crypto, requester: Requester): Promise<string> {
  switch (requester.kind) {
    case 'mac':
      return `mac:${requester.senderKID ? toHex(requester.senderKID) : ''}`;
    case 'signature':
      return `sig:${toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(requester.certificate))))}`;
    case 'kem':
      return `kem:${toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(requester.certificate))))}`;
    case 'unprotected':
      return 'unprotected';
  }
}

/**
 * Opens the transaction of a new request (ir/cr/kur/p10cr/ccr, rr, genm) under its ID. An ID in
 * use is refused with transactionIdInUse, except the one a genm KemCiphertextInfo prepared for
 * this requester (RFC 9810 Appendix E Figure 3): its KEM-MAC protected request continues it,
 * with recipNonce equal to the genp's senderNonce. KEM state of the request is kept in the record.
 */
export async function openTransaction(input: HandlerInput, record: TransactionRecord): Promise<void> {
  const { ctx, transactionId, auth } = input;
  const full: TransactionRecord = { ...record, ...auth.kem };
  if (await ctx.transactions.create(transactionId, full, ctx.policy.transactionTtl)) return;
  const existing = auth.requester.kind === 'kem' ? await ctx.transactions.get(transactionId) : undefined;
  if (existing?.state === 'kemReady') {
    const recipNonce = input.request.header.recipNonce;
    if (!recipNonce || toHex(recipNonce) !== existing.lastResponseNonce) {
      throw new ProtocolError('badRecipientNonce', 'recipNonce does not match the senderNonce of the genp that carried the KEM ciphertext');
    }
    if (existing.requesterKey !== record.requesterKey)
      throw new ProtocolError('notAuthorized', 'the transaction was opened by another requester');
    await ctx.transactions.update(transactionId, full, ctx.policy.transactionTtl);
    return;
  }
  throw new ProtocolError('transactionIdInUse', `transactionID ${transactionId} is already in use`);
}

/**
 * Claims the transactionID of a one-exchange transaction (rr, genm) for transactionTtl, as ir
 * does for its own: an ID that an open or recent transaction uses is refused with
 * transactionIdInUse, and a later request cannot take this one's ID either.
 */
export async function claimTransactionId(input: HandlerInput): Promise<void> {
  const { ctx, request } = input;
  const record: TransactionRecord = {
    bodyType: request.body.type,
    state: 'done',
    lastResponseNonce: '',
    requesterKey: await requesterKeyOf(ctx.runtime.crypto, input.auth.requester),
    pvno: request.header.pvno,
    certificates: [],
    tickets: [],
    ...protectionAlgOf(request),
  };
  await openTransaction(input, record);
}

/** The protectionAlg OID to record for a transaction a request opens. */
export function protectionAlgOf(request: DecodedPKIMessage): Pick<TransactionRecord, 'protectionAlg'> {
  const alg = request.header.protectionAlg?.algorithm;
  return alg ? { protectionAlg: alg } : {};
}

/**
 * The record a finished transaction leaves behind, kept for transactionTtl: enough to refuse its
 * transactionID to a new transaction (transactionIdInUse) and a repeated certConf (certConfirmed),
 * nothing to revoke or deliver.
 */
export function finishedRecord(record: TransactionRecord, outcome: { confirmed?: boolean } = {}): TransactionRecord {
  return {
    bodyType: record.bodyType,
    state: 'done',
    lastResponseNonce: record.lastResponseNonce,
    requesterKey: record.requesterKey,
    pvno: record.pvno,
    certificates: [],
    tickets: [],
    ...(record.protectionAlg ? { protectionAlg: record.protectionAlg } : {}),
    ...(outcome.confirmed ? { confirmed: true } : {}),
  };
}

/** Ends a transaction now: its record stays as {@link finishedRecord} for transactionTtl. */
export async function finishTransaction(ctx: ServerContext, transactionId: string, record: TransactionRecord): Promise<void> {
  await ctx.transactions.update(transactionId, finishedRecord(record), ctx.policy.transactionTtl);
}

/** True when `transactionId` names a finished transaction whose certificates were confirmed. */
export async function isConfirmedTransaction(ctx: ServerContext, transactionId: string): Promise<boolean> {
  const record = await ctx.transactions.get(transactionId);
  return record?.state === 'done' && record.confirmed === true;
}

/** The protection kind of a requester key: `mac`, `sig` or `unprotected`. */
function protectionKindOf(requesterKey: string): string {
  return requesterKey.split(':')[0] as string;
}

/**
 * A follow-up must come from whoever opened the transaction, protected the same way (RFC 9483
 * sections 3.2 and 4.1): signed with the certificate just issued is wrongAuthority, another kind
 * of protection wrongIntegrity, another MAC algorithm badMessageCheck, anyone else notAuthorized.
 */
async function checkSameRequester(input: HandlerInput, record: TransactionRecord): Promise<void> {
  const { ctx, request, auth } = input;
  const requester = auth.requester;
  if (requester.kind === 'signature' && record.certificates.some((c) => bytesEqual(decodeBase64(c.certificate), requester.certificate))) {
    throw new ProtocolError(
      'wrongAuthority',
      'the message is signed with the certificate this transaction issued; the transaction goes on with the credential of its request',
    );
  }
  const key = await requesterKeyOf(ctx.runtime.crypto, requester);
  const kind = protectionKindOf(key);
  const opened = protectionKindOf(record.requesterKey);
  if (kind !== opened) {
    throw new ProtocolError('wrongIntegrity', `the transaction was opened with ${opened} protection and must keep it, not ${kind}`);
  }
  if (key !== record.requesterKey) throw new ProtocolError('notAuthorized', 'the transaction was opened by another requester');
  const alg = request.header.protectionAlg?.algorithm;
  if (kind === 'mac' && record.protectionAlg && alg !== record.protectionAlg) {
    throw new ProtocolError('badMessageCheck', 'the MAC algorithm changed within the transaction');
  }
}

/**
 * Loads the open transaction a follow-up message (certConf, pollReq, error) belongs to and checks
 * it continues it: expected state (a certConf for a confirmed one is certConfirmed), recipNonce
 * equal to our last senderNonce, same requester and protection.
 */
export async function continueTransaction(input: HandlerInput, states: readonly TransactionRecord['state'][]): Promise<TransactionRecord> {
  const { ctx, request, transactionId } = input;
  const record = await ctx.transactions.get(transactionId);
  if (!record) throw new ProtocolError('badRequest', `no open transaction ${transactionId} for this ${request.body.type}`);
  if (request.body.type === 'certConf' && record.state === 'done' && record.confirmed) {
    throw new ProtocolError('certConfirmed', `the certificates of transaction ${transactionId} are already confirmed`);
  }
  if (record.state === 'done' && !states.includes('done')) {
    throw new ProtocolError('badRequest', `no open transaction ${transactionId} for this ${request.body.type}: it is finished`);
  }
  if (!states.includes(record.state)) {
    throw new ProtocolError('badRequest', `a ${request.body.type} does not fit transaction ${transactionId} in state ${record.state}`);
  }
  const recipNonce = request.header.recipNonce;
  if (!recipNonce || toHex(recipNonce) !== record.lastResponseNonce) {
    throw new ProtocolError('badRecipientNonce', 'recipNonce does not match the senderNonce of the last response');
  }
  await checkSameRequester(input, record);
  return record;
}

/** The certificate profile a request asks for: generalInfo certProfile, else an HTTP `/p/<label>` path. */
export function profileOf(input: HandlerInput): string | undefined {
  for (const itav of input.request.header.generalInfo ?? []) {
    if (itav.type === 'certProfile' && itav.infoValue?.[0]) return itav.infoValue[0];
  }
  const match = /^\/p\/([^/]+)\/?$/.exec(input.context.path ?? '');
  return match ? decodeURIComponent(match[1] as string) : undefined;
}

/** True when the request's generalInfo asks for implicit confirmation. */
export function asksImplicitConfirm(input: HandlerInput): boolean {
  return input.request.header.generalInfo?.some((itav) => itav.type === 'implicitConfirm') ?? false;
}
