import {
  isCmpError,
  PKIStatus,
  type AlgorithmIdentifier,
  type CertOrEncCert,
  type CertRepMessage,
  type CertResponse,
  type GeneralName,
  type PKIBodyType,
  type SubjectPublicKeyInfo,
} from '@cmpkit/codec';
import { ProtocolError } from '../errors/protocol-error.js';
import { RemoteError } from '../errors/remote-error.js';
import { directoryName, NULL_DN } from '../message/general-names.js';
import type { TransactionState } from '../message/transaction-state.js';
import { openCentralKey } from './central-key.js';
import { acceptCertificate, type CertificateDecision, type IssuedCertificate } from './certificate-decision.js';
import type { ClientContext } from './client-context.js';
import { checkCertResponseContent } from './check-cert-response.js';
import { confirm } from './confirm.js';
import { buildEnrollRequest, generalInfoOf, popMethodOf } from './enroll-request.js';
import { decryptPopChallenge, nameEqual, openEncryptedCertificate } from '@cmpkit/protection';
import type { CentralKeyGeneration, EnrollOptions, EnrollResult, EnrollStep } from './enroll-options.js';
import { startTransaction } from './kem-transaction.js';
import { exchange, type Exchanged } from './exchange.js';
import { anchorsFor, checkNewCertificate } from './new-certificate.js';
import { checkPollBudget, freeText, pollOnce, tellWaiting } from './poll.js';

const RESPONSE_TYPE = { ir: 'ip', cr: 'cp', kur: 'kup', p10cr: 'cp' } as const satisfies Record<string, PKIBodyType>;

/** One enrollment transaction in progress. */
interface Enrollment {
  readonly ctx: ClientContext;
  readonly options: EnrollOptions;
  readonly transaction: TransactionState;
  readonly responseType: 'ip' | 'cp' | 'kup';
  readonly isP10cr: boolean;
  /** The certReqId sent, then the one the CA answered with (p10cr: -1, or 0 from older CAs). */
  certReqId: number;
  readonly requestedKey: SubjectPublicKeyInfo | undefined;
  readonly central: CentralKeyGeneration | undefined;
  /** pvno of every message of the transaction: 3 for central key generation (EnvelopedData). */
  readonly pvno: number;
  /** When the request was sent (ms), for the total poll time. */
  readonly startedAt: number;
  /** header.sender of every message of the transaction. */
  readonly sender: GeneralName;
  /** The request's body type. */
  readonly bodyType: 'ir' | 'cr' | 'kur' | 'p10cr';
  /** pollReq messages sent so far. */
  polls: number;
}

function certRepOf(answer: Exchanged): CertRepMessage {
  const body = answer.message.body;
  if (body.type !== 'ip' && body.type !== 'cp' && body.type !== 'kup') {
    throw new ProtocolError('badRequest', `expected a certificate response but got ${body.type}`);
  }
  return body.content;
}

/**
 * The one CertResponse for our request. An ir/cr/kur asked with certReqId 0 and must be answered
 * with it; a p10cr has none, so RFC 9810 section 5.3.4 says -1, and CAs that predate it use 0.
 */
function findResponse(e: Enrollment, rep: CertRepMessage): CertResponse {
  const acceptable = e.isP10cr && e.certReqId === -1 ? [-1, 0] : [e.certReqId];
  const matching = rep.response.filter((r) => acceptable.includes(r.certReqId));
  if (matching.length !== 1 || rep.response.length !== 1) {
    const ids = rep.response.map((r) => r.certReqId).join(', ') || 'none';
    throw new ProtocolError('badRequest', `the ${e.responseType} must hold one response for certReqId ${e.certReqId} (it holds: ${ids})`);
  }
  return matching[0]!;
}

/** Starts an enrollment: sends the request and returns the first step (STYLE.md P8 step API). */
export async function tryEnroll(ctx: ClientContext, options: EnrollOptions): Promise<EnrollStep> {
  const bodyType = options.bodyType ?? 'ir';
  let sender: GeneralName = ctx.sender ? directoryName(ctx.sender) : options.subject ? directoryName(options.subject) : NULL_DN;
  const request = await buildEnrollRequest(ctx, options, sender);
  if (!ctx.sender && !options.subject && request.csrSubject) sender = directoryName(request.csrSubject);
  const central = bodyType === 'p10cr' ? undefined : options.centralKeyGeneration;
  const e: Enrollment = {
    ctx,
    options,
    transaction: await startTransaction(ctx, options.signal),
    responseType: RESPONSE_TYPE[bodyType],
    isP10cr: bodyType === 'p10cr',
    certReqId: request.certReqId,
    requestedKey: request.requestedKey,
    central,
    pvno: central ? 3 : (ctx.init.pvno ?? 2),
    startedAt: ctx.runtime.clock().getTime(),
    sender,
    bodyType,
    polls: 0,
  };
  const generalInfo = generalInfoOf(ctx, options);
  const challengeResp = options.keyPair !== undefined && !central && popMethodOf(options) === 'challengeResp';
  const answer = await exchange(ctx, e.transaction, request.body, challengeResp ? [e.responseType, 'popdecc'] : [e.responseType], {
    signal: options.signal,
    pvno: e.pvno,
    sender,
    ...(generalInfo.length ? { generalInfo } : {}),
  });
  return stepAfter(e, answer.message.body.type === 'popdecc' ? await answerChallenges(e, answer) : answer, false);
}

/** What follows a certificate response: wait (status waiting), or check, confirm and finish. */
async function stepAfter(e: Enrollment, answer: Exchanged, polled: boolean): Promise<EnrollStep> {
  const rep = certRepOf(answer);
  const response = findResponse(e, rep);
  checkCertResponseContent(e.responseType, rep, response);
  e.certReqId = response.certReqId;
  if (response.status.status === PKIStatus.waiting) {
    if (polled) throw new ProtocolError('badRequest', `the ${e.responseType} answering pollReq still says waiting; a pollRep was due`);
    return waiting(e, 0, freeText(response.status.statusString));
  }
  return { done: true, result: await complete(e, answer, response) };
}

/** A step that waits `checkAfter` seconds and then polls once. */
function waiting(e: Enrollment, checkAfter: number, reason: string | undefined): EnrollStep {
  checkPollBudget(e.ctx, e.startedAt, checkAfter);
  tellWaiting(e.ctx, { request: e.bodyType, transactionID: e.transaction.transactionID, checkAfter, reason, polls: e.polls });
  let called = false;
  return {
    done: false,
    checkAfter,
    transactionID: e.transaction.transactionID,
    next: async () => {
      if (called) throw new TypeError('core: next() of an enrollment step may be called only once');
      called = true;
      e.options.signal?.throwIfAborted();
      checkPollBudget(e.ctx, e.startedAt, 0);
      e.polls++;
      const outcome = await pollOnce(e.ctx, e.transaction, {
        certReqId: e.certReqId,
        final: [e.responseType],
        signal: e.options.signal,
        pvno: e.pvno,
        sender: e.sender,
      });
      return 'final' in outcome ? stepAfter(e, outcome.final, true) : waiting(e, outcome.checkAfter, outcome.reason);
    },
  };
}

/**
 * Answers a popdecc (RFC 9810 section 5.2.8.3.3): decrypts each challenge with the new private
 * key, checks its witness and that it names the CA that sent it, and sends the integers back in
 * popdecr; resolves to the certificate response that follows.
 */
async function answerChallenges(e: Enrollment, popdecc: Exchanged): Promise<Exchanged> {
  const body = popdecc.message.body;
  if (body.type !== 'popdecc' || body.content.length !== 1) throw new ProtocolError('badRequest', 'the popdecc must hold one challenge');
  const answers: bigint[] = [];
  let owf: AlgorithmIdentifier | undefined;
  for (const challenge of body.content) {
    owf = challenge.owf ?? owf;
    const rand = await decryptPopChallenge(challenge, {
      crypto: e.ctx.runtime.crypto,
      key: { privateKey: e.options.keyPair!.privateKey },
      ...(owf ? { owf } : {}),
    });
    const from = popdecc.message.header.sender;
    if (rand.sender.type !== 'directoryName' || from.type !== 'directoryName' || !nameEqual(rand.sender.value, from.value)) {
      throw new ProtocolError('badPOP', 'the challenge names another sender than the CA that sent it');
    }
    answers.push(rand.int);
  }
  return exchange(e.ctx, e.transaction, { type: 'popdecr', content: answers }, [e.responseType], {
    signal: e.options.signal,
    pvno: 3,
    sender: e.sender,
  });
}

/**
 * The issued certificate: as sent, or decrypted with the new private key when the client asked
 * for indirect POP (RFC 9810 section 5.2.8.3.2); the certConf that follows then proves possession.
 */
async function certificateOf(e: Enrollment, certOrEncCert: CertOrEncCert): Promise<Uint8Array> {
  const asked = e.options.keyPair !== undefined && !e.central && popMethodOf(e.options) === 'encrCert';
  if (certOrEncCert.type === 'certificate') {
    if (asked) throw new ProtocolError('badPOP', 'indirect POP (encrCert) was asked for, but the certificate came unencrypted');
    return certOrEncCert.value.der;
  }
  if (!asked) throw new ProtocolError('badRequest', 'the certificate came encrypted (indirect POP), which this client did not ask for');
  return openEncryptedCertificate(certOrEncCert.value, {
    crypto: e.ctx.runtime.crypto,
    key: { privateKey: e.options.keyPair!.privateKey },
  });
}

/** The decision sent in certConf when cmpkit's checks or onCertificate failed with `error`. */
function rejectionFor(error: unknown): CertificateDecision {
  if (isCmpError(error)) return { accept: false, failInfo: error.failInfo[0] ?? 'badCertTemplate', reason: error.message };
  return { accept: false, failInfo: 'systemFailure', reason: 'the end entity could not process the certificate' };
}

/** Checks the issued certificate (and central key), lets the application decide, confirms. */
async function complete(e: Enrollment, answer: Exchanged, response: CertResponse): Promise<EnrollResult> {
  const { ctx, options, transaction } = e;
  const status = response.status.status;
  if (status !== PKIStatus.accepted && status !== PKIStatus.grantedWithMods) {
    throw RemoteError.fromStatusInfo(response.status, e.responseType);
  }
  const pair = response.certifiedKeyPair;
  if (!pair) throw new ProtocolError('badRequest', `the ${e.responseType} accepts the request but carries no certificate`);
  const certificate = await certificateOf(e, pair.certOrEncCert);
  const rep = certRepOf(answer);
  const caPubs = (rep.caPubs ?? []).map((c) => c.der);
  const extraCerts = (answer.message.extraCerts ?? []).map((c) => c.der);
  const implicitConfirmGranted =
    (options.implicitConfirm ?? ctx.init.implicitConfirm ?? false) &&
    (answer.message.header.generalInfo?.some((itav) => itav.type === 'implicitConfirm') ?? false);
  const sendCertConf = !implicitConfirmGranted && !options.disableConfirm;
  const macProtected = answer.verified?.type === 'mac';

  let path: readonly Uint8Array[] | undefined;
  let privateKey: Uint8Array | undefined;
  let decision: CertificateDecision;
  try {
    path = await checkNewCertificate(ctx, certificate, e.requestedKey, caPubs, extraCerts, macProtected);
    if (e.central) {
      if (!pair.privateKey) throw new ProtocolError('badDataFormat', 'central key generation was asked for but no private key came');
      privateKey = await openCentralKey(ctx, pair.privateKey, {
        certificate,
        decryptionKey: e.central.decryptionKey,
        anchors: anchorsFor(ctx, caPubs, macProtected),
        untrusted: [...extraCerts, ...caPubs, ...(ctx.init.untrusted ?? [])],
        verified: answer.verified,
      });
    }
    const issued: IssuedCertificate = { certificate, caPubs, extraCerts, bodyType: e.responseType, ...(path ? { path } : {}) };
    decision = ctx.init.onCertificate ? await ctx.init.onCertificate(issued) : acceptCertificate;
  } catch (error) {
    if (sendCertConf && !options.signal?.aborted) {
      try {
        await confirm(ctx, transaction, certificate, e.certReqId, rejectionFor(error), {
          signal: options.signal,
          pvno: e.pvno,
          sender: e.sender,
        });
      } catch (confirmError) {
        ctx.runtime.logger.warn('cmp: the negative certConf failed', { error: String(confirmError) });
      }
    }
    throw error;
  }
  if (sendCertConf)
    await confirm(ctx, transaction, certificate, e.certReqId, decision, { signal: options.signal, pvno: e.pvno, sender: e.sender });
  if (!decision.accept) {
    throw new ProtocolError(
      decision.failInfo ?? 'badCertTemplate',
      `the new certificate was rejected: ${decision.reason ?? 'by onCertificate'}`,
    );
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
  if (privateKey) result.privateKey = privateKey;
  return result;
}

/**
 * Runs a complete enrollment (ir, cr, kur or p10cr): request, polling with the injected sleep
 * for as long as the CA asks (within the client's pollTimeout), checks, certConf/pkiConf. The
 * same steps as {@link tryEnroll}, with the waiting done here.
 */
export async function enroll(ctx: ClientContext, options: EnrollOptions): Promise<EnrollResult> {
  let step = await tryEnroll(ctx, options);
  while (!step.done) {
    if (step.checkAfter > 0) await ctx.runtime.sleep(step.checkAfter * 1000, options.signal);
    step = await step.next();
  }
  return step.result;
}
