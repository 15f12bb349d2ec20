import { expectTransportError } from '@cmpkit/test-utils';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Frame } from '../../src/internal/frame.js';
import { FrameReader, type FramingFault } from '../../src/internal/frame-reader.js';
import { TcpTransportError } from '../../src/index.js';

export { deferred, rejection } from '@cmpkit/test-utils';

/** A frame-level view of one socket: write raw bytes, read the frames the peer sends. */
export interface RawPeer {
  socket: Socket;
  write(bytes: Uint8Array): void;
  /** Writes `bytes` one octet per write, waiting for each to be flushed. */
  writeSlowly(bytes: Uint8Array): Promise<void>;
  /** The next frame from the peer; rejects when the connection ends first. */
  next(): Promise<Frame>;
  /** Resolves when the socket has closed. */
  closed: Promise<void>;
  /** The octets received that did not form a frame yet, and any framing fault. */
  fault(): FramingFault | undefined;
}

export function rawPeer(socket: Socket, maxValueBytes = 16 * 1024 * 1024): RawPeer {
  const reader = new FrameReader(maxValueBytes);
  const frames: Frame[] = [];
  const waiters: Array<{ resolve: (frame: Frame) => void; reject: (error: Error) => void }> = [];
  let fault: FramingFault | undefined;
  let ended = false;
  socket.on('data', (chunk: Uint8Array) => {
    const result = reader.push(chunk);
    fault ??= result.fault;
    for (const frame of result.frames) {
      const waiter = waiters.shift();
      if (waiter) waiter.resolve(frame);
      else frames.push(frame);
    }
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      ended = true;
      for (const waiter of waiters.splice(0)) waiter.reject(new Error('raw: connection closed'));
      resolve();
    }),
  );
  return {
    socket,
    write: (bytes) => socket.write(bytes),
    async writeSlowly(bytes) {
      for (const octet of bytes) {
        await new Promise<void>((resolve, reject) => socket.write(Uint8Array.of(octet), (error) => (error ? reject(error) : resolve())));
      }
    },
    next() {
      const frame = frames.shift();
      if (frame) return Promise.resolve(frame);
      if (ended) return Promise.reject(new Error('raw: connection closed'));
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    closed,
    fault: () => fault,
  };
}

/** A raw TCP client connected to 127.0.0.1:port. */
export function rawClient(port: number): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(rawPeer(socket));
    });
  });
}

/** A scripted TCP server on 127.0.0.1:0: `onPeer` runs for each accepted connection. */
export interface FakeServer {
  server: Server;
  port: number;
  peers: RawPeer[];
  close(): Promise<void>;
}

export async function fakeServer(onPeer: (peer: RawPeer) => void | Promise<void>): Promise<FakeServer> {
  const peers: RawPeer[] = [];
  const server = createServer((socket) => {
    const peer = rawPeer(socket);
    peers.push(peer);
    void Promise.resolve(onPeer(peer)).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    peers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const peer of peers) peer.socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Asserts a transport error from this package, recognised by core, and returns it. */
export const expectTcpTransportError = (error: unknown): TcpTransportError => expectTransportError(error, TcpTransportError);

/** Deterministic bytes that look like a DER SEQUENCE header. */
export function message(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 17) & 0xff;
  bytes[0] = 0x30;
  return bytes;
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
