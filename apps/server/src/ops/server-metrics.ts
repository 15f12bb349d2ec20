import type { PKIBody } from '@cmpkit/codec';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { outcomeOf } from './response-outcome.js';
import type { ServerStore } from '@cmpkit/issuer';
import type { StoreObserver } from './observed-store.js';

/** Request latency buckets, seconds: a MAC enrollment takes milliseconds, an RSA one or a slow disk up to seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The Prometheus metrics of one server process (prom-client), and what feeds them. */
export interface ServerMetrics {
  readonly registry: Registry;
  /** Counts one answered message by its request body type, and the outcome and failInfo bits of `response`. */
  countAnswer(type: string, response: PKIBody): void;
  /** Counts a request that got no CMP answer at all (its handler failed, e.g. the commit was lost). */
  countUnanswered(type: string): void;
  /** Observes the time from a request's arrival to its answer (commit included), per request body type. */
  observeLatency(type: string, seconds: number): void;
  /** Store errors, issued and revoked certificates, announcements queued and delivered. */
  readonly store: StoreObserver;
  /** Adds the gauges read from `store` at each scrape (pending approvals, announcements not delivered). */
  watchStore(store: ServerStore): void;
  /** The text exposition of the registry and its content type, for the metrics listener. */
  collect(): Promise<{ contentType: string; body: string }>;
}

/**
 * The metrics of `cmpkit-server` in a registry of its own, with Node's default process metrics:
 *
 * - `cmpkit_requests_total{type,outcome,fail_info}`: answered CMP messages (the messages inside a
 *   nested one too) by request body type, outcome (`accepted`, `rejection`, `waiting`, ...;
 *   `unanswered` when no CMP answer could be given) and failInfo bits (comma-separated);
 * - `cmpkit_request_duration_seconds{type}`: arrival to answer, durable commit included;
 * - `cmpkit_certificates_issued_total`, `cmpkit_certificates_revoked_total{reason}`: what this
 *   process stored (the admin commands are processes of their own);
 * - `cmpkit_announcements_queued_total`, `cmpkit_announcements_delivered_total`;
 * - `cmpkit_store_errors_total{operation}`: failed store calls (`certificates.insert`, `flush`, ...);
 * - `cmpkit_pending_approvals`, `cmpkit_announcements_pending`: read from the database at each
 *   scrape (the same in every worker, so a cluster reports the largest, not the sum).
 */
export function createServerMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'cmpkit_requests_total',
    help: 'CMP messages answered, by request body type, outcome (PKIStatus name) and failInfo bits',
    labelNames: ['type', 'outcome', 'fail_info'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'cmpkit_request_duration_seconds',
    help: 'Time from the arrival of a CMP request to its answer, durable commit included',
    labelNames: ['type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const issued = new Counter({ name: 'cmpkit_certificates_issued_total', help: 'Certificates issued (stored)', registers: [registry] });
  const revoked = new Counter({
    name: 'cmpkit_certificates_revoked_total',
    help: 'Certificates revoked, by CRLReason code',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const queued = new Counter({
    name: 'cmpkit_announcements_queued_total',
    help: 'Announcements stored for a recipient',
    registers: [registry],
  });
  const delivered = new Counter({
    name: 'cmpkit_announcements_delivered_total',
    help: 'Announcements delivered (pushed on a connection or POSTed to a subscriber)',
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'cmpkit_store_errors_total',
    help: 'Failed calls to the database, by operation',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const watchStore = (store: ServerStore): void => {
    new Gauge({
      name: 'cmpkit_pending_approvals',
      help: 'Requests waiting for an operator (cmpkit-server pending approve|reject)',
      aggregator: 'max',
      registers: [registry],
      async collect() {
        this.set((await store.pending.list({ status: 'pending' })).filter((r) => r.kind === 'approval').length);
      },
    });
    new Gauge({
      name: 'cmpkit_announcements_pending',
      help: 'Announcements stored and not yet delivered',
      aggregator: 'max',
      registers: [registry],
      async collect() {
        this.set(await store.announcements.pendingCount());
      },
    });
  };
  return {
    registry,
    watchStore,
    collect: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
    countAnswer(type, response) {
      const { outcome, failInfo } = outcomeOf(response);
      requests.inc({ type, outcome, fail_info: failInfo.join(',') });
    },
    countUnanswered(type) {
      requests.inc({ type, outcome: 'unanswered', fail_info: '' });
    },
    observeLatency(type, seconds) {
      latency.observe({ type }, seconds);
    },
    store: {
      failed(operation) {
        storeErrors.inc({ operation });
      },
      succeeded(operation, args, result) {
        switch (operation) {
          case 'certificates.insert':
            issued.inc();
            break;
          case 'certificates.revoke':
            if (result === 'revoked') revoked.inc({ reason: String(args[1]) });
            break;
          case 'announcements.enqueue':
            queued.inc();
            break;
          case 'announcements.enqueueBroadcast':
            // Stored once, a delivery queued for each recipient.
            queued.inc((result as { recipients: number }).recipients);
            break;
          case 'announcements.delivered':
            delivered.inc();
            break;
        }
      },
    },
  };
}
