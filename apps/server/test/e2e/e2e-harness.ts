import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { decodePem } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';
import { main as clientMain } from '../../../client/src/main.js';
import { main as serverMain } from '../../src/main.js';
import type { ListeningAddress } from '../../src/server/ready-line.js';
import type { CliRun } from '../run-cli.js';

/** A `cmpkit-server serve` running in-process on 127.0.0.1 with free ports. */
export interface RunningServer {
  dir: string;
  httpUrl: string;
  tcpUrl: string;
  wsUrl: string;
  /** CMP over CoAP (RFC 9482): UDP, TCP, WebSocket on the HTTP port. */
  coapUrl: string;
  coapTcpUrl: string;
  coapWsUrl: string;
  /** The root CA file of the data directory. */
  root: string;
  /** Every listener, as `serve` reported it. */
  address: ListeningAddress;
  /** The issuing CA file: the chain a device sends with its signed requests (RFC 9483 section 3.3). */
  issuing: string;
  stdout(): string;
  stderr(): string;
  stop(): Promise<number>;
}

/** Starts the server in `dir` with TCP, WebSocket (on the HTTP port) and CoAP on free loopback ports. */
export async function startServer(dir: string, ...extra: string[]): Promise<RunningServer> {
  const stop = new AbortController();
  let stdout = '';
  let stderr = '';
  let listening: (address: ListeningAddress) => void;
  const bound = new Promise<ListeningAddress>((resolve) => (listening = resolve));
  const running = serverMain(
    ['serve', '--port', '0', '--host', '127.0.0.1', '--tcp-port', '0', '--coap-port', '0', '--data-dir', 'data', ...extra],
    {
      cwd: dir,
      signal: stop.signal,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      onListening: (address) => listening(address),
    },
  );
  const address = await Promise.race([
    bound,
    running.then((status) => {
      throw new Error(`server exited with ${status}: ${stderr}`);
    }),
  ]);
  return {
    dir,
    httpUrl: address.url,
    tcpUrl: address.tcpUrl ?? '',
    wsUrl: address.wsUrl ?? '',
    coapUrl: address.coapUrl ?? '',
    coapTcpUrl: address.coapTcpUrl ?? '',
    coapWsUrl: address.coapWsUrl ?? '',
    root: join(dir, 'data', 'root-ca.pem'),
    address,
    issuing: join(dir, 'data', 'issuing-ca.pem'),
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      stop.abort();
      return running;
    },
  };
}

/** Runs the `cmpkit` client in-process. */
export async function runClient(...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const status = await clientMain(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { status, stdout, stderr };
}

/** An end entity enrolled by {@link enrollDevice}: its files, and its certificate's serial (hex). */
export interface EnrolledDevice {
  cert: string;
  key: string;
  /** A copy of the server's root, for the device alone (a ckuann rewrites it). */
  trusted: string;
  /** The issuing CA: the chain the device sends with its signed requests (RFC 9483 section 3.3). */
  untrusted: string;
  serial: string;
}

/** Enrolls `/CN=name` with the demo secret (ir over HTTP); its files are `<name>.pem`, `<name>.key`, `<name>-trust.pem`. */
export async function enrollDevice(server: RunningServer, name: string): Promise<EnrolledDevice> {
  const file = (f: string): string => join(server.dir, f);
  writeFileSync(file(`${name}-trust.pem`), readFileSync(server.root));
  const ir = await runClient(
    'ir',
    '--server',
    server.httpUrl,
    '--ref',
    'demo',
    '--secret',
    'pass:demo-secret-change-me',
    '--trusted',
    file(`${name}-trust.pem`),
    '--newkey',
    'ec:P-256',
    '--newkeyout',
    file(`${name}.key`),
    '--subject',
    `/CN=${name}`,
    '--certout',
    file(`${name}.pem`),
  );
  expect(ir.stderr).toBe('');
  const [certificate] = decodePem(readFileSync(file(`${name}.pem`), 'utf8'));
  return {
    cert: file(`${name}.pem`),
    key: file(`${name}.key`),
    trusted: file(`${name}-trust.pem`),
    untrusted: server.issuing,
    serial: parseCertificate(certificate!.der).serialNumber.toString(16),
  };
}

/** Runs the `cmpkit-server` maintenance commands in-process on the server's data directory. */
export async function runAdmin(server: Pick<RunningServer, 'dir'>, ...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const status = await serverMain([...argv, '--data-dir', 'data'], {
    cwd: server.dir,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { status, stdout, stderr };
}

/** A `cmpkit listen` running in-process. */
export interface RunningListener {
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout matches `pattern` (rejects after `timeoutMs` with what was printed). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Interrupts it (as SIGINT does) and resolves to its exit status. */
  stop(): Promise<number>;
  /** Its exit status, once it ends by itself (`--count`). */
  readonly done: Promise<number>;
}

/** Starts `cmpkit listen ...args` in-process. */
export function startListener(...args: string[]): RunningListener {
  const stop = new AbortController();
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };
  const done = clientMain(['listen', ...args], {
    stdout: (t) => {
      stdout += t;
      wake();
    },
    stderr: (t) => {
      stderr += t;
      wake();
    },
    signal: stop.signal,
  });
  let ended = false;
  void done.finally(() => {
    ended = true;
    wake();
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`listener did not print ${pattern} within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
        }, timeoutMs);
        const check = (): void => {
          const match = pattern.exec(stdout);
          if (match || ended) {
            clearTimeout(timer);
            waiters.delete(check);
            if (match) resolve(match);
            else reject(new Error(`listener ended without printing ${pattern}; stdout: ${stdout}; stderr: ${stderr}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      stop.abort();
      return done;
    },
  };
}
