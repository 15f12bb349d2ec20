import { performance } from 'node:perf_hooks';
import { decodePKIMessage, decodePKIMessageHeader, type PKIMessage } from '@cmpkit/codec';
import type { CmpHandler, ServerExchange } from '@cmpkit/core';
import type { Logger } from '../log/logger.js';
import type { ServerMetrics } from '../ops/server-metrics.js';
import { describeResponse } from './describe-response.js';
import type { ExchangeScope, ExchangeState } from './exchange-scope.js';
import { tlsClientName } from './tls-client-name.js';

/** Input of {@link createExchangeObserver}. */
export interface ExchangeObserverInit {
  logger: Logger;
  scope: ExchangeScope;
  /** Counted when given. */
  metrics?: ServerMetrics;
  /** A monotonic clock in ms, for latencies. Default `performance.now`. */
  now?: () => number;
}

/** Logs and counts each exchange of the server. */
export interface ExchangeObserver {
  /** The engine's `onExchange` hook. */
  onExchange(exchange: ServerExchange): void;
  /**
   * Wraps the handler the transports call: runs each request in its {@link ExchangeScope} (so
   * every log line of it carries its transactionID), then writes one line per exchange (request
   * and response body types, outcome, peer, the verified TLS client certificate's subject, time taken; `warn` for an error answer) and counts
   * it, once the answer is ready to leave.
   */
  observe(handle: CmpHandler): CmpHandler;
}

const typeOf = (exchange: ServerExchange): string => exchange.request?.body.type ?? 'undecodable';

function hex(bytes: Uint8Array | undefined): string | undefined {
  return bytes ? Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('') : undefined;
}

function transactionIdOf(request: Uint8Array): string | undefined {
  try {
    return hex(decodePKIMessageHeader(request).transactionID);
  } catch {
    return undefined; // the engine answers it with an error message; the log line says so
  }
}

/** What the engine would have told, for an answer it did not report (a handler without the hook). */
function reconstructed(request: Uint8Array, response: Uint8Array): { type: string; response: PKIMessage | undefined } {
  let type = 'undecodable';
  try {
    type = decodePKIMessage(request).body.type;
  } catch {
    // stays undecodable
  }
  try {
    return { type, response: decodePKIMessage(response) };
  } catch {
    return { type, response: undefined };
  }
}

/**
 * The server's request log and request metrics, fed by the engine's `onExchange` reports: nothing
 * is decoded twice. The exchanges of one request (a nested message's inner ones too) are counted
 * when its answer is ready, so a request whose commit failed counts as `unanswered` only.
 */
export function createExchangeObserver(init: ExchangeObserverInit): ExchangeObserver {
  const { logger, scope, metrics } = init;
  const now = init.now ?? (() => performance.now());
  const reports = new WeakMap<ExchangeState, ServerExchange[]>();
  return {
    onExchange(exchange) {
      const state = scope.current();
      const list = state && reports.get(state);
      if (list) list.push(exchange);
      else metrics?.countAnswer(typeOf(exchange), exchange.response.body);
    },
    observe(handle) {
      return (request, context) => {
        const started = now();
        const state: ExchangeState = { transactionID: transactionIdOf(request) };
        const exchanges: ServerExchange[] = [];
        reports.set(state, exchanges);
        // Work started by the request (a push channel's close watcher) keeps `state` for as long
        // as a connection lives; the exchanges it reported (messages, certificates) must not.
        const release = (): void => {
          reports.delete(state);
        };
        const handled = scope.run(state, async () => {
          const outer = (): ServerExchange | undefined => exchanges.find((e) => e.depth === 0);
          const peer = {
            peer: context?.remoteAddress,
            path: context?.path || undefined,
            tlsClient: context?.tlsPeerCertificate ? tlsClientName(context.tlsPeerCertificate) : undefined,
          };
          let response: Uint8Array;
          try {
            response = await handle(request, context);
          } catch (error) {
            const told = outer();
            const type = told ? typeOf(told) : reconstructed(request, new Uint8Array(0)).type;
            const ms = now() - started;
            logger.error(`${type} -> no answer`, { ...peer, ms: Math.round(ms), error });
            metrics?.countUnanswered(type);
            metrics?.observeLatency(type, ms / 1000);
            throw error;
          }
          const ms = now() - started;
          const told = outer();
          const { type, response: message } = told ? { type: typeOf(told), response: told.response } : reconstructed(request, response);
          for (const exchange of exchanges) metrics?.countAnswer(typeOf(exchange), exchange.response.body);
          if (!told && message) metrics?.countAnswer(type, message.body);
          const failed = message === undefined || message.body.type === 'error';
          (failed ? logger.warn : logger.info)(`${type} -> ${message ? describeResponse(message) : 'undecodable response'}`, {
            ...peer,
            ms: Math.round(ms),
          });
          metrics?.observeLatency(type, ms / 1000);
          return response;
        });
        handled.then(release, release);
        return handled;
      };
    },
  };
}
