import {
  decodeBase64,
  decodePKIMessage,
  encodeBase64,
  encodePKIMessage,
  encodeSubjectPublicKeyInfo,
  SubsequentMessage,
  type Challenge,
  type CertId,
  type CertReqMsg,
  type CertResponse,
  type CertTemplate,
  type InfoTypeAndValue,
  type PKIBodyType,
  type SubjectPublicKeyInfo,
} from '@cmpkit/codec';
import { createPopChallenge, ML_KEM_OIDS, parseCertificate, verifyCertificationRequest, verifyPOP } from '@cmpkit/protection';
import { ProtocolError } from '../../errors/protocol-error.js';
import { RequestRejectedError } from '../../errors/request-rejected-error.js';
import { toHex } from '../../message/bytes.js';
import { namesEqual } from '../../message/general-names.js';
import { isAuthorizedRa } from '../authorized-ra.js';
import type { HandlerInput, HandlerOutcome } from '../handler-input.js';
import type { CertificationRequest, CertificationResult } from '../issuer.js';
import type { Requester } from '../requester.js';
import type { Reply } from '../respond.js';
import type { TransactionRecord } from '../stores.js';
import { checkKeyChanged, checkTemplate, placementProblem } from './cert-req-content.js';
import { certifiedKeyPairOf, encryptIssued, envelopeIssued, keyRecipient, rejection } from './certificate-responses.js';
import {
  asksImplicitConfirm,
  continueTransaction,
  finishedRecord,
  finishTransaction,
  openTransaction,
  profileOf,
  protectionAlgOf,
  requesterKeyOf,
} from '../transaction-rules.js';

const RESPONSE_TYPE: Partial<Record<PKIBodyType, 'ip' | 'cp' | 'kup' | 'ccp'>> = {
  ir: 'ip',
  cr: 'cp',
  p10cr: 'cp',
  kur: 'kup',
  ccr: 'ccp',
};

/** The response type of a certification request type. */
export function certResponseType(bodyType: PKIBodyType): 'ip' | 'cp' | 'kup' | 'ccp' {
  const type = RESPONSE_TYPE[bodyType];
  if (!type) throw new ProtocolError('badRequest', `${bodyType} is not a certification request`);
  return type;
}

/**
 * kur (RFC 9483 section 4.1.3): the holder of the current certificate, for the same subject; or
 * an authorised RA acting for the holder (section 5.2.3), which must name the certificate in
 * oldCertID. Returns the certificate being updated when the holder signed.
 */
function checkKeyUpdate(msg: CertReqMsg, requester: Requester, ra: boolean): { oldCertificate?: Uint8Array; oldCertID?: CertId } {
  const oldCertId = msg.certReq.controls?.find((c) => c.type === 'oldCertID');
  const id = oldCertId?.type === 'oldCertID' ? oldCertId.value : undefined;
  if (requester.kind === 'signature') {
    const current = parseCertificate(requester.certificate);
    const namesSigner =
      !id ||
      (id.issuer.type === 'directoryName' && namesEqual(id.issuer.value, current.issuer) && id.serialNumber === current.serialNumber);
    if (!namesSigner && ra && id) return { oldCertID: id };
    if (!namesSigner) throw new RequestRejectedError('badCertId', 'oldCertID does not name the certificate that signed the kur');
    const subject = msg.certReq.certTemplate.subject;
    if (subject && subject.length > 0 && !namesEqual(subject, current.subject)) {
      throw new RequestRejectedError('notAuthorized', 'kur may not change the subject');
    }
    return { oldCertificate: requester.certificate, ...(id ? { oldCertID: id } : {}) };
  }
  if (ra && id) return { oldCertID: id };
  throw new RequestRejectedError('notAuthorized', 'kur must be signed with the certificate being updated');
}

interface Requested {
  certReqId: number;
  request: CertificationRequest;
}

/**
 * Indirect POP (RFC 9810 section 5.2.8.3.2): a key that cannot sign asks for its certificate
 * encrypted (POPOPrivKey subsequentMessage encrCert) and proves possession with certConf.
 * Returns true for that form; refuses forms this server does not offer, and a signature POP
 * with a key that cannot sign.
 */
function indirectPop(msg: CertReqMsg): 'encrCert' | 'challengeResp' | undefined {
  const popo = msg.popo;
  const key = msg.certReq.certTemplate.publicKey?.algorithm.algorithm;
  const kem = key !== undefined && Object.values(ML_KEM_OIDS).includes(key);
  if (popo?.type === 'keyEncipherment' || popo?.type === 'keyAgreement') {
    const value = popo.value;
    if (value.type !== 'subsequentMessage') return undefined; // encryptedKey and the deprecated forms: verifyPOP refuses them
    if (value.value === SubsequentMessage.encrCert) return 'encrCert';
    if (value.value === SubsequentMessage.challengeResp && kem) return 'challengeResp';
    throw new RequestRejectedError('badPOP', 'POP by challenge-response (popdecc) is offered for ML-KEM keys only; use encrCert');
  }
  if (kem && popo?.type === 'signature') {
    throw new RequestRejectedError('badPOP', 'an ML-KEM key cannot sign: prove possession indirectly (encrCert or challengeResp)');
  }
  return undefined;
}

/** Checks one CertReqMsg (POP, kur rules) and turns it into a CertificationRequest. */
async function checkCertReqMsg(
  input: HandlerInput,
  msg: CertReqMsg,
  profile: string | undefined,
  proven: boolean,
): Promise<CertificationRequest> {
  const { ctx, request, auth } = input;
  const bodyType = request.body.type;
  const template = msg.certReq.certTemplate;
  const central = !template.publicKey || template.publicKey.subjectPublicKey.length === 0;
  checkTemplate(msg, central);
  const ra = await isAuthorizedRa(ctx, auth.requester);
  let indirect: 'encrCert' | 'challengeResp' | undefined;
  if (central) {
    // Refused before anything is issued when the key could not be delivered (RFC 9483 4.1.6).
    await keyRecipient(input);
  } else {
    if (msg.popo?.type === 'raVerified' && bodyType === 'kur') {
      // RFC 9483 section 5.2.3.2: a kur keeps the end entity's own POP; no RA vouches for it.
      throw new RequestRejectedError('badPOP', 'raVerified is not accepted in a kur');
    }
    if (msg.popo?.type === 'raVerified' && !(ctx.policy.acceptRAVerified && ra)) {
      // RFC 9483 section 5.2.3.2: only an RA the CA trusts may vouch for POP.
      if (ra) throw new RequestRejectedError('badPOP', 'raVerified POP is not accepted by this server');
      throw new RequestRejectedError(
        ['badPOP', 'notAuthorized'],
        'raVerified POP is accepted only from an authorised RA, and this request is not signed by one',
      );
    }
    const secret = auth.requester.kind === 'mac' ? auth.secret : undefined;
    indirect = indirectPop(msg);
    if (indirect === 'challengeResp' && proven)
      indirect = undefined; // answered in popdecr
    else if (!indirect)
      await verifyPOP(msg, {
        crypto: ctx.runtime.crypto,
        keyDeriver: ctx.keyDeriver,
        acceptRaVerified: ctx.policy.acceptRAVerified && ra,
        // poposkInput (RFC 4211 section 4.1): authInfo sender must be the authenticated sender,
        // publicKeyMAC is keyed with the shared secret of a MAC-protected request.
        ...(auth.requester.kind !== 'unprotected' ? { sender: auth.requester.sender } : {}),
        ...(secret !== undefined ? { publicKeyMACSecret: secret } : {}),
        ...(ctx.init.protection.algorithms ? { algorithms: ctx.init.protection.algorithms } : {}),
        ...(ctx.init.protection.macBounds ? { macBounds: ctx.init.protection.macBounds } : {}),
      });
  }
  const out: CertificationRequest = {
    bodyType,
    certReqId: msg.certReq.certReqId,
    template,
    centralKeyGeneration: central,
    requester: auth.requester,
    transactionId: input.transactionId,
    received: request,
  };
  if (!central) out.publicKey = template.publicKey as SubjectPublicKeyInfo;
  if (indirect) out.proofOfPossession = indirect;
  if (profile) out.profile = profile;
  if (bodyType === 'kur') {
    Object.assign(out, checkKeyUpdate(msg, auth.requester, ra));
    if (out.oldCertificate && !ctx.policy.allowKeyReuseOnUpdate) checkKeyChanged(template, out.oldCertificate);
  }
  return out;
}

/** A p10cr (RFC 9483 section 4.1.4): the PKCS#10 signature is the POP. */
async function checkP10cr(input: HandlerInput, csr: Uint8Array, profile: string | undefined): Promise<CertificationRequest> {
  const { ctx, auth } = input;
  const parsed = await verifyCertificationRequest(csr, {
    crypto: ctx.runtime.crypto,
    ...(ctx.init.protection.algorithms ? { algorithms: ctx.init.protection.algorithms } : {}),
  });
  const template: CertTemplate = { subject: parsed.subject, publicKey: parsed.subjectPublicKeyInfo };
  if (parsed.extensions.length) template.extensions = [...parsed.extensions];
  return {
    bodyType: 'p10cr',
    certReqId: -1,
    template,
    publicKey: parsed.subjectPublicKeyInfo,
    centralKeyGeneration: false,
    requester: auth.requester,
    transactionId: input.transactionId,
    received: input.request,
    csr,
    ...(profile ? { profile } : {}),
  };
}

/**
 * Runs the authorizer and the issuer for one request. A template amended by the authorizer makes
 * an issued certificate grantedWithMods.
 */
async function certify(input: HandlerInput, request: CertificationRequest): Promise<CertificationResult> {
  const { ctx } = input;
  const amended = await ctx.init.authorizer?.authorizeCertification?.(request);
  if (!amended || amended === request.template) return ctx.init.issuer.certify(request);
  const result = await ctx.init.issuer.certify({ ...request, template: amended });
  return result.status === 'issued' ? { ...result, modified: true } : result;
}

/** The CertResponse of an issued certificate; records it for certConf. */
/** Certificates of this request as DER, next to their base64 in the record (not decoded again). */
export interface IssuedDer {
  certificates: Uint8Array[];
  extraCerts?: readonly Uint8Array[];
  caPubs?: readonly Uint8Array[];
}

async function issuedResponse(
  input: HandlerInput,
  certReqId: number,
  result: Extract<CertificationResult, { status: 'issued' }>,
  record: TransactionRecord,
  encrCert: boolean,
  der: IssuedDer,
): Promise<CertResponse> {
  const response: CertResponse = {
    certReqId,
    status: { status: result.modified ? 1 : 0 },
    certifiedKeyPair: { certOrEncCert: { type: 'certificate', value: { der: result.certificate } } },
  };
  const entry: TransactionRecord['certificates'][number] = {
    certReqId,
    certificate: encodeBase64(result.certificate),
    ...(result.modified ? { modified: true } : {}),
  };
  if (result.privateKeyPkcs8) {
    entry.envelopedKey = encodeBase64(await envelopeIssued(input, result.privateKeyPkcs8, result.certificate));
  }
  if (encrCert) entry.encryptedCert = encodeBase64(await encryptIssued(input, result.certificate));
  response.certifiedKeyPair = certifiedKeyPairOf(entry);
  record.certificates.push(entry);
  der.certificates.push(result.certificate);
  if (result.chain?.length) {
    record.extraCerts = result.chain.map(encodeBase64);
    der.extraCerts = result.chain;
  }
  if (result.caPubs?.length) {
    record.caPubs = result.caPubs.map(encodeBase64);
    der.caPubs = result.caPubs;
  }
  return response;
}

/**
 * Builds the final certificate response for a transaction's issued certificates, deciding on
 * implicit confirmation (granted only when asked for and allowed by policy). `issued` holds the
 * certificates as DER when they were issued in this request; otherwise they come from the record.
 */
export async function finishCertification(
  input: HandlerInput,
  responseType: 'ip' | 'cp' | 'kup' | 'ccp',
  responses: CertResponse[],
  record: TransactionRecord,
  issued?: IssuedDer,
): Promise<HandlerOutcome> {
  const { ctx, now } = input;
  const generalInfo: InfoTypeAndValue[] = [];
  const caPubs = issued ? (issued.caPubs ?? []) : (record.caPubs ?? []).map(decodeBase64);
  const reply: Reply = {
    body: { type: responseType, content: { ...(caPubs.length ? { caPubs: caPubs.map((der) => ({ der })) } : {}), response: responses } },
    extraCerts: issued ? (issued.extraCerts ?? []) : (record.extraCerts ?? []).map(decodeBase64),
    generalInfo,
  };
  if (record.certificates.some((c) => c.envelopedKey || c.encryptedCert)) reply.pvno = 3;
  // Nothing to confirm: the transaction ends here.
  if (record.certificates.length === 0) return { reply, record: finishedRecord(record) };
  // An encrypted certificate is proven only by the certHash of its certConf: no implicit confirmation.
  if (record.implicitConfirm && ctx.policy.grantImplicitConfirm && !record.certificates.some((c) => c.encryptedCert)) {
    generalInfo.push({ type: 'implicitConfirm', infoValue: null });
    const certificates = issued?.certificates ?? record.certificates.map((c) => decodeBase64(c.certificate));
    for (const certificate of certificates) await ctx.init.issuer.confirm(certificate, true);
    return { reply, record: finishedRecord(record, { confirmed: true }) };
  }
  const deadline = now.getTime() + ctx.policy.confirmWaitTime * 1000;
  generalInfo.push({ type: 'confirmWaitTime', infoValue: new Date(Math.floor(deadline / 1000) * 1000) });
  return { reply, record: { ...record, state: 'awaitingConfirm', confirmDeadline: deadline } };
}

/** ir, cr, kur, p10cr and ccr (RFC 9483 section 4.1): checks, certifies, answers. */
export async function handleCertification(input: HandlerInput): Promise<HandlerOutcome> {
  const { ctx, request, auth } = input;
  const profile = profileOf(input);
  const record: TransactionRecord = {
    bodyType: request.body.type,
    state: 'pending',
    lastResponseNonce: '',
    requesterKey: await requesterKeyOf(ctx.runtime.crypto, auth.requester),
    pvno: request.header.pvno,
    certificates: [],
    tickets: [],
    implicitConfirm: asksImplicitConfirm(input),
    ...(profile ? { profile } : {}),
    ...(auth.requester.kind === 'mac' && auth.requester.senderKID ? { senderKID: toHex(auth.requester.senderKID) } : {}),
    ...protectionAlgOf(request),
  };
  await openTransaction(input, record);
  Object.assign(record, auth.kem);
  return certifyRequest(input, record, profile, false);
}

/**
 * popdecr (RFC 9810 section 5.2.8.3.3): the answers must be the integers the popdecc encrypted;
 * then the certification request that asked for the challenge goes on as if it had just come.
 * A wrong answer ends the transaction with badPOP.
 */
export async function handlePopdecr(input: HandlerInput): Promise<HandlerOutcome> {
  const { ctx, request, transactionId } = input;
  if (request.body.type !== 'popdecr') throw new ProtocolError('badRequest', 'not a popdecr');
  const record = await continueTransaction(input, ['challenged']);
  const challenged = record.challenged!;
  const answers = request.body.content;
  const expected = challenged.answers.map(BigInt);
  if (answers.length !== expected.length || answers.some((a, i) => a !== expected[i])) {
    await ctx.transactions.delete(transactionId);
    throw new RequestRejectedError('badPOP', 'the popdecr answers do not match the challenges: possession of the key is not proven');
  }
  const original = decodePKIMessage(decodeBase64(challenged.request));
  const { challenged: _done, ...rest } = record;
  const resumed: TransactionRecord = { ...rest, state: 'pending' };
  return certifyRequest({ ...input, request: original }, resumed, record.profile, true);
}

/**
 * Challenges (popdecc) for the requests that asked for challengeResp: a random Rand for each,
 * encrypted in a KEMRecipientInfo for the requested ML-KEM key (rid: NULL-DN and certReqId).
 */
async function challenge(input: HandlerInput, requested: Requested[], record: TransactionRecord): Promise<HandlerOutcome> {
  const { ctx, request } = input;
  const crypto = ctx.runtime.crypto;
  const challenges: Challenge[] = [];
  const answers: string[] = [];
  for (const { certReqId, request: certRequest } of requested) {
    if (certRequest.proofOfPossession !== 'challengeResp') continue;
    const random = crypto.getRandomValues(new Uint8Array(8));
    const int = random.reduce((n, b) => (n << 8n) | BigInt(b), 0n) & ((1n << 63n) - 1n);
    const subjectPublicKeyInfo = encodeSubjectPublicKeyInfo(certRequest.publicKey!);
    challenges.push(
      await createPopChallenge(
        { int, sender: { type: 'directoryName', value: ctx.init.name } },
        { crypto, recipient: { type: 'kemri', requestedKey: { subjectPublicKeyInfo, certReqId } } },
      ),
    );
    answers.push(int.toString());
  }
  const raw = request.raw?.message ?? encodePKIMessage(request);
  const next: TransactionRecord = { ...record, state: 'challenged', challenged: { request: encodeBase64(raw), answers } };
  return { reply: { body: { type: 'popdecc', content: challenges }, pvno: 3 }, record: next };
}

/** Checks the requests of a certification message (POP, kur rules), certifies them and answers. */
async function certifyRequest(
  input: HandlerInput,
  record: TransactionRecord,
  profile: string | undefined,
  proven: boolean,
): Promise<HandlerOutcome> {
  const { ctx, request, transactionId } = input;
  const body = request.body;
  const responseType = certResponseType(body.type);
  try {
    const requested: Requested[] = [];
    const responses: CertResponse[] = [];
    const issued: IssuedDer = { certificates: [] };
    if (body.type === 'p10cr') {
      try {
        requested.push({ certReqId: -1, request: await checkP10cr(input, body.content.der, profile) });
      } catch (error) {
        responses.push(rejection(-1, error, input));
      }
    } else if (body.type === 'ir' || body.type === 'cr' || body.type === 'kur' || body.type === 'ccr') {
      for (const msg of body.content) {
        const id = msg.certReq.certReqId;
        try {
          const problem = placementProblem(body.type, body.content, msg);
          if (problem) throw problem;
          requested.push({ certReqId: id, request: await checkCertReqMsg(input, msg, profile, proven) });
        } catch (error) {
          responses.push(rejection(id, error, input));
        }
      }
    }
    if (requested.some((r) => r.request.proofOfPossession === 'challengeResp')) {
      if (responses.length) throw new ProtocolError('badRequest', 'a request with challengeResp POP must not hold refused requests');
      return await challenge(input, requested, record);
    }
    for (const { certReqId, request: certRequest } of requested) {
      try {
        const result = await certify(input, certRequest);
        const encrCert = certRequest.proofOfPossession === 'encrCert';
        if (result.status === 'pending') {
          record.tickets.push({ certReqId, ticket: result.ticket, ...(encrCert ? { encrCert } : {}) });
          responses.push({
            certReqId,
            status: { status: 3, ...(result.reason ? { statusString: [result.reason] } : {}) },
          });
        } else {
          responses.push(await issuedResponse(input, certReqId, result, record, encrCert, issued));
        }
      } catch (error) {
        responses.push(rejection(certReqId, error, input));
      }
    }
    responses.sort((a, b) => a.certReqId - b.certReqId);
    if (record.tickets.length > 0) {
      // Waiting (RFC 9483 section 4.4): the EE polls; issued ones wait for the final response.
      const waiting = responses.map((r) =>
        r.status.status === 0 || r.status.status === 1 ? { certReqId: r.certReqId, status: { status: 3 } } : r,
      );
      return { reply: { body: { type: responseType, content: { response: waiting } } }, record };
    }
    return await finishCertification(input, responseType, responses, record, issued);
  } catch (error) {
    await finishTransaction(ctx, transactionId, record);
    throw error;
  }
}
