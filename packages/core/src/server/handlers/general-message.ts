import type { InfoTypeAndValue } from '@cmpkit/codec';
import { ProtocolError } from '../../errors/protocol-error.js';
import type { HandlerInput, HandlerOutcome } from '../handler-input.js';
import { encapsulateToRequester, isKemCiphertextRequest } from '../kem-protection.js';
import type { TransactionRecord } from '../stores.js';
import { claimTransactionId, profileOf, requesterKeyOf } from '../transaction-rules.js';

/** Answers one infotype; undefined leaves it out of the genp (the receiver may ignore unknown ones). */
async function answer(input: HandlerInput, item: InfoTypeAndValue): Promise<InfoTypeAndValue | undefined> {
  const issuer = input.ctx.init.issuer;
  switch (item.type) {
    case 'caCerts': {
      const certs = (await issuer.caCertificates?.()) ?? [];
      return certs.length ? { type: 'caCerts', infoValue: certs.map((der) => ({ der })) } : { type: 'caCerts' };
    }
    case 'rootCaCert': {
      const update = await issuer.rootCaKeyUpdate?.(item.infoValue?.der);
      return update ? { type: 'rootCaKeyUpdate', infoValue: update } : { type: 'rootCaKeyUpdate' };
    }
    case 'certReqTemplate': {
      const template = await issuer.certReqTemplate?.(profileOf(input));
      return template ? { type: 'certReqTemplate', infoValue: template } : { type: 'certReqTemplate' };
    }
    case 'crlStatusList': {
      const crls = (await issuer.crls?.(item.infoValue ?? [])) ?? [];
      return crls.length ? { type: 'crls', infoValue: crls.map((der) => ({ der })) } : { type: 'crls' };
    }
    default:
      return issuer.generalMessage?.(item, input.auth.requester);
  }
}

/**
 * genm KemCiphertextInfo from an end entity with an ML-KEM certificate (RFC 9810 section
 * 5.3.19.18, Appendix E Figure 3): a ciphertext encapsulated to the validated certificate; the
 * transaction stays open (`kemReady`) for the end entity's KEM-MAC protected request.
 */
async function kemCiphertext(input: HandlerInput): Promise<HandlerOutcome> {
  const { ctx, request, now, transactionId } = input;
  const { kemCiphertextInfo, record: kem } = await encapsulateToRequester(ctx, request, now);
  const certificate = request.extraCerts![0]!.der;
  const record: TransactionRecord = {
    bodyType: 'genm',
    state: 'kemReady',
    lastResponseNonce: '',
    requesterKey: await requesterKeyOf(ctx.runtime.crypto, {
      kind: 'kem',
      sender: request.header.sender,
      certificate,
      path: [certificate],
    }),
    pvno: request.header.pvno,
    certificates: [],
    tickets: [],
    ...kem,
  };
  if (!(await ctx.transactions.create(transactionId, record, ctx.policy.transactionTtl))) {
    throw new ProtocolError('transactionIdInUse', `transactionID ${transactionId} is already in use`);
  }
  return { reply: { body: { type: 'genp', content: [{ type: 'kemCiphertextInfo', infoValue: kemCiphertextInfo }] } }, record };
}

/** genm (RFC 9483 section 4.3): answers each known infotype; an empty genm gets the CA certificates. */
export async function handleGeneralMessage(input: HandlerInput): Promise<HandlerOutcome> {
  const { request } = input;
  if (request.body.type !== 'genm') throw new ProtocolError('badRequest', 'not a genm');
  if (isKemCiphertextRequest(input.ctx, request)) return kemCiphertext(input);
  await claimTransactionId(input);
  const items: InfoTypeAndValue[] = request.body.content.length ? request.body.content : [{ type: 'caCerts' }];
  const answers: InfoTypeAndValue[] = [];
  for (const item of items) {
    const a = await answer(input, item);
    if (a) answers.push(a);
  }
  return { reply: { body: { type: 'genp', content: answers } }, record: null };
}
