import { execFile, execFileSync } from 'node:child_process';

/** The path of libcoap's `coap-client-notls`, or undefined when it is not installed. */
export function coapClientBinary(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v coap-client-notls'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Runs the libcoap client (its own timeout: -B 20 s), resolving with its exit code and output. */
export function runCoapClient(binary: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(binary, ['-B', '20', ...args], { timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}
