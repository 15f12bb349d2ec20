import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { CoapFormatError } from '../coap-format-error.js';
import { FrameTooLargeError, TcpFrameReader } from './tcp-frame-reader.js';

/** Why a pipe stopped delivering frames. */
export type PipeProblem = { kind: 'tooLarge'; size: number } | { kind: 'malformed'; detail: string };

/** A carrier of whole CoAP messages: a TCP stream cut into frames, or WebSocket binary messages. */
export interface FramePipe {
  /** True for TCP (Len and extended length in the frame), false for WebSocket. */
  readonly withLength: boolean;
  readonly remoteAddress: string;
  send(frame: Uint8Array): Promise<void>;
  /** Closes gracefully. */
  close(): void;
  /** Cuts the connection at once. */
  destroy(): void;
  start(handlers: { frame(frame: Uint8Array): void; problem(problem: PipeProblem): void; closed(): void }): void;
}

export function tcpPipe(socket: Socket, maxFrameBytes: number): FramePipe {
  const address = socket.remoteAddress ?? 'unknown';
  return {
    withLength: true,
    remoteAddress: `${address.includes(':') ? `[${address}]` : address}:${socket.remotePort ?? 0}`,
    send: (frame) =>
      new Promise((resolve, reject) => {
        if (socket.destroyed || !socket.writable) {
          reject(new Error('the connection is closed'));
          return;
        }
        socket.write(frame, (error) => (error ? reject(error) : resolve()));
      }),
    close: () => socket.end(),
    destroy: () => socket.destroy(),
    start(handlers) {
      const reader = new TcpFrameReader(maxFrameBytes);
      let stopped = false;
      socket.on('data', (chunk: Buffer) => {
        if (stopped) return;
        try {
          for (const frame of reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) handlers.frame(frame);
        } catch (error) {
          stopped = true;
          if (error instanceof FrameTooLargeError) handlers.problem({ kind: 'tooLarge', size: error.size });
          else handlers.problem({ kind: 'malformed', detail: error instanceof CoapFormatError ? error.message : String(error) });
        }
      });
      socket.on('error', () => {
        // 'close' follows.
      });
      socket.once('close', () => handlers.closed());
    },
  };
}

/**
 * A WebSocket as a pipe. Listening starts at once and frames are queued until `start`: the server's
 * CSM can arrive in the same chunk as the handshake answer, before the caller had its turn.
 */
export function wsPipe(ws: WebSocket, remoteAddress: string, maxFrameBytes: number): FramePipe {
  type Event = { frame: Uint8Array } | { problem: PipeProblem } | { closed: true };
  const queued: Event[] = [];
  let handlers: Parameters<FramePipe['start']>[0] | undefined;
  const deliver = (event: Event): void => {
    if (handlers === undefined) queued.push(event);
    else if ('frame' in event) handlers.frame(event.frame);
    else if ('problem' in event) handlers.problem(event.problem);
    else handlers.closed();
  };
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return deliver({ problem: { kind: 'malformed', detail: 'a text message' } });
    const bytes = Array.isArray(data)
      ? new Uint8Array(Buffer.concat(data))
      : data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.byteLength > maxFrameBytes) return deliver({ problem: { kind: 'tooLarge', size: bytes.byteLength } });
    deliver({ frame: bytes });
  });
  ws.on('error', () => {
    // 'close' follows.
  });
  ws.once('close', () => deliver({ closed: true }));
  return {
    withLength: false,
    remoteAddress,
    send: (frame) =>
      new Promise((resolve, reject) => {
        if (ws.readyState !== ws.OPEN) {
          reject(new Error('the connection is closed'));
          return;
        }
        ws.send(frame, { binary: true }, (error) => (error ? reject(error) : resolve()));
      }),
    close: () => ws.close(1000),
    destroy: () => ws.terminate(),
    start(next) {
      handlers = next;
      for (const event of queued.splice(0)) deliver(event);
    },
  };
}
