import { infoTypeOid, oids, type AlgorithmIdentifier, type InfoTypeAndValue, type InfoTypeName } from '@cmpkit/codec';
import { ProtocolError } from '../../errors/protocol-error.js';
import { RequestRejectedError } from '../../errors/request-rejected-error.js';
import { chooseLanguageTag } from '../../message/language-tag.js';
import type { HandlerInput, HandlerOutcome } from '../handler-input.js';
import { encapsulateToRequester, isKemCiphertextRequest } from '../kem-protection.js';
import type { TransactionRecord } from '../stores.js';
import { claimTransactionId, profileOf, requesterKeyOf } from '../transaction-rules.js';

/**
 * Infotypes whose genm value MUST be absent (RFC 9810 section 5.3.19, RFC 9483 section 4.3): a
 * request carrying one is malformed.
 */
const VALUE_ABSENT: ReadonlySet<InfoTypeName> = new Set<InfoTypeName>([
  'caProtEncCert',
  'signKeyPairTypes',
  'encKeyPairTypes',
  'preferredSymmAlg',
  'currentCRL',
  'caCerts',
  'certReqTemplate',
]);

/** Infotypes whose genm value is required: suppLangTags, crlStatusList, keyPairParamReq. */
const VALUE_REQUIRED: ReadonlySet<InfoTypeName> = new Set<InfoTypeName>(['suppLangTags', 'crlStatusList', 'keyPairParamReq']);

/**
 * The content-encryption algorithm cmpkit's EnvelopedData uses (AES-256-CBC, RFC 3565), the
 * answer to preferredSymmAlg. It names the algorithm, so it carries no IV.
 */
const PREFERRED_SYMMETRIC: AlgorithmIdentifier = { algorithm: oids.id_aes256_CBC };

function malformed(item: InfoTypeAndValue, why: string): never {
  throw new RequestRejectedError(
    'badRequest',
    `genm ${item.type === 'invalid' || item.type === 'other' ? infoTypeOid(item) : item.type}: ${why}`,
  );
}

/** Refuses a genm item whose value breaks its infotype's request syntax. */
function checkRequestValue(item: InfoTypeAndValue): void {
  if (item.type === 'invalid') malformed(item, `the value does not have the syntax of its infoType (${item.error.message})`);
  if (item.type === 'other') return;
  if (VALUE_ABSENT.has(item.type) && item.infoValue !== undefined) malformed(item, 'the value must be absent in a request');
  if (VALUE_REQUIRED.has(item.type) && item.infoValue === undefined) malformed(item, 'the value is required');
  if (item.type === 'suppLangTags' && item.infoValue?.length === 0) malformed(item, 'at least one language tag is required');
}

/** The key pair types for both usages, for keyPairParamReq. */
async function allKeyPairTypes(input: HandlerInput): Promise<readonly AlgorithmIdentifier[]> {
  const issuer = input.ctx.init.issuer;
  if (!issuer.keyPairTypes) return [];
  const profile = profileOf(input);
  return [...(await issuer.keyPairTypes('signature', profile)), ...(await issuer.keyPairTypes('encryption', profile))];
}

/** Answers one infotype; undefined when it is not supported (it then goes into unsupportedOIDs). */
async function answer(input: HandlerInput, item: InfoTypeAndValue): Promise<InfoTypeAndValue | undefined> {
  const { ctx } = input;
  const issuer = ctx.init.issuer;
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
    case 'currentCRL': {
      if (!issuer.crls) return undefined;
      const [crl] = await issuer.crls([]);
      return crl ? { type: 'currentCRL', infoValue: { der: crl } } : { type: 'currentCRL' };
    }
    case 'signKeyPairTypes':
    case 'encKeyPairTypes': {
      if (!issuer.keyPairTypes) return undefined;
      const types = await issuer.keyPairTypes(item.type === 'signKeyPairTypes' ? 'signature' : 'encryption', profileOf(input));
      // SEQUENCE SIZE (1..MAX): "none" is an absent value.
      return types.length ? { type: item.type, infoValue: [...types] } : { type: item.type };
    }
    case 'keyPairParamReq': {
      // RFC 9810 section 5.3.19.8: the parameters of the asked algorithm; absent when it is not supported.
      const found = (await allKeyPairTypes(input)).find((alg) => alg.algorithm === item.infoValue);
      return found ? { type: 'keyPairParamRep', infoValue: found } : { type: 'keyPairParamRep' };
    }
    case 'preferredSymmAlg':
      return { type: 'preferredSymmAlg', infoValue: PREFERRED_SYMMETRIC };
    case 'caProtEncCert': {
      if (!issuer.protocolEncryptionCertificate) return { type: 'caProtEncCert' };
      const certificate = await issuer.protocolEncryptionCertificate();
      return certificate ? { type: 'caProtEncCert', infoValue: { der: certificate } } : { type: 'caProtEncCert' };
    }
    case 'suppLangTags': {
      const chosen = chooseLanguageTag(item.infoValue ?? [], ctx.init.languageTags ?? ['en']);
      // "If none of the offered tags are supported, an error MUST be returned."
      if (chosen === undefined)
        throw new RequestRejectedError('badRequest', `none of the language tags ${item.infoValue?.join(', ')} is supported`);
      return { type: 'suppLangTags', infoValue: [chosen] };
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

/**
 * genm (RFC 9483 section 4.3, RFC 9810 sections 5.3.19 and 5.3.20). Every item is checked first:
 * a value where the request must have none, a missing required value, or one that does not have
 * its infotype's syntax refuses the whole genm with badRequest. Then each item is answered in
 * order (RFC 9483 asks for one item per genm; several are answered each, as RFC 9810 allows), and
 * the OIDs of the items the server does not support are listed in one unsupportedOIDs item at the
 * end (section 5.3.19.7). An empty genm gets the CA certificates.
 */
export async function handleGeneralMessage(input: HandlerInput): Promise<HandlerOutcome> {
  const { request } = input;
  if (request.body.type !== 'genm') throw new ProtocolError('badRequest', 'not a genm');
  if (isKemCiphertextRequest(input.ctx, request)) return kemCiphertext(input);
  const items: InfoTypeAndValue[] = request.body.content.length ? request.body.content : [{ type: 'caCerts' }];
  for (const item of items) checkRequestValue(item);
  await claimTransactionId(input);
  const answers: InfoTypeAndValue[] = [];
  const unsupported: string[] = [];
  for (const item of items) {
    const a = await answer(input, item);
    if (a) answers.push(a);
    else unsupported.push(infoTypeOid(item));
  }
  if (unsupported.length) answers.push({ type: 'unsupportedOIDs', infoValue: [...new Set(unsupported)] });
  return { reply: { body: { type: 'genp', content: answers } }, record: null };
}
