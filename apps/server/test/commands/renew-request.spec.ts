// `renew-request` on a running server: the holder is asked to re-enroll before a deadline; at the
// deadline the server's housekeeping revokes the certificate unless a key update (kur) of it was
// confirmed before, and announces the revocation. Real clock, a deadline seconds ahead, waited for
// by condition.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePem, parseName } from '@cmpkit/codec';
import { createClient } from '@cmpkit/core';
import { httpTransport } from '@cmpkit/transport-http';
import { waitUntil } from '@cmpkit/test-utils';
import { main } from '../../src/main.js';
import { crlContent, serialOf, tempDir } from '../helpers.js';
import { runCli } from '../run-cli.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describe('renew-request deadline', () => {
  it('revokes the certificate not renewed at the deadline, keeps the one renewed with kur, and says so in the log', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ dataDir: 'data', expirySweepSeconds: 1 }));
    const abort = new AbortController();
    let log = '';
    let listening: (url: string) => void = () => {};
    const bound = new Promise<string>((resolve) => (listening = resolve));
    const done = main(['serve', '--port', '0', '--host', '127.0.0.1', '--config', 'server.json'], {
      cwd: dir,
      signal: abort.signal,
      stdout: () => {},
      stderr: (t) => (log += t),
      onListening: (a) => listening(a.url),
    });
    stops.push(() => (abort.abort(), done));
    const url = await bound;
    const pem = (file: string) => decodePem(readFileSync(join(dir, 'data', file), 'utf8')).map((b) => b.der);
    const trust = { trustAnchors: pem('root-ca.pem'), untrusted: pem('issuing-ca.pem') };
    const transport = httpTransport({ url });
    const newKey = async () =>
      (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const mac = createClient({ transport, credential: { secret: 'demo-secret-change-me', senderKID: 'demo' }, ...trust });
    const lapsedKey = await newKey();
    const lapsed = (await mac.enroll({ keyPair: lapsedKey, subject: parseName('/CN=lapsed') })).certificate;
    const renewedKey = await newKey();
    const renewed = (await mac.enroll({ keyPair: renewedKey, subject: parseName('/CN=renewed') })).certificate;

    for (const certificate of [lapsed, renewed]) {
      const asked = await runCli(
        { cwd: dir },
        'renew-request',
        '--config',
        'server.json',
        '--serial',
        serialOf(certificate),
        '--before',
        '+3s',
      );
      expect(asked.status, asked.stderr).toBe(0);
      expect(asked.stdout).toContain('revokes it then unless it is renewed (kur) before');
    }
    const holder = createClient({
      transport,
      credential: { privateKey: renewedKey.privateKey, certificate: renewed, chain: trust.untrusted },
      trust: { signature: { anchors: trust.trustAnchors, untrusted: trust.untrusted } },
      ...trust,
    });
    const successor = (await holder.keyUpdate({ keyPair: await newKey(), oldCertificate: renewed })).certificate;

    const list = async () => (await runCli({ cwd: dir }, 'cert', 'list', '--all', '--config', 'server.json')).stdout;
    await waitUntil(async () => new RegExp(`${serialOf(lapsed)}.*revoked`).test(await list()), {
      timeoutMs: 30_000,
      what: 'the certificate revoked at its deadline',
    });
    const listed = await list();
    expect(listed).toMatch(new RegExp(`${serialOf(renewed)}.*confirmed`));
    expect(listed).toMatch(new RegExp(`${serialOf(successor)}.*confirmed`));
    await waitUntil(() => log.includes(`certificate renewed before its deadline serial=${serialOf(renewed)}`), {
      what: 'the renewal noticed',
    });
    expect(log).toContain(`certificate revoked at its renewal deadline serial=${serialOf(lapsed)}`);
    const crl = await runCli({ cwd: dir }, 'crl', '--config', 'server.json', '--out', 'now.crl');
    expect(crl.status, crl.stderr).toBe(0);
    expect(crlContent(new Uint8Array(readFileSync(join(dir, 'now.crl')))).entries.get(serialOf(lapsed))).toBe(5);
  }, 120_000);
});
