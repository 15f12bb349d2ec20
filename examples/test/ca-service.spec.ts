import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePemBlock } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';
import { openSqliteServerStore } from '@cmpkit/store-sqlite';
import { bundleFromSources, tempDir } from '@cmpkit/test-utils';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enrollDevice } from '../enroll-device.mjs';

const examples = fileURLToPath(new URL('../', import.meta.url));
const example = join(examples, 'ca-service.mjs');

/** The README's code block marked `<!-- examples/NAME -->`. */
function readmeBlock(name: string): string {
  const readme = readFileSync(join(examples, '../README.md'), 'utf8');
  const match = new RegExp(`<!-- examples/${name.replace('.', '\\.')} -->\\n\`\`\`js\\n([\\s\\S]*?)\`\`\`\\n`).exec(readme);
  if (!match) throw new Error(`README.md has no block marked <!-- examples/${name} -->`);
  return match[1]!;
}

let bundle: string;
beforeAll(async () => {
  // The example as a process of its own, on the packages' sources; better-sqlite3 (native) is
  // found in examples/node_modules.
  bundle = await bundleFromSources(example, join(examples, `node_modules/.cache/examples-test/ca-service-${process.pid}.mjs`), {
    external: ['better-sqlite3'],
  });
});

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts the example in `dir` on a free port; resolves once it prints its URL. */
async function startExample(dir: string): Promise<{ url: string; output(): string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [bundle], { cwd: dir, env: { ...process.env, PORT: '0', DEVICE_SECRET: 'test-secret' } });
  running.push(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (output += text));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const match = /CMP on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`the example exited (${code}) before listening:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('the CA service example of the README', () => {
  it('is the README block, line for line', () => {
    expect(readmeBlock('ca-service.mjs')).toBe(readFileSync(example, 'utf8'));
    expect(readmeBlock('enroll-device.mjs')).toBe(readFileSync(join(examples, 'enroll-device.mjs'), 'utf8'));
  });

  it('enrolls, updates and revokes a device, stops on SIGTERM and keeps its CA and certificates across a restart', async () => {
    const dir = tempDir();
    const first = await startExample(dir);
    const caCertificate = decodePemBlock(readFileSync(join(dir, 'ca.pem'), 'utf8'), 'CERTIFICATE');
    const device = await enrollDevice({ url: first.url, caCertificate, secret: 'test-secret' });
    for (const certificate of [device.first, device.updated]) {
      expect(parseCertificate(certificate).issuer).toEqual(parseCertificate(caCertificate).subject);
    }
    expect(first.output()).toContain('certificate issued');
    expect(first.output()).toContain('certificate revoked');
    expect(await first.stop()).toBe(0);

    // Everything the answers reported is in the database.
    const store = await openSqliteServerStore(join(dir, 'ca.sqlite'));
    try {
      const stored = await store.certificates.list();
      expect(stored.map((c) => c.status).sort()).toEqual(['confirmed', 'revoked']);
      expect((await store.crls.current())?.crlNumber).toBe(1n);
    } finally {
      await store.close();
    }

    // A restart keeps the CA: the same certificate, and a device enrolls under it again.
    const second = await startExample(dir);
    expect(decodePemBlock(readFileSync(join(dir, 'ca.pem'), 'utf8'), 'CERTIFICATE')).toEqual(caCertificate);
    await enrollDevice({ url: second.url, caCertificate, secret: 'test-secret' });
    expect(await second.stop()).toBe(0);
  });
});
