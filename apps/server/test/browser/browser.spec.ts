// The packages in a real browser: Debian's Chromium, headless, driven by playwright-core. The page
// (bundled by esbuild from the packages' public entry points) decodes a message, checks a MAC and
// enrolls with a running cmpkit-server over HTTP from another origin (CORS) and over WebSocket.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePKIMessage, nameToString } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';
import { openSqliteServerStore } from '@cmpkit/store-sqlite';
import { bundleFromSources } from '@cmpkit/test-utils';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../e2e/e2e-harness.js';
import { chromiumMissing, launchChromium, type HeadlessChromium } from './chromium.js';
import type { PageApi } from './page.js';

const missing = chromiumMissing();
if (missing && process.env.CI === 'true') throw new Error(`the browser tests must run in CI: ${missing}`);

const fixtures = fileURLToPath(new URL('../../../../fixtures/der/openssl-3.0/', import.meta.url));
const serverDir = fileURLToPath(new URL('../../', import.meta.url));

/** Serves the test page and its bundle on 127.0.0.1: an origin of its own, not the CMP server's. */
async function servePage(bundle: string): Promise<{ server: Server; origin: string }> {
  const html = '<!doctype html><meta charset="utf-8"><title>cmpkit</title><script type="module" src="/page.js"></script>';
  const server = createServer((req, res) => {
    const [type, body] = req.url === '/page.js' ? ['text/javascript', readFileSync(bundle)] : ['text/html', html];
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

type Call<K extends keyof PageApi> = Parameters<PageApi[K]>[0];

describe.skipIf(missing !== undefined)(`in Chromium${missing ? ` (SKIPPED: ${missing})` : ''}`, () => {
  let chromium: HeadlessChromium;
  let cmp: RunningServer;
  let pageServer: { server: Server; origin: string };
  /** The same page on another origin, one the CMP server does not allow. */
  let otherServer: { server: Server; origin: string };
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    const bundle = await bundleFromSources(
      fileURLToPath(new URL('./page.ts', import.meta.url)),
      join(serverDir, `node_modules/.cache/browser-test/page-${process.pid}.js`),
      { platform: 'browser' },
    );
    pageServer = await servePage(bundle);
    otherServer = await servePage(bundle);
    dir = mkdtempSync(join(tmpdir(), 'cmpkit-browser-test-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ http: { corsOrigins: [pageServer.origin] } }));
    cmp = await startServer(dir, '--config', join(dir, 'config.json'));
    chromium = await launchChromium();
    page = await chromium.browser.contexts()[0]!.newPage();
    await page.goto(`${pageServer.origin}/`);
    await page.waitForFunction(() => 'cmpkit' in globalThis);
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await cmp?.stop();
    for (const { server } of [pageServer, otherServer].filter((s) => s !== undefined)) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const inPage = {
    decode: (der: Call<'decode'>) => page.evaluate((d) => (globalThis as unknown as { cmpkit: PageApi }).cmpkit.decode(d), der),
    verifyMac: (args: { der: number[]; secret: string }) =>
      page.evaluate((a) => (globalThis as unknown as { cmpkit: PageApi }).cmpkit.verifyMac(a.der, a.secret), args),
    enroll: (server: Call<'enroll'>) => page.evaluate((s) => (globalThis as unknown as { cmpkit: PageApi }).cmpkit.enroll(s), server),
  };

  async function storedStatus(certificate: Uint8Array): Promise<string | undefined> {
    const serial = parseCertificate(certificate).serialNumber.toString(16);
    const store = await openSqliteServerStore(join(dir, 'data', 'cmpkit-server.sqlite'));
    try {
      return (await store.certificates.get(serial))?.status;
    } finally {
      await store.close();
    }
  }

  it('decodes an OpenSSL ir', async () => {
    const der = readFileSync(join(fixtures, 'ir.der'));
    const expected = decodePKIMessage(new Uint8Array(der));
    expect(await inPage.decode(Array.from(der))).toEqual({
      body: 'ir',
      transactionID: Buffer.from(expected.header.transactionID!).toString('hex'),
    });
  });

  it("checks an OpenSSL ip's PasswordBasedMac, and refuses a wrong secret", async () => {
    const der = Array.from(readFileSync(join(fixtures, 'ip.der')));
    expect(await inPage.verifyMac({ der, secret: 'perf-test-secret' })).toEqual({ algorithm: 'PasswordBasedMac' });
    expect(await inPage.verifyMac({ der, secret: 'wrong' })).toEqual({ failInfo: ['badMessageCheck'] });
  });

  it('enrolls over HTTP from another origin (CORS): ir, ip, certConf, pkiConf', async () => {
    expect(new URL(cmp.httpUrl).origin).not.toBe(pageServer.origin);
    const der = new Uint8Array(
      await inPage.enroll({
        kind: 'http',
        url: cmp.httpUrl,
        reference: 'demo',
        secret: 'demo-secret-change-me',
        subject: '/CN=browser-http',
      }),
    );
    expect(nameToString(parseCertificate(der).subject)).toBe('/CN=browser-http');
    expect(nameToString(parseCertificate(der).issuer)).toBe('/O=cmpkit demo/CN=cmpkit Issuing CA');
    expect(await storedStatus(der)).toBe('confirmed');
  });

  it('is refused by the browser from an origin the server does not allow', async () => {
    const other = await chromium.browser.contexts()[0]!.newPage();
    try {
      await other.goto(`${otherServer.origin}/`);
      await other.waitForFunction(() => 'cmpkit' in globalThis);
      const error = await other.evaluate(
        (s) =>
          (globalThis as unknown as { cmpkit: PageApi }).cmpkit.enroll(s).then(
            () => 'enrolled',
            (e: unknown) => String(e),
          ),
        { kind: 'http' as const, url: cmp.httpUrl, reference: 'demo', secret: 'demo-secret-change-me', subject: '/CN=not-allowed' },
      );
      expect(error).toMatch(/^HttpTransportError: .*Failed to fetch/); // the browser refused: no CORS answer for this origin
    } finally {
      await other.close();
    }
  });

  it('enrolls over WebSocket: ir, ip, certConf, pkiConf', async () => {
    const der = new Uint8Array(
      await inPage.enroll({ kind: 'ws', url: cmp.wsUrl, reference: 'demo', secret: 'demo-secret-change-me', subject: '/CN=browser-ws' }),
    );
    expect(nameToString(parseCertificate(der).subject)).toBe('/CN=browser-ws');
    expect(await storedStatus(der)).toBe('confirmed');
  });
});
