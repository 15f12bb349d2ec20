import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTransportError, type CmpHandler, type RequestContext } from '@cmpkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type NodeListenerOptions, toNodeListener } from '../src/index.js';
import { fixtureText } from './support/fixtures.js';
import { type Listening, listen } from './support/listen.js';
import { rawRequest } from './support/raw-request.js';

const DER = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x02]);
const ANSWER = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x07]);
const PKIX = { 'Content-Type': 'application/pkixcmp' };

function recorder(answer: (request: Uint8Array, context?: RequestContext) => Promise<Uint8Array> = async () => ANSWER) {
  const calls: { request: Uint8Array; context: RequestContext | undefined }[] = [];
  const handle: CmpHandler = async (request, context) => {
    calls.push({ request: request.slice(), context });
    return answer(request, context);
  };
  return { handle, calls };
}

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handle: CmpHandler, options?: NodeListenerOptions): Promise<Listening> {
  server = await listen(toNodeListener(handle, options));
  return server;
}

describe('toNodeListener', () => {
  it('answers 200 application/pkixcmp and passes remoteAddress and path', async () => {
    const { handle, calls } = recorder();
    const { port } = await serve(handle);
    let localPort = 0;
    const response = await new Promise<{ status: number; type: string | undefined; body: Buffer }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/.well-known/cmp/p/tls', headers: PKIX, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
        },
      );
      req.on('socket', (socket) => socket.on('connect', () => (localPort = socket.localPort!)));
      req.on('error', reject);
      req.end(DER);
    });
    expect(response.status).toBe(200);
    expect(response.type).toBe('application/pkixcmp');
    expect(Array.from(response.body)).toEqual(Array.from(ANSWER));
    expect(Array.from(calls[0]!.request)).toEqual(Array.from(DER));
    const context = calls[0]!.context!;
    expect(context.path).toBe('/p/tls');
    expect(context.remoteAddress).toBe(`127.0.0.1:${localPort}`);
    expect(context.tlsPeerCertificate).toBeUndefined();
    expect(context.signal).toBeInstanceOf(AbortSignal);
    expect(context.signal!.aborted).toBe(false);
  });

  it('accepts an absolute-form request target', async () => {
    const { handle, calls } = recorder();
    const { port } = await serve(handle);
    const response = await rawRequest({ port, method: 'POST', path: `http://127.0.0.1:${port}/.well-known/cmp/`, headers: PKIX }, DER);
    expect(response.status).toBe(200);
    expect(calls[0]!.context?.path).toBe('');
  });

  it.each([
    ['GET', '/.well-known/cmp', PKIX, 405],
    ['POST', '/.well-known/cmp', { 'Content-Type': 'text/plain' }, 415],
    ['POST', '/.well-known/cmp', {}, 415],
    ['POST', '/elsewhere', PKIX, 404],
    ['POST', '//.well-known/cmp', PKIX, 404],
  ])('%s %s with %j answers %i and closes the connection', async (method, path, headers, status) => {
    const { handle, calls } = recorder();
    const { port } = await serve(handle);
    const response = await rawRequest({ port, method, path, headers }, method === 'GET' ? [] : DER);
    expect(response.status).toBe(status);
    expect(response.headers.connection).toBe('close');
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    if (status === 405) expect(response.headers.allow).toBe('POST');
    expect(calls).toHaveLength(0);
  });

  it('answers 413 at once to a Content-Length over maxMessageBytes', async () => {
    const { handle, calls } = recorder();
    const { port } = await serve(handle, { maxMessageBytes: 1000 });
    // Announces 10 MiB but sends 10 bytes: the answer must not wait for the rest.
    const response = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/.well-known/cmp',
          agent: false,
          headers: { ...PKIX, 'Content-Length': String(10 * 1024 * 1024) },
        },
        (res) => {
          resolve(res.statusCode!);
          req.destroy();
        },
      );
      req.on('error', reject);
      req.write(new Uint8Array(10));
    });
    expect(response).toBe(413);
    expect(calls).toHaveLength(0);
  });

  it('answers 413 to a chunked body that grows past maxMessageBytes, without waiting for its end', async () => {
    const { handle, calls } = recorder();
    const { port } = await serve(handle, { maxMessageBytes: 4096 });
    const status = await new Promise<number>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/.well-known/cmp', agent: false, headers: PKIX }, (res) => {
        resolve(res.statusCode!);
        req.destroy();
      });
      req.on('error', () => {});
      // Keep streaming 1 KiB chunks, never ending the body.
      const pump = (): void => {
        if (req.destroyed) return;
        req.write(new Uint8Array(1024), () => setImmediate(pump));
      };
      pump();
    });
    expect(status).toBe(413);
    expect(calls).toHaveLength(0);
  });

  it('aborts the context signal when the client goes away', async () => {
    let enter!: (signal: AbortSignal) => void;
    const entered = { promise: new Promise<AbortSignal>((resolve) => (enter = resolve)) };
    const { port } = await serve(async (_request, context) => {
      enter(context!.signal!);
      await once(context!.signal!, 'abort');
      return ANSWER;
    });
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/.well-known/cmp', agent: false, headers: PKIX });
    req.on('error', () => {});
    req.end(DER);
    const signal = await entered.promise;
    expect(signal.aborted).toBe(false);
    req.destroy();
    await once(signal, 'abort');
    expect(isTransportError(signal.reason)).toBe(true);
  });

  it('answers 500 with a generic text when the handler rejects, telling only onError', async () => {
    const failure = new Error('secret internals');
    const errors: [unknown, RequestContext][] = [];
    const { port } = await serve(async () => Promise.reject(failure), { onError: (e, c) => errors.push([e, c]) });
    const response = await rawRequest({ port, method: 'POST', path: '/.well-known/cmp', headers: PKIX }, DER);
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.body.toString()).toBe('internal server error\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]![0]).toBe(failure);
    expect(errors[0]![1].path).toBe('');
  });

  it('keeps the connection open after an answer', async () => {
    const { handle } = recorder();
    const { port } = await serve(handle);
    const response = await fetch(`http://127.0.0.1:${port}/.well-known/cmp`, { method: 'POST', headers: PKIX, body: DER });
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('keep-alive');
    await response.arrayBuffer();
  });
});

/** Whether `openssl` can be run; the TLS tests that need fresh certificates skip without it. */
function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('toNodeListener on node:https', () => {
  async function serveTls(handle: CmpHandler, tls: ServerOptions, options?: NodeListenerOptions): Promise<number> {
    server = await listen(toNodeListener(handle, options), createHttpsServer({ requestCert: true, rejectUnauthorized: false, ...tls }));
    return server.port;
  }

  const serverCert = { cert: fixtureText('pki/openssl-3.0/issuing.pem'), key: fixtureText('pki/openssl-3.0/issuing.key') };
  const clientCert = { cert: fixtureText('pki/openssl-3.0/ee.pem'), key: fixtureText('pki/openssl-3.0/ee.key') };
  const eeDer = Buffer.from(clientCert.cert.replace(/-----[^-]+-----|\s/g, ''), 'base64');

  const post = (port: number, client: object) =>
    rawRequest({ tls: true, port, method: 'POST', path: '/.well-known/cmp', headers: PKIX, rejectUnauthorized: false, ...client }, DER);

  it('does not pass an unverified client certificate by default', async () => {
    const { handle, calls } = recorder();
    // No `ca` on the server: the client's certificate cannot be verified.
    const port = await serveTls(handle, serverCert);
    expect((await post(port, clientCert)).status).toBe(200);
    expect(calls[0]!.context?.tlsPeerCertificate).toBeUndefined();
  });

  it("passes any presented client certificate with peerCertificate: 'presented'", async () => {
    const { handle, calls } = recorder();
    const port = await serveTls(handle, serverCert, { peerCertificate: 'presented' });
    expect((await post(port, clientCert)).status).toBe(200);
    expect(Buffer.from(calls[0]!.context!.tlsPeerCertificate!).equals(eeDer)).toBe(true);
    expect(calls[0]!.context!.tlsPeerCertificate).toBeInstanceOf(Uint8Array);
  });

  it('passes nothing when the client presents no certificate', async () => {
    const { handle, calls } = recorder();
    const port = await serveTls(handle, serverCert, { peerCertificate: 'presented' });
    expect((await post(port, {})).status).toBe(200);
    expect(calls[0]!.context?.tlsPeerCertificate).toBeUndefined();
  });

  const openssl = hasOpenssl();
  const title = openssl
    ? 'with certificates made now by openssl'
    : 'with certificates made by openssl (skipped: openssl is not on the PATH)';
  describe.skipIf(!openssl)(title, () => {
    it('passes a client certificate the server verified', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cmpkit-tls-'));
      try {
        const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
        const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
        run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=cmpkit test CA');
        run('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=cmpkit test client');
        run(
          'x509',
          '-req',
          '-in',
          'client.csr',
          '-CA',
          'ca.pem',
          '-CAkey',
          'ca.key',
          '-set_serial',
          '2',
          '-days',
          '2',
          '-out',
          'client.pem',
        );
        const read = (f: string) => readFileSync(join(dir, f), 'utf8');
        const { handle, calls } = recorder();
        const port = await serveTls(handle, { cert: read('ca.pem'), key: read('ca.key'), ca: read('ca.pem') });
        expect((await post(port, { cert: read('client.pem'), key: read('client.key') })).status).toBe(200);
        const der = Buffer.from(read('client.pem').replace(/-----[^-]+-----|\s/g, ''), 'base64');
        expect(Buffer.from(calls[0]!.context!.tlsPeerCertificate!).equals(der)).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
