import type { CmpClient } from '../client/create-client.js';
import type { EnrollmentState, EnrollResult, EnrollStep } from '../client/enroll-options.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { RemoteError } from '../errors/remote-error.js';
import { RequestRejectedError } from '../errors/request-rejected-error.js';
import { toHex } from '../message/bytes.js';
import { randomBytes } from '../message/random.js';
import type { Runtime } from '../runtime.js';
import type { CertificationRequest, CertificationResult, Issuer } from '../server/issuer.js';
import { isTransportError } from '../transport-error.js';
import { memoryRaJobStore } from './memory-ra-job-store.js';
import type { RaJobStore } from './ra-job-store.js';
import type { RaDelayedDelivery } from './registration-authority-init.js';
import {
  decodeEnrollmentState,
  decodeJobOutcome,
  decodeUpstreamRequest,
  encodeEnrollmentState,
  encodeJobOutcome,
  encodeUpstreamRequest,
  outcomeOf,
} from './upstream-job-codec.js';
import { enrollOptionsOf, upstreamRequestOf, type UpstreamRequest } from './upstream-request.js';

/** Construction input of {@link createUpstreamIssuer}. */
export interface UpstreamIssuerInit {
  client: CmpClient;
  runtime: Runtime;
  /** Whether a request goes as raVerified (else with the end entity's own POP). */
  raVerified(request: CertificationRequest): Promise<boolean>;
  delayedDelivery?: RaDelayedDelivery;
  /** Where delayed-delivery jobs are kept. Default: memory (a restart loses them). */
  jobs?: RaJobStore;
  /** How long a job is kept at most, seconds (the RA's transactionTtl). */
  jobTtlSeconds: number;
}

/** The RA's issuer, plus the housekeeping of its delayed-delivery jobs. */
export interface UpstreamIssuer extends Issuer {
  /** Forgets jobs older than their time to live; resolves to how many. */
  purgeJobs(): Promise<number>;
  /**
   * Stops this process's jobs (what they reached stays in the store) and ends its leases, so
   * another process, or this one after a restart, takes them up at the end entity's next poll.
   */
  close(): Promise<void>;
}

/** An upstream enrollment of this process. */
interface Job {
  request: UpstreamRequest;
  /** Set once the end entity was told to poll: the job is in the store under this ticket. */
  ticket?: string;
  /** Where the CA's transaction stands while it waits. */
  state?: EnrollmentState;
  outcome?: { result: EnrollResult } | { error: unknown };
  settled: Promise<void>;
  /** Ends the job at once, an upstream exchange in flight included. */
  abort: AbortController;
  /** Ends the wait between two polls (a graceful stop). */
  wait: AbortController;
  /** The RA is stopping: the job ends at its next step, and a failure from that is not its outcome. */
  stopping?: boolean;
  /** The job has ended and what it ended with is saved (or was not to be saved). */
  done?: boolean;
}

/** The CA's answer could not be had or used: what the end entity is told. */
function upstreamFailure(runtime: Runtime, error: unknown): unknown {
  if (error instanceof RemoteError) return error;
  if (isTransportError(error)) return new RequestRejectedError('systemUnavail', 'the CA cannot be reached; try again later', error);
  if (error instanceof RequestRejectedError) return error;
  runtime.logger.warn('cmp: the CA answer could not be used', { error: error instanceof Error ? error.message : String(error) });
  return new RequestRejectedError('systemFailure', "the CA's answer could not be used", error);
}

function issued(result: Pick<EnrollResult, 'certificate' | 'extraCerts' | 'caPubs' | 'status'>): CertificationResult {
  return {
    status: 'issued',
    certificate: result.certificate,
    chain: result.extraCerts,
    ...(result.caPubs.length ? { caPubs: result.caPubs } : {}),
    ...(result.status === 1 ? { modified: true } : {}),
  };
}

/**
 * A failure of the first poll of a resumed transaction that says the CA no longer has it where
 * the saved state had it (the RA stopped between a poll and saving its answer, or the CA's
 * transaction ended): the request is then sent again as a new transaction.
 */
function transactionGone(error: unknown): boolean {
  if (error instanceof ProtocolError) return true;
  return error instanceof RemoteError && error.failInfo.some((bit) => bit === 'badRecipientNonce' || bit === 'badRequest');
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
 * or that cannot reach it, becomes a job in the RA's store: the end entity polls the RA, and the
 * RA finishes (or retries) the upstream transaction in the background, saving where the CA's
 * transaction stands each time the CA answers waiting, and the outcome. A job whose process
 * stopped is taken up at the next poll by whichever process gets it (after its lease ended):
 * polling resumes in the CA's transaction, or the request is sent again when the CA no longer
 * has that transaction.
 */
export function createUpstreamIssuer(init: UpstreamIssuerInit): UpstreamIssuer {
  const { client, runtime } = init;
  const store = init.jobs ?? memoryRaJobStore();
  const owner = toHex(randomBytes(runtime.crypto, 8));
  const leaseMs = (init.delayedDelivery?.leaseSeconds ?? 30) * 1000;
  const running = new Map<string, Job>();
  const now = (): number => runtime.clock().getTime();

  function pending(ticket: string, reason: string): CertificationResult {
    return { status: 'pending', ticket, checkAfter: init.delayedDelivery?.checkAfter ?? 1, reason };
  }

  /** Follows a waiting transaction to its end, saving its state each time the CA says wait. */
  async function follow(job: Job, first: EnrollStep): Promise<EnrollResult> {
    let step = first;
    while (!step.done) {
      if (step.state) job.state = step.state;
      if (job.ticket !== undefined && step.state) {
        const kept = await store.progress(job.ticket, owner, encodeEnrollmentState(step.state), now() + step.checkAfter * 1000 + leaseMs);
        if (!kept) {
          // Another process took the job over (this one was too slow to renew its lease): it is
          // theirs now, and a poll here asks the store again.
          const lost = new RequestRejectedError('systemUnavail', 'another process of the RA took this request over');
          running.delete(job.ticket);
          job.abort.abort(lost);
          throw lost;
        }
      }
      if (step.checkAfter > 0 && !job.stopping) await runtime.sleep(step.checkAfter * 1000, job.wait.signal);
      if (job.stopping) throw new RequestRejectedError('systemUnavail', 'the RA is stopping');
      step = await step.next();
    }
    return step.result;
  }

  async function drive(job: Job): Promise<EnrollResult> {
    const signal = job.abort.signal;
    if (job.state) {
      const resumed = client.resumeEnrollment(job.state, { signal });
      if (resumed.done) return resumed.result;
      let next: EnrollStep;
      try {
        next = await resumed.next();
      } catch (error) {
        if (signal.aborted || !transactionGone(error)) throw error;
        runtime.logger.warn("cmp: the CA's transaction could not be resumed; asking again", { error: String(error) });
        delete job.state;
        return follow(job, await client.tryEnroll({ ...enrollOptionsOf(job.request), signal }));
      }
      return follow(job, next);
    }
    return follow(job, await client.tryEnroll({ ...enrollOptionsOf(job.request), signal }));
  }

  /**
   * Saves the outcome of a job the end entity polls for (not a retryable one, not a stopped one).
   * A job another process has taken over meanwhile is theirs: it is dropped here.
   */
  async function saveOutcome(job: Job): Promise<void> {
    const { outcome, ticket } = job;
    if (!outcome || ticket === undefined) return;
    if ('error' in outcome && (job.stopping || job.abort.signal.aborted || isTransportError(outcome.error))) return;
    try {
      const text = encodeJobOutcome(outcomeOf('result' in outcome ? outcome : { error: upstreamFailure(runtime, outcome.error) }));
      if (!(await store.settle(ticket, owner, text))) {
        running.delete(ticket);
        runtime.logger.warn('cmp: a delayed-delivery job ended here after another RA process took it over', { ticket });
      }
    } catch (error) {
      runtime.logger.error('cmp: could not save the outcome of a delayed-delivery job', { ticket, error: String(error) });
    }
  }

  function run(job: Job): void {
    delete job.outcome;
    job.done = false;
    job.abort = new AbortController();
    job.wait = new AbortController();
    job.settled = drive(job)
      .then(
        (result) => {
          job.outcome = { result };
        },
        (error: unknown) => {
          job.outcome = { error };
        },
      )
      .then(() => saveOutcome(job))
      .then(() => {
        job.done = true;
      });
  }

  /** Makes the job one the end entity polls for: stored under a new ticket. */
  async function publish(job: Job): Promise<string> {
    const ticket = toHex(randomBytes(runtime.crypto, 16));
    job.ticket = ticket;
    running.set(ticket, job);
    const at = now();
    try {
      await store.create({
        ticket,
        request: encodeUpstreamRequest(job.request),
        ...(job.state ? { progress: encodeEnrollmentState(job.state) } : {}),
        owner,
        leaseUntil: at + leaseMs,
        createdAt: at,
        expiresAt: at + init.jobTtlSeconds * 1000,
      });
    } catch (error) {
      // Nobody could poll for it: stop it before the CA issues a certificate no one collects.
      running.delete(ticket);
      job.abort.abort(error);
      throw error;
    }
    if (job.outcome) await saveOutcome(job); // it ended while it was being stored
    return ticket;
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

  /** The job of `ticket` in the store, taken up by this process (or answered from its outcome). */
  async function takeUp(ticket: string): Promise<CertificationResult> {
    const row = await store.get(ticket);
    if (!row) throw new RequestRejectedError('systemFailure', 'the RA no longer knows this request');
    if (row.outcome !== undefined) {
      const stored = decodeJobOutcome(row.outcome);
      await store.delete(ticket);
      if ('error' in stored) throw stored.error;
      return issued(stored.result);
    }
    const at = now();
    if (!(await store.claim(ticket, owner, at + leaseMs, at))) return pending(ticket, 'the CA has not answered yet');
    const job: Job = {
      request: decodeUpstreamRequest(row.request),
      ticket,
      ...(row.progress !== undefined ? { state: decodeEnrollmentState(row.progress) } : {}),
      settled: Promise.resolve(),
      abort: new AbortController(),
      wait: new AbortController(),
    };
    running.set(ticket, job);
    run(job);
    runtime.logger.warn('cmp: took up a delayed-delivery job of a stopped RA process', { ticket, resumed: row.progress !== undefined });
    return pending(ticket, 'the CA has not answered yet');
  }

  return {
    async certify(request) {
      const job: Job = {
        request: await upstreamRequestOf(request, init.raVerified),
        settled: Promise.resolve(),
        abort: new AbortController(),
        wait: new AbortController(),
      };
      run(job);
      const delayed = init.delayedDelivery;
      if (!delayed) {
        await job.settled;
      } else if (!(await settledWithin(job, delayed.waitMs))) {
        return pending(await publish(job), 'the CA has not answered yet');
      }
      const outcome = job.outcome!;
      if ('result' in outcome) return issued(outcome.result);
      if (delayed && isTransportError(outcome.error)) {
        runtime.logger.warn('cmp: the CA cannot be reached; the request waits', { error: String(outcome.error) });
        return pending(await publish(job), 'the CA cannot be reached now');
      }
      throw upstreamFailure(runtime, outcome.error);
    },

    async poll(ticket) {
      const job = running.get(ticket);
      if (!job) return takeUp(ticket);
      const outcome = job.outcome;
      if (!outcome || !job.done) return pending(ticket, 'the CA has not answered yet');
      if ('result' in outcome) {
        running.delete(ticket);
        await store.delete(ticket);
        return issued(outcome.result);
      }
      if (isTransportError(outcome.error)) {
        run(job);
        return pending(ticket, 'the CA cannot be reached now');
      }
      running.delete(ticket);
      await store.delete(ticket);
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

    purgeJobs: () => store.purge(now()),

    async close() {
      // Each job stops at its next step: a wait ends at once, an exchange in flight may finish
      // (so that a certificate the CA just issued is not lost) for as long as the lease allows.
      const jobs = [...running.values()];
      const stopped = new RequestRejectedError('systemUnavail', 'the RA is stopping');
      for (const job of jobs) {
        job.stopping = true;
        job.wait.abort(stopped);
      }
      const timer = new AbortController();
      await Promise.race([Promise.all(jobs.map((job) => job.settled)), runtime.sleep(leaseMs, timer.signal).catch(() => undefined)]);
      timer.abort();
      for (const job of jobs) job.abort.abort(stopped);
      await Promise.all(jobs.map((job) => job.settled));
      running.clear();
      await store.release(owner);
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
