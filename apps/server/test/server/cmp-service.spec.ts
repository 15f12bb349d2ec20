// The engine of @cmpkit/core on the server's SQLite context, driven by core's own client over a
// loopback transport, on a fake clock.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oids, parseName } from '@cmpkit/codec';
import { createClient, loopbackTransport, rejectCertificate, TransportError, type CmpHandler, type Transport } from '@cmpkit/core';
import { loadConfig } from '../../src/config/load-config.js';
import { lineLogger } from '../../src/log/logger.js';
import { createCmpService } from '../../src/server/cmp-service.js';
import { openServerContext, type ServerContext } from '../../src/server/server-context.js';
import { crlContent, fakeClock, serialOf, tempDir, type FakeClock } from '../helpers.js';

async function open(
  dir: string,
  clock: FakeClock,
  file?: object,
): Promise<{ ctx: ServerContext; handle: CmpHandler; expire: () => Promise<number> }> {
  const logger = lineLogger(() => {}, 'silent', clock);
  let configFile: string | undefined;
  if (file) {
    configFile = join(dir, 'server.json');
    writeFileSync(configFile, JSON.stringify(file));
  }
  const ctx = await openServerContext(await loadConfig({ cwd: dir, ...(configFile ? { configFile } : {}) }), { clock, crypto, logger });
  const service = createCmpService(ctx, logger);
  return { ctx, handle: service.handle, expire: () => service.expireTransactions() };
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function client(transport: Transport, clock: FakeClock, extra: Partial<Parameters<typeof createClient>[0]> = {}) {
  return createClient({ transport, clock, credential: { secret: 'demo-secret-change-me', senderKID: 'demo' }, ...extra });
}

describe('the CMP service on the SQLite context', () => {
  it('enrolls under the certProfile the client names and stores the confirmed certificate', async () => {
    const clock = fakeClock();
    const { ctx, handle } = await open(tempDir(), clock);
    try {
      const result = await client(loopbackTransport(handle), clock).enroll({
        keyPair: await keyPair(),
        subject: parseName('/CN=svc'),
        certProfile: 'tlsServer',
      });
      expect(result.caPubs).toEqual([ctx.material.root.certificate]);
      expect(await ctx.store.certificates.get(serialOf(result.certificate))).toMatchObject({
        status: 'confirmed',
        profile: 'tlsServer',
        subject: '/CN=svc',
      });
    } finally {
      await ctx.close();
    }
  });

  it('the /p/<label> path selects the profile too', async () => {
    const clock = fakeClock();
    const { ctx, handle } = await open(tempDir(), clock);
    try {
      const transport = loopbackTransport(handle, { path: '/p/tlsClient' });
      const result = await client(transport, clock).enroll({ keyPair: await keyPair(), subject: parseName('/CN=by-path') });
      expect((await ctx.store.certificates.get(serialOf(result.certificate)))?.profile).toBe('tlsClient');
    } finally {
      await ctx.close();
    }
  });

  it('revokes a certificate the client rejects in certConf', async () => {
    const clock = fakeClock();
    const { ctx, handle } = await open(tempDir(), clock);
    let issued: Uint8Array | undefined;
    try {
      const c = client(loopbackTransport(handle), clock, {
        onCertificate: (cert) => {
          issued = cert.certificate;
          return rejectCertificate('not what I asked for');
        },
      });
      await c.enroll({ keyPair: await keyPair(), subject: parseName('/CN=rejected') }).catch(() => undefined);
      expect(issued).toBeDefined();
      const serial = serialOf(issued!);
      expect(await ctx.store.certificates.get(serial)).toMatchObject({ status: 'revoked', revocationReason: 5 });
      expect(crlContent((await ctx.store.crls.current())!.der).entries.get(serial)).toBe(5);
    } finally {
      await ctx.close();
    }
  });

  it('a restart between ip and certConf loses nothing: the new process confirms', async () => {
    const dir = tempDir();
    const clock = fakeClock();
    const first = await open(dir, clock);
    let current: CmpHandler = first.handle;
    let calls = 0;
    let restarted: Awaited<ReturnType<typeof open>> | undefined;
    const transport: Transport = {
      async send(request) {
        calls += 1;
        if (calls === 2) {
          // The server process restarts after answering the ir.
          await first.ctx.close();
          restarted = await open(dir, clock);
          current = restarted.handle;
        }
        return current(request);
      },
    };
    try {
      const result = await client(transport, clock).enroll({ keyPair: await keyPair(), subject: parseName('/CN=restart') });
      expect(calls).toBe(2);
      expect((await restarted!.ctx.store.certificates.get(serialOf(result.certificate)))?.status).toBe('confirmed');
    } finally {
      await restarted?.ctx.close();
      await first.ctx.close();
    }
  });

  it('revokes a certificate whose certConf never comes, once confirmWaitTime has passed', async () => {
    const clock = fakeClock();
    const { ctx, handle, expire } = await open(tempDir(), clock);
    let calls = 0;
    const dropsCertConf: Transport = {
      async send(request) {
        calls += 1;
        if (calls === 2) throw new TransportError('connection lost');
        return handle(request);
      },
    };
    try {
      await expect(client(dropsCertConf, clock).enroll({ keyPair: await keyPair(), subject: parseName('/CN=silent') })).rejects.toThrow();
      const [stored] = await ctx.store.certificates.list();
      expect(stored?.status).toBe('issued');
      clock.advance(299_000);
      expect(await expire()).toBe(0);
      clock.advance(2_000);
      expect(await expire()).toBe(1);
      expect(await ctx.store.certificates.get(stored!.serial)).toMatchObject({ status: 'revoked', revocationReason: 5 });
    } finally {
      await ctx.close();
    }
  });

  it('answers genm caCerts and certReqTemplate from the issuer', async () => {
    const clock = fakeClock();
    const { ctx, handle } = await open(tempDir(), clock);
    try {
      const c = client(loopbackTransport(handle), clock);
      expect(await c.getCaCertificates()).toEqual([ctx.material.issuing.certificate, ctx.material.root.certificate]);
      const template = await c.getCertReqTemplate();
      expect(template?.keySpec?.length).toBeGreaterThan(0);
    } finally {
      await ctx.close();
    }
  });

  it('answers the support messages of RFC 9483 4.3 / RFC 9810 5.3.19 with its own profiles and CA', async () => {
    const clock = fakeClock();
    const { ctx, handle } = await open(tempDir(), clock);
    try {
      const c = client(loopbackTransport(handle), clock);
      const answers = await c.generalMessage([
        { type: 'signKeyPairTypes' },
        { type: 'encKeyPairTypes' },
        { type: 'preferredSymmAlg' },
        { type: 'currentCRL' },
        { type: 'caProtEncCert' },
        { type: 'suppLangTags', infoValue: ['en-GB'] },
      ]);
      expect(answers.map((a) => a.type)).toEqual([
        'signKeyPairTypes',
        'encKeyPairTypes',
        'preferredSymmAlg',
        'currentCRL',
        'caProtEncCert',
        'suppLangTags',
      ]);
      const [sign, enc, symm, crl, protEnc, lang] = answers;
      // device, tlsServer, tlsClient: EC P-256/384/521, RSA, Ed25519 and ML-DSA-44/65/87 sign; only tlsServer's RSA (keyEncipherment) encrypts.
      expect(sign?.type === 'signKeyPairTypes' && sign.infoValue?.map((a) => a.algorithm)).toEqual([
        oids.id_ecPublicKey,
        oids.id_ecPublicKey,
        oids.id_ecPublicKey,
        oids.rsaEncryption,
        oids.id_Ed25519,
        oids.id_ml_dsa_44,
        oids.id_ml_dsa_65,
        oids.id_ml_dsa_87,
      ]);
      expect(enc?.type === 'encKeyPairTypes' && enc.infoValue?.map((a) => a.algorithm)).toEqual([oids.rsaEncryption]);
      expect(symm).toEqual({ type: 'preferredSymmAlg', infoValue: { algorithm: oids.id_aes256_CBC } });
      expect(crl?.type === 'currentCRL' && crl.infoValue?.der).toEqual((await ctx.store.crls.current())!.der);
      expect(protEnc).toEqual({ type: 'caProtEncCert' });
      expect(lang).toEqual({ type: 'suppLangTags', infoValue: ['en'] });
      const keySpec = (await c.getCertReqTemplate())?.keySpec ?? [];
      expect(keySpec.filter((k) => k.type === 'algId' && k.value.algorithm === oids.rsaEncryption)).toEqual([]);
      expect(keySpec.filter((k) => k.type === 'rsaKeyLen').map((k) => k.value)).toEqual([2048, 3072, 4096]);
    } finally {
      await ctx.close();
    }
  });

  it('takes PBMAC1 with 262 144 iterations by default, more only when macBounds allows it', async () => {
    const clock = fakeClock();
    const mac = (iterationCount: number) => ({
      credential: { secret: 'demo-secret-change-me', senderKID: 'demo', mac: { algorithm: 'PBMAC1' as const, iterationCount } },
      macBounds: { PBMAC1: { maxIterations: 600_000 } },
    });
    const byDefault = await open(tempDir(), clock);
    try {
      await expect(client(loopbackTransport(byDefault.handle), clock, mac(262_144)).getCaCertificates()).resolves.toHaveLength(2);
      await expect(client(loopbackTransport(byDefault.handle), clock, mac(300_000)).getCaCertificates()).rejects.toMatchObject({
        failInfo: ['badAlg'],
      });
    } finally {
      await byDefault.ctx.close();
    }
    const raised = await open(tempDir(), clock, { macBounds: { PBMAC1: { maxIterations: 300_000 } } });
    try {
      await expect(client(loopbackTransport(raised.handle), clock, mac(300_000)).getCaCertificates()).resolves.toHaveLength(2);
    } finally {
      await raised.ctx.close();
    }
  });
});
