import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { TcpTransportError } from '../tcp-transport-error.js';
import { type Frame, MessageType } from './frame.js';
import { FrameReader, type FramingFault } from './frame-reader.js';

/** Options of one client connection. */
export interface ClientConnectionOptions {
  host: string;
  port: number;
  /** Connect with TLS. */
  tls: ConnectionOptions | undefined;
  maxMessageBytes: number;
  /** Called with the message of each `pkiReq` frame the server sends unasked (an announcement). */
  onPush: ((message: Uint8Array) => void) | undefined;
  /** Called once when the connection is gone, whatever the reason. */
  onClose: (connection: ClientConnection) => void;
}

/**
 * One TCP connection of the client: writes frames and hands each received answer frame to the
 * exchange waiting for it. `pkiReq` frames from the server are pushes and go to `onPush` at any
 * time. A frame nobody waits for, a framing fault or an oversize announced length ends the
 * connection.
 */
export class ClientConnection {
  readonly #socket: Socket;
  readonly #reader: FrameReader;
  readonly #options: ClientConnectionOptions;
  #waiter: { resolve: (frame: Frame) => void; reject: (error: unknown) => void } | undefined;
  #queued: Frame[] = [];
  #closeError: TcpTransportError | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** In an exchange: answer frames are expected (and queued until asked for). */
  #busy = true;

  private constructor(socket: Socket, options: ClientConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.#reader = new FrameReader(options.maxMessageBytes);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.on('data', (chunk: Uint8Array) => this.#onData(chunk));
    socket.on('error', (error) =>
      this.#fail(
        new TcpTransportError(`tcp: connection to ${this.#target()} failed: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    socket.on('close', () => this.#fail(new TcpTransportError(`tcp: ${this.#target()} closed the connection`)));
  }

  /** Opens a connection; rejects with a {@link TcpTransportError}, or with `signal.reason` when aborted. */
  static open(options: ClientConnectionOptions, signal: AbortSignal): Promise<ClientConnection> {
    return new Promise((resolve, reject) => {
      signal.throwIfAborted();
      const socket = options.tls
        ? tlsConnect({ servername: isIP(options.host) ? '' : options.host, ...options.tls, host: options.host, port: options.port })
        : connect({ host: options.host, port: options.port });
      const onAbort = (): void => {
        socket.destroy();
        reject(signal.reason);
      };
      const onError = (error: Error): void => {
        signal.removeEventListener('abort', onAbort);
        reject(new TcpTransportError(`tcp: cannot connect to ${options.host}:${options.port}: ${error.message}`, { cause: error }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once(options.tls ? 'secureConnect' : 'connect', () => {
        signal.removeEventListener('abort', onAbort);
        socket.off('error', onError);
        resolve(new ClientConnection(socket, options));
      });
    });
  }

  /** True once the connection is gone or going. */
  get closed(): boolean {
    return this.#closeError !== undefined;
  }

  /** Writes one frame; resolves when it has been handed to the kernel. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#closeError !== undefined) return Promise.reject(this.#closeError);
    return new Promise((resolve, reject) => {
      this.#socket.write(bytes, (error) =>
        error
          ? reject(
              this.#closeError ??
                new TcpTransportError(`tcp: write to ${this.#target()} failed: ${error.message}`, {
                  cause: error,
                }),
            )
          : resolve(),
      );
    });
  }

  /** The next answer frame (any type but `pkiReq`); rejects when the connection ends first or `signal` aborts. */
  next(signal: AbortSignal): Promise<Frame> {
    const queued = this.#queued.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closeError !== undefined) return Promise.reject(this.#closeError);
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        this.#waiter = undefined;
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiter = {
        resolve: (frame) => {
          signal.removeEventListener('abort', onAbort);
          resolve(frame);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
    });
  }

  /**
   * Marks the connection idle: answer frames are then protocol violations, and after `idleMs` it
   * closes. `keepProcessAlive: false` lets Node exit while it is idle.
   */
  idle(idleMs: number, keepProcessAlive: boolean): void {
    this.#busy = false;
    this.#queued = [];
    if (Number.isFinite(idleMs)) {
      this.#idleTimer = setTimeout(() => this.destroy(), idleMs);
      this.#idleTimer.unref();
    }
    if (!keepProcessAlive) this.#socket.unref();
  }

  /** Takes the connection out of the idle state for an exchange. */
  busy(): void {
    this.#busy = true;
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#socket.ref();
  }

  /** Closes the connection at once; a waiting exchange rejects with `error` (or a generic one). */
  destroy(error?: TcpTransportError): void {
    this.#fail(error ?? new TcpTransportError(`tcp: the connection to ${this.#target()} was closed locally`));
  }

  #onData(chunk: Uint8Array): void {
    const { frames, fault } = this.#reader.push(chunk);
    for (const frame of frames) {
      if (this.#closeError !== undefined) return;
      if (frame.type === MessageType.pkiReq) {
        this.#deliverPush(frame.value);
      } else if (this.#waiter !== undefined) {
        const waiter = this.#waiter;
        this.#waiter = undefined;
        waiter.resolve(frame);
      } else if (this.#busy) {
        this.#queued.push(frame);
      } else {
        this.#fail(new TcpTransportError(`tcp: ${this.#target()} sent a frame of type ${frame.type} nobody asked for`));
      }
    }
    if (fault !== undefined) this.#fail(faultError(fault, this.#target(), this.#options.maxMessageBytes));
  }

  #deliverPush(message: Uint8Array): void {
    try {
      this.#options.onPush?.(message);
    } catch {
      // onPush must not throw; a throw does not disturb the connection.
    }
  }

  #fail(error: TcpTransportError): void {
    if (this.#closeError !== undefined) return;
    this.#closeError = error;
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#socket.destroy();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
    this.#options.onClose(this);
  }

  #target(): string {
    return `${this.#options.host}:${this.#options.port}`;
  }
}

function faultError(fault: FramingFault, target: string, maxMessageBytes: number): TcpTransportError {
  switch (fault.kind) {
    case 'tooLarge':
      return new TcpTransportError(
        `tcp: ${target} announced a frame of ${fault.announced} octets, more than maxMessageBytes (${maxMessageBytes}) allows`,
      );
    case 'badVersion':
      return new TcpTransportError(`tcp: ${target} sent a frame with version/type octet ${fault.octet}, neither 10 nor an RFC 2510 type`);
    case 'badLength':
      return new TcpTransportError(`tcp: ${target} sent a frame with length ${fault.announced}, too short for its header`);
  }
}
