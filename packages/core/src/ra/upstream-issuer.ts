import { type CertReqMsg, type InfoTypeAndValue } from '@cmpkit/codec';
import type { CmpClient } from '../client/create-client.js';
import type { EnrollOptions, EnrollResult } from '../client/enroll-options.js';
import { RemoteError } from '../errors/remote-error.js';
import { RequestRejectedError } from '../errors/request-rejected-error.js';
import { toHex } from '../message/bytes.js';
import { randomBytes } from '../message/random.js';
import type { Runtime } from '../runtime.js';
import type { CertificationRequest, CertificationResult, Issuer } from '../server/issuer.js';
import { isTransportError } from '../transport-error.js';
import type { RaDelayedDelivery } from './registration-authority-init.js';

/** Construction input of {@link createUpstreamIssuer}. */
export interface UpstreamIssuerInit {
  client: CmpClient;
  runtime: Runtime;
  /** Whether a request goes as raVerified (else with the end entity's own POP). */
  raVerified(request: CertificationRequest): Promise<boolean>;
  delayedDelivery?: RaDelayedDelivery;
}

/** An upstream enrollment running in the background (delayed delivery). */
interface Job {
  readonly options: EnrollOptions;
  outcome?: { result: EnrollResult } | { error: unknown };
  settled: Promise<void>;
}

/** The CA's answer could not be had or used: what the end entity is told. */
function upstreamFailure(runtime: Runtime, error: unknown): unknown {
  if (error instanceof RemoteError) return error;
  if (isTransportError(error)) return new RequestRejectedError('systemUnavail', 'the CA cannot be reached; try again later', error);
  runtime.logger.warn('cmp: the CA answer could not be used', { error: error instanceof Error ? error.message : String(error) });
  return new RequestRejectedError('systemFailure', "the CA's answer could not be used", error);
}

function issued(result: EnrollResult): CertificationResult {
  return {
    status: 'issued',
    certificate: result.certificate,
    chain: result.extraCerts,
    ...(result.caPubs.length ? { caPubs: result.caPubs } : {}),
    ...(result.status === 1 ? { modified: true } : {}),
  };
}

/** The end entity's CertReqMsg the request came from. */
function originalCertReqMsg(request: CertificationRequest): CertReqMsg {
  const body = request.received?.body;
  const messages = body && (body.type === 'ir' || body.type === 'cr' || body.type === 'kur') ? body.content : [];
  const msg = messages.find((m) => m.certReq.certReqId === request.certReqId);
  if (!msg) throw new RequestRejectedError('systemFailure', 'the RA lost the original request');
  return msg;
}

/**
 * The Issuer of a registration authority (STYLE.md P9: the RA is the server engine whose issuer is
 * an upstream client). It asks the CA in a transaction of its own, protected by the RA (RFC 9483
 * section 5.2.3): with the end entity's CertReqMsg and POP unchanged, or with raVerified and the
 * original request in origPKIMessage when the RA checked POP or amended the template. The RA
 * confirms the certificate upstream itself; when the end entity then rejects it, the RA revokes
 * it. rr and genm are asked on the end entity's behalf (section 5.3).
 *
 * With delayed delivery (section 5.1.5), a request that the CA has not answered within `waitMs`,
 * or that cannot reach it, becomes pending: the end entity polls the RA, and the RA finishes (or
 * retries) the upstream transaction in the background. Pending work lives in memory.
 */
export function createUpstreamIssuer(init: UpstreamIssuerInit): Issuer {
  const { client, runtime } = init;
  const jobs = new Map<string, Job>();

  async function enrollOptions(request: CertificationRequest): Promise<EnrollOptions> {
    const profile = request.profile ? { certProfile: request.profile } : {};
    if (request.bodyType === 'p10cr') {
      if (!request.csr) throw new RequestRejectedError('systemFailure', 'the RA lost the PKCS#10 request');
      return { bodyType: 'p10cr', csr: request.csr, ...profile };
    }
    if (request.bodyType !== 'ir' && request.bodyType !== 'cr' && request.bodyType !== 'kur') {
      throw new RequestRejectedError('badRequest', `the RA does not pass ${request.bodyType} on`);
    }
    if (request.centralKeyGeneration)
      throw new RequestRejectedError('badRequest', 'the RA does not pass on requests for central key generation');
    const original = originalCertReqMsg(request);
    const amended = request.template !== original.certReq.certTemplate;
    if (request.bodyType === 'kur') {
      // RFC 9483 section 5.2.3.2: raVerified is not for kur, whose POP and key stay the end entity's.
      if (amended) throw new RequestRejectedError('badCertTemplate', 'the RA cannot amend a kur; it passes it on unchanged');
      return { bodyType: 'kur', certReqMsg: original, ...profile };
    }
    if (!amended && !(await init.raVerified(request))) return { bodyType: request.bodyType, certReqMsg: original, ...profile };
    const generalInfo: InfoTypeAndValue[] = request.received ? [{ type: 'origPKIMessage', infoValue: [request.received] }] : [];
    return {
      bodyType: request.bodyType,
      certReqMsg: { certReq: { ...original.certReq, certTemplate: request.template } },
      raVerified: true,
      generalInfo,
      ...profile,
    };
  }

  function start(options: EnrollOptions): Job {
    const job: Job = { options, settled: Promise.resolve() };
    run(job);
    return job;
  }

  function run(job: Job): void {
    delete job.outcome;
    job.settled = client.enroll(job.options).then(
      (result) => {
        job.outcome = { result };
      },
      (error: unknown) => {
        job.outcome = { error };
      },
    );
  }

  /** Waits for the job at most waitMs; true when it has settled. */
  async function settledWithin(job: Job, waitMs: number): Promise<boolean> {
    const timer = new AbortController();
    const done = await Promise.race([
      job.settled.then(() => true),
      runtime.sleep(waitMs, timer.signal).then(
        () => false,
        () => true,
      ),
    ]);
    timer.abort();
    return done && job.outcome !== undefined;
  }

  function pending(ticket: string, reason: string): CertificationResult {
    return { status: 'pending', ticket, checkAfter: init.delayedDelivery?.checkAfter ?? 1, reason };
  }

  return {
    async certify(request) {
      const job = start(await enrollOptions(request));
      const delayed = init.delayedDelivery;
      if (!delayed) {
        await job.settled;
      } else if (!(await settledWithin(job, delayed.waitMs))) {
        const ticket = toHex(randomBytes(runtime.crypto, 16));
        jobs.set(ticket, job);
        return pending(ticket, 'the CA has not answered yet');
      }
      const outcome = job.outcome!;
      if ('result' in outcome) return issued(outcome.result);
      if (delayed && isTransportError(outcome.error)) {
        const ticket = toHex(randomBytes(runtime.crypto, 16));
        jobs.set(ticket, job);
        runtime.logger.warn('cmp: the CA cannot be reached; the request waits', { error: String(outcome.error) });
        return pending(ticket, 'the CA cannot be reached now');
      }
      throw upstreamFailure(runtime, outcome.error);
    },

    async poll(ticket) {
      const job = jobs.get(ticket);
      if (!job) throw new RequestRejectedError('systemFailure', 'the RA no longer knows this request (was it restarted?)');
      const outcome = job.outcome;
      if (!outcome) return pending(ticket, 'the CA has not answered yet');
      if ('result' in outcome) {
        jobs.delete(ticket);
        return issued(outcome.result);
      }
      if (isTransportError(outcome.error)) {
        run(job);
        return pending(ticket, 'the CA cannot be reached now');
      }
      jobs.delete(ticket);
      throw upstreamFailure(runtime, outcome.error);
    },

    async confirm(certificate, accepted, reason) {
      if (accepted) return;
      // The RA confirmed upstream already; a certificate the end entity refuses is revoked.
      try {
        await client.revoke({ certificate, reason: 5 });
      } catch (error) {
        runtime.logger.error('cmp: could not revoke a certificate the end entity rejected', { reason, error: String(error) });
      }
    },

    async revoke(request) {
      if (!request.issuer) throw new RequestRejectedError('badCertId', 'the RA needs the issuer of the certificate to revoke');
      try {
        await client.revoke({
          certId: { issuer: request.issuer, serialNumber: request.serialNumber },
          ...(request.reason !== undefined ? { reason: request.reason } : {}),
        });
      } catch (error) {
        throw upstreamFailure(runtime, error);
      }
    },

    async caCertificates() {
      return call(() => client.getCaCertificates());
    },
    async rootCaKeyUpdate(oldRoot) {
      const answers = await call(() =>
        client.generalMessage([{ type: 'rootCaCert', ...(oldRoot ? { infoValue: { der: oldRoot } } : {}) }]),
      );
      const update = answers.find((a) => a.type === 'rootCaKeyUpdate');
      return update?.type === 'rootCaKeyUpdate' ? update.infoValue : undefined;
    },
    async certReqTemplate(profile) {
      return call(() => client.getCertReqTemplate(profile ? { certProfile: profile } : {}));
    },
    async crls(status) {
      return call(() => client.getCrls([...status]));
    },
    async generalMessage(item) {
      const answers = await call(() => client.generalMessage([item]));
      return answers[0];
    },
  };

  /** A support message on the end entity's behalf. */
  async function call<T>(ask: () => Promise<T>): Promise<T> {
    try {
      return await ask();
    } catch (error) {
      throw upstreamFailure(runtime, error);
    }
  }
}
