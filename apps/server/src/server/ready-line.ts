import type { ClusterAddress } from './cluster.js';

/** Where a server listens, as `serve` reports it: `url` is the HTTP CMP endpoint, `<kind>Url` the others. */
export interface ListeningAddress extends ClusterAddress {
  metricsUrl?: string;
}

/**
 * The one machine-readable line `serve` prints on standard output once every listener is up:
 * `{"event":"ready","role":...,"pid":...,"dataDir":...,"listeners":{"http":URL,"ws":URL,
 * "tcp":URL,"coap":URL,"coapTcp":URL,"coapWs":URL,"metrics":URL},"healthUrl":URL,"readyUrl":URL}`.
 * `listeners` names every `<kind>Url` of the address by its kind (`url` is `http`). Scripts read it
 * instead of the log.
 */
export function readyLine(role: string, address: ListeningAddress, dataDir: string): string {
  const listeners: Record<string, string> = { http: address.url };
  for (const [key, value] of Object.entries(address)) {
    const kind = /^([a-z][A-Za-z]*)Url$/.exec(key)?.[1];
    if (kind && typeof value === 'string') listeners[kind] = value;
  }
  const origin = new URL(address.url).origin;
  return `${JSON.stringify({ event: 'ready', role, pid: process.pid, dataDir, listeners, healthUrl: `${origin}/health`, readyUrl: `${origin}/ready` })}\n`;
}
