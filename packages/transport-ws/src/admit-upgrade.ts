import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ConnectionAdmission } from '@cmpkit/core';

/** `ip:port` of the peer of an upgrade request (IPv6 in brackets). */
export function peerOf(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? 'unknown';
  return `${address.includes(':') ? `[${address}]` : address}:${request.socket.remotePort ?? 0}`;
}

/** Ends a handshake with an HTTP status instead of the upgrade. */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  statusText: string,
  text: string,
  headers: Record<string, string> = {},
): void {
  const body = `${text}\n`;
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\n${extra}Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Asks `admit` (e.g. core's `createConnectionRateLimit`) whether to take the WebSocket upgrade
 * `request` and, when it says no, answers `503 Service Unavailable` with `Retry-After` on the
 * socket before anything else is spent on the connection. True when the upgrade may go on. For
 * servers that route upgrades themselves; `createWsServer` does this with its `admit` option.
 */
export function admitUpgrade(admit: ConnectionAdmission | undefined, request: IncomingMessage, socket: Duplex): boolean {
  if (!admit) return true;
  const decision = admit(peerOf(request));
  if (decision.admitted) return true;
  refuseUpgrade(socket, 503, 'Service Unavailable', 'too many new connections; try again later', {
    'Retry-After': String(decision.retryAfterSeconds),
  });
  return false;
}
