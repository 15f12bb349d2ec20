// The listeners' TLS credential: issued by the server's CA on first use, renewed when fewer than
// tls.renewBeforeDays are left (by one process), reloaded by the others when the file changed;
// or the operator's files, whose errors name the setting.
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { decodePem, nameToString } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';
import { loadConfig } from '../../src/config/load-config.js';
import { lineLogger } from '../../src/log/logger.js';
import { openServerContext } from '../../src/server/server-context.js';
import { fileTlsOptions, openServerTls } from '../../src/tls/server-tls.js';
import { fakeClock, tempDir } from '../helpers.js';

const DAY = 86_400_000;

async function setup(config: object = {}) {
  const dir = tempDir();
  const clock = fakeClock();
  writeFileSync(join(dir, 'server.json'), JSON.stringify({ dataDir: 'data', ...config }));
  const logger = lineLogger(() => {}, 'silent', clock);
  const ctx = await openServerContext(await loadConfig({ cwd: dir, configFile: 'server.json' }), { clock, crypto, logger });
  return { dir, clock, ctx, logger };
}

function holder(): { contexts: SecureContextOptions[]; setSecureContext(o: SecureContextOptions): void } {
  const contexts: SecureContextOptions[] = [];
  return { contexts, setSecureContext: (o) => contexts.push(o) };
}

describe('the TLS server credential', () => {
  it('is issued by the CA for the configured names, renewed when due, and reloaded by another process', async () => {
    const { dir, clock, ctx, logger } = await setup({
      tls: { subjectAltNames: ['DNS:cmp.example', 'IP:192.0.2.7'], validityDays: 90, renewBeforeDays: 30 },
    });
    try {
      const renewer = await openServerTls(ctx, { renew: true, logger });
      const other = await openServerTls(ctx, { renew: false, logger });
      const [certificate] = decodePem(String(renewer.options().cert)).map((b) => b.der);
      const parsed = parseCertificate(certificate!);
      expect(nameToString(parsed.subject)).toBe('/CN=cmp.example');
      expect(nameToString(parsed.issuer)).toBe(nameToString(parseCertificate(ctx.material.issuing.certificate).subject));
      expect(parsed.extKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
      expect(renewer.notAfter().getTime()).toBe(clock().getTime() - 60_000 + 90 * DAY); // backdated a minute
      expect(renewer.source).toBe(join(dir, 'data', 'tls-server.pem'));
      const recorded = await ctx.store.certificates.list({ status: 'confirmed' });
      expect(recorded.map((c) => [c.profile, c.requester, c.subject])).toContainEqual(['tlsServer', 'server:tls', '/CN=cmp.example']);
      const listener = holder();
      renewer.attach(listener);
      const otherListener = holder();
      other.attach(otherListener);
      expect(await renewer.refresh()).toBeUndefined();
      const firstNotAfter = renewer.notAfter();

      clock.advance(61 * DAY);
      expect(await other.refresh()).toBeUndefined(); // not its job to renew
      expect(await renewer.refresh()).toBe('renewed');
      expect(renewer.notAfter().getTime()).toBeGreaterThan(firstNotAfter.getTime());
      expect(listener.contexts).toHaveLength(1);
      expect(listener.contexts[0]?.cert).toBe(renewer.options().cert);

      // Another process sees the new file (its modification time changed) and loads it.
      utimesSync(renewer.source, new Date(), new Date(Date.now() + 5000));
      expect(await other.refresh()).toBe('reloaded');
      expect(other.notAfter()).toEqual(renewer.notAfter());
      expect(otherListener.contexts).toHaveLength(1);
    } finally {
      await ctx.close();
    }
  });

  it('asks for client certificates under the CA when tls.clientCertificates is set', async () => {
    const { ctx, logger } = await setup({ tls: { clientCertificates: 'required' } });
    try {
      const options = (await openServerTls(ctx, { renew: true, logger })).options();
      expect(options).toMatchObject({ requestCert: true, rejectUnauthorized: true });
      expect(decodePem(String(options.ca)).map((b) => b.der)).toContainEqual(ctx.material.root.certificate);
    } finally {
      await ctx.close();
    }
  });

  it('uses the operator files, and names the setting when they are wrong', async () => {
    const { dir, ctx, logger } = await setup();
    await ctx.close();
    writeFileSync(join(dir, 'cert.pem'), 'nothing\n');
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ dataDir: 'data', tls: { certificate: 'cert.pem', key: 'key.pem' } }));
    const config = await loadConfig({ cwd: dir, configFile: 'server.json' });
    const withFiles = await openServerContext(config, { clock: fakeClock(), crypto, logger });
    try {
      await expect(openServerTls(withFiles, { renew: true, logger })).rejects.toThrow(
        `config: tls.key: cannot read ${join(dir, 'key.pem')}`,
      );
      writeFileSync(join(dir, 'key.pem'), 'nothing either\n');
      await expect(openServerTls(withFiles, { renew: true, logger })).rejects.toThrow(
        `config: tls.certificate: ${join(dir, 'cert.pem')} holds no CERTIFICATE`,
      );
    } finally {
      await withFiles.close();
    }
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ tls: { certificate: 'cert.pem' } }));
    await expect(loadConfig({ cwd: dir, configFile: 'server.json' })).rejects.toThrow('tls.certificate and tls.key go together');
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ tls: { subjectAltNames: ['cmp.example'] } }));
    await expect(loadConfig({ cwd: dir, configFile: 'server.json' })).rejects.toThrow(
      "tls.subjectAltNames: 'cmp.example' is not DNS:name or IP:address",
    );
  });

  it('serves an RA from the files alone', async () => {
    const { dir, ctx } = await setup();
    await ctx.close();
    const base = {
      subjectAltNames: [],
      validityDays: 90,
      renewBeforeDays: 30,
      clientCertificates: 'none' as const,
      clientTrustAnchors: null,
    };
    await expect(fileTlsOptions({ ...base, certificate: null, key: null })).rejects.toThrow(
      'TLS without a CA of its own needs tls.certificate and tls.key',
    );
    const tlsFile = join(dir, 'tls.pem');
    const serverTls = await openServerTls(
      await openServerContext(await loadConfig({ cwd: dir, configFile: 'server.json' }), {
        clock: fakeClock(),
        crypto,
        logger: lineLogger(() => {}, 'silent', fakeClock()),
      }),
      { renew: true, logger: lineLogger(() => {}, 'silent', fakeClock()) },
    );
    writeFileSync(tlsFile, String(serverTls.options().key) + String(serverTls.options().cert));
    const options = await fileTlsOptions({ ...base, certificate: tlsFile, key: tlsFile });
    expect(options.cert).toBe(serverTls.options().cert);
    await expect(fileTlsOptions({ ...base, certificate: tlsFile, key: tlsFile, clientCertificates: 'required' })).rejects.toThrow(
      'tls.clientCertificates needs tls.clientTrustAnchors here',
    );
  });
});
