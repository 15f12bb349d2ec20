import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';

/** Why the OpenSSL interop tests cannot run here, or undefined when they can. */
export function opensslUnavailable(): string | undefined {
  const result = spawnSync('openssl', ['cmp', '-help'], { encoding: 'utf8' });
  if (result.error) return `openssl not found (${result.error.message})`;
  if (!`${result.stdout}${result.stderr}`.includes('-srv_secret')) return 'openssl has no cmp mock server (OpenSSL >= 3.0 needed)';
  return undefined;
}

/** A running `openssl cmp -port 0` mock server. */
export interface MockServer {
  port: number;
  /** Everything the server printed so far. */
  log(): string;
  /** Ends exactly this child process. */
  stop(): Promise<void>;
}

/** Starts the OpenSSL mock server on a free port and waits for it to listen. */
export function startMockServer(args: readonly string[], cwd?: string): Promise<MockServer> {
  const child: ChildProcess = spawn('openssl', ['cmp', '-port', '0', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`mock server did not start:\n${output}`));
    }, 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /ACCEPT \S*:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          port: Number(match[1]),
          log: () => output,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill();
            }),
        });
      }
    };
    child.once('exit', (code, signal) => (output += `\n[mock server exited: code ${code}, signal ${signal}]\n`));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mock server exited with ${code}:\n${output}`));
    });
  });
}

/** POSTs a PKIMessage to 127.0.0.1:port (RFC 6712 / RFC 9811) and returns the response body. */
export function postPkiMessage(port: number, der: Uint8Array): Promise<{ status: number; contentType: string; body: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/pkixcmp', 'content-length': der.length, connection: 'close' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type']),
            body: new Uint8Array(Buffer.concat(chunks)),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(Buffer.from(der));
  });
}

/** Runs `openssl` with arguments, resolving with its exit code and output. */
export function runOpenssl(args: readonly string[], cwd?: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, output }));
  });
}
