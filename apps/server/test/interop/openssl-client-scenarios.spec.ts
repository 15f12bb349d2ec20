// End-to-end, part two: the OpenSSL 3.0 client scenarios beyond the basic flows of
// openssl-client.spec.ts — other MACs and digests, RSA and ECDSA signers, a rejected certificate,
// refused protection and POP, subjectAltNames, HTTP misuse, and a manufacturer certificate
// (externalAnchors). The server runs on the real clock, because openssl stamps messageTime.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePBMParameter, decodePem, decodePKIMessage, oids } from '@cmpkit/codec';
import { runCli } from '../run-cli.js';
import { serialOf } from '../helpers.js';
import {
  makeOpensslCa,
  makeOpensslLeaf,
  opensslVersion,
  openssl as runOpenssl,
  startServer,
  type Outcome,
  type RunningServer,
} from './openssl-harness.js';

const version = opensslVersion();
const title = version
  ? `openssl cmp (${version}) against cmpkit-server: further scenarios`
  : 'openssl cmp against cmpkit-server: further scenarios — SKIPPED: no openssl binary on PATH';

describe.skipIf(!version)(title, () => {
  let srv: RunningServer;
  const openssl = (...args: string[]): Promise<Outcome> => runOpenssl(srv.dir, ...args);
  const mac = ['-ref', 'demo', '-secret', 'pass:demo-secret-change-me'];
  const trust = () => ['-trusted', join(srv.data, 'root-ca.pem'), '-untrusted', join(srv.data, 'issuing-ca.pem')];
  const endpoint = (path = '.well-known/cmp') => ['-server', srv.address, '-path', path];
  const url = (path = '/.well-known/cmp') => `http://${srv.address}${path}`;

  async function newKey(name: string, algorithm: 'EC' | 'RSA' = 'EC'): Promise<string> {
    const opt = algorithm === 'EC' ? 'ec_paramgen_curve:P-256' : 'rsa_keygen_bits:2048';
    const out = await openssl('genpkey', '-algorithm', algorithm, '-pkeyopt', opt, '-out', name);
    expect(out.ok, out.output).toBe(true);
    return name;
  }

  async function verify(cert: string): Promise<Outcome> {
    return openssl('verify', '-CAfile', join(srv.data, 'root-ca.pem'), '-untrusted', join(srv.data, 'issuing-ca.pem'), cert);
  }

  /** Runs `work` and returns what the server logged meanwhile. */
  async function logOf(work: () => Promise<unknown>): Promise<string> {
    const before = srv.log().length;
    await work();
    return srv.log().slice(before);
  }

  /** ir with the shared secret: a certificate to sign later requests with. */
  async function enroll(name: string, algorithm: 'EC' | 'RSA' = 'EC'): Promise<{ cert: string; key: string }> {
    const key = await newKey(`${name}.key.pem`, algorithm);
    const out = await openssl(
      'cmp',
      '-cmd',
      'ir',
      ...endpoint(),
      ...mac,
      '-newkey',
      key,
      '-subject',
      `/CN=${name}`,
      '-certout',
      `${name}.pem`,
    );
    expect(out.ok, out.output).toBe(true);
    return { cert: `${name}.pem`, key };
  }

  type Listed = { serial: string; subject: string; status: string; revocationReason?: number };
  const certs = async (): Promise<Listed[]> => {
    const list = await runCli({ cwd: srv.dir }, 'cert', 'list', '--all', '--json');
    expect(list.status, list.stderr).toBe(0);
    return JSON.parse(list.stdout) as Listed[];
  };
  const serialOfFile = (file: string) => serialOf(decodePem(readFileSync(join(srv.dir, file), 'utf8'))[0]!.der);

  beforeAll(async () => {
    srv = await startServer(['--config', 'cmpkit.json'], async (dir) => {
      const mfg = await makeOpensslCa(dir, 'mfg-root', '/O=Manufacturer/CN=Manufacturer Root');
      expect(mfg.ok, mfg.output).toBe(true);
      writeFileSync(join(dir, 'cmpkit.json'), JSON.stringify({ externalAnchors: ['mfg-root.pem'] }));
    });
  });

  afterAll(async () => {
    expect(await srv.stop()).toBe(0);
  });

  it('1. ir with -mac hmacWithSHA256 (OpenSSL 3.0 takes the long name, not hmac-sha256): PasswordBasedMac with hmacWithSHA256 is accepted', async () => {
    const key = await newKey('mac256.key.pem');
    const out = await openssl(
      'cmp',
      '-cmd',
      'ir',
      ...endpoint(),
      ...mac,
      '-mac',
      'hmacWithSHA256',
      '-newkey',
      key,
      '-subject',
      '/CN=interop-mac256',
      '-certout',
      'mac256.pem',
      '-reqout',
      'mac256-ir.der',
    );
    expect(out.ok, out.output).toBe(true);
    expect((await verify('mac256.pem')).output.trim()).toBe('mac256.pem: OK');
    const request = decodePKIMessage(readFileSync(join(srv.dir, 'mac256-ir.der')));
    expect(request.header.protectionAlg?.algorithm).toBe(oids.id_PasswordBasedMac);
    const pbm = decodePBMParameter(request.header.protectionAlg!.parameters!.der);
    expect(pbm.mac.algorithm).toBe(oids.id_hmacWithSHA256);
  });

  for (const algorithm of ['RSA', 'EC'] as const) {
    for (const digest of ['sha256', 'sha384']) {
      it(`2. cr signed with an ${algorithm} certificate, -digest ${digest}`, async () => {
        const signer = await enroll(`signer-${algorithm}-${digest}`, algorithm);
        const key = await newKey(`cr-${algorithm}-${digest}.key.pem`);
        const log = await logOf(async () => {
          const out = await openssl(
            'cmp',
            '-cmd',
            'cr',
            ...endpoint(),
            ...trust(),
            '-cert',
            signer.cert,
            '-key',
            signer.key,
            '-digest',
            digest,
            '-newkey',
            key,
            '-subject',
            `/CN=interop-cr-${algorithm}-${digest}`,
            '-certout',
            `cr-${algorithm}-${digest}.pem`,
            '-reqout',
            `cr-${algorithm}-${digest}.der`,
          );
          expect(out.ok, out.output).toBe(true);
        });
        expect(log).toMatch(/cr -> cp accepted/);
        expect((await verify(`cr-${algorithm}-${digest}.pem`)).ok).toBe(true);
        const request = decodePKIMessage(readFileSync(join(srv.dir, `cr-${algorithm}-${digest}.der`)));
        const expected = {
          RSA: { sha256: oids.sha256WithRSAEncryption, sha384: oids.sha384WithRSAEncryption },
          EC: { sha256: oids.ecdsa_with_SHA256, sha384: oids.ecdsa_with_SHA384 },
        }[algorithm][digest as 'sha256' | 'sha384'];
        expect(request.header.protectionAlg?.algorithm).toBe(expected);
      });
    }
  }

  it('3. p10cr with MAC and with signature protection', async () => {
    const key = await newKey('p10s.key.pem');
    const csr = await openssl('req', '-new', '-key', key, '-subj', '/CN=interop-p10', '-out', 'p10s.csr');
    expect(csr.ok, csr.output).toBe(true);
    const byMac = await openssl('cmp', '-cmd', 'p10cr', ...endpoint(), ...mac, '-csr', 'p10s.csr', '-certout', 'p10-mac.pem');
    expect(byMac.ok, byMac.output).toBe(true);
    expect((await verify('p10-mac.pem')).ok).toBe(true);
    const signer = await enroll('p10-signer');
    const bySignature = await openssl(
      'cmp',
      '-cmd',
      'p10cr',
      ...endpoint(),
      ...trust(),
      '-cert',
      signer.cert,
      '-key',
      signer.key,
      '-csr',
      'p10s.csr',
      '-certout',
      'p10-sig.pem',
    );
    expect(bySignature.ok, bySignature.output).toBe(true);
    expect((await verify('p10-sig.pem')).ok).toBe(true);
  });

  it('4. the client rejects the new certificate: negative certConf, the certificate is revoked', async () => {
    const other = await makeOpensslCa(srv.dir, 'other-root', '/CN=Not The Root');
    expect(other.ok, other.output).toBe(true);
    const key = await newKey('rejected.key.pem');
    const log = await logOf(async () => {
      const out = await openssl(
        'cmp',
        '-cmd',
        'ir',
        ...endpoint(),
        ...mac,
        '-newkey',
        key,
        '-subject',
        '/CN=interop-rejected',
        '-out_trusted',
        'other-root.pem',
        '-certout',
        'rejected.pem',
      );
      expect(out.ok, out.output).toBe(false);
      expect(out.output).toContain('sending CERTCONF');
    });
    expect(log).toMatch(/certConf -> pkiconf/);
    const rows = (await certs()).filter((c) => c.subject === '/CN=interop-rejected');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'revoked', revocationReason: 5 }); // cessationOfOperation
  });

  describe('5. refused protection', () => {
    it('an unprotected request', async () => {
      const key = await newKey('unprot.key.pem');
      const log = await logOf(async () => {
        const out = await openssl(
          'cmp',
          '-cmd',
          'ir',
          ...endpoint(),
          ...mac,
          '-unprotected_requests',
          '-newkey',
          key,
          '-subject',
          '/CN=interop-unprotected',
          '-certout',
          'unprot.pem',
        );
        expect(out.ok).toBe(false);
      });
      expect(log).toMatch(/ir -> error rejection badMessageCheck \(protection: the request is not protected\)/);
    });

    it('a tampered protection: badMessageCheck on the wire', async () => {
      const key = await newKey('tamper.key.pem');
      // Port 1 refuses the connection: openssl writes -reqout, then fails to send.
      const out = await openssl(
        'cmp',
        '-cmd',
        'ir',
        '-server',
        '127.0.0.1:1',
        '-path',
        '.well-known/cmp',
        ...mac,
        '-newkey',
        key,
        '-subject',
        '/CN=interop-tampered',
        '-certout',
        'tamper.pem',
        '-reqout',
        'tamper.der',
      );
      expect(out.ok).toBe(false);
      const der = new Uint8Array(readFileSync(join(srv.dir, 'tamper.der')));
      der[der.length - 1]! ^= 0x01; // the last byte of the protection BIT STRING
      const response = await fetch(url(), {
        method: 'POST',
        headers: { 'content-type': 'application/pkixcmp' },
        body: der,
        signal: AbortSignal.timeout(5000),
      });
      expect(response.status).toBe(200);
      const answer = decodePKIMessage(new Uint8Array(await response.arrayBuffer()));
      expect(answer.body.type).toBe('error');
      if (answer.body.type !== 'error') return;
      expect(answer.body.content.pKIStatusInfo.failInfo).toContain('badMessageCheck');
    });

    it('a signer from another CA: signerNotTrusted', async () => {
      expect((await makeOpensslCa(srv.dir, 'stranger-ca', '/CN=Stranger CA')).ok).toBe(true);
      const leaf = await makeOpensslLeaf(srv.dir, 'stranger-ca', 'stranger', '/CN=stranger');
      expect(leaf.ok, leaf.output).toBe(true);
      const key = await newKey('stranger-new.key.pem');
      const log = await logOf(async () => {
        const out = await openssl(
          'cmp',
          '-cmd',
          'cr',
          ...endpoint(),
          ...trust(),
          '-cert',
          'stranger.pem',
          '-key',
          'stranger.key.pem',
          '-newkey',
          key,
          '-subject',
          '/CN=interop-stranger',
          '-certout',
          'stranger-new.pem',
        );
        expect(out.ok).toBe(false);
        expect(out.output).toContain('signerNotTrusted');
      });
      expect(log).toMatch(/cr -> error rejection signerNotTrusted/);
    });
  });

  describe('6. refused proof of possession', () => {
    it('raVerified (-popo 0): badPOP', async () => {
      const key = await newKey('raverified.key.pem');
      const log = await logOf(async () => {
        const out = await openssl(
          'cmp',
          '-cmd',
          'ir',
          ...endpoint(),
          ...mac,
          '-popo',
          '0',
          '-newkey',
          key,
          '-subject',
          '/CN=interop-raverified',
          '-certout',
          'raverified.pem',
        );
        expect(out.ok).toBe(false);
        expect(out.output).toContain('badPOP');
      });
      expect(log).toMatch(/ir -> ip rejection badPOP/);
    });

    it('no POP (-popo -1)', async () => {
      const key = await newKey('nopop.key.pem');
      const log = await logOf(async () => {
        const out = await openssl(
          'cmp',
          '-cmd',
          'ir',
          ...endpoint(),
          ...mac,
          '-popo',
          '-1',
          '-newkey',
          key,
          '-subject',
          '/CN=interop-nopop',
          '-certout',
          'nopop.pem',
        );
        expect(out.ok).toBe(false);
        expect(out.output).toContain('badPOP');
      });
      expect(log).toMatch(/ir -> ip rejection badPOP/);
    });
  });

  it('7. subjectAltNames of the template are honoured', async () => {
    const key = await newKey('sans.key.pem');
    const out = await openssl(
      'cmp',
      '-cmd',
      'ir',
      ...endpoint(),
      ...mac,
      '-sans',
      'a.example 10.0.0.1',
      '-newkey',
      key,
      '-subject',
      '/CN=interop-sans',
      '-certout',
      'sans.pem',
    );
    expect(out.ok, out.output).toBe(true);
    const ext = await openssl('x509', '-in', 'sans.pem', '-noout', '-ext', 'subjectAltName');
    expect(ext.ok, ext.output).toBe(true);
    expect(ext.output).toContain('DNS:a.example');
    expect(ext.output).toContain('IP Address:10.0.0.1');
  });

  describe('8. HTTP misuse', () => {
    it('GET is answered 405 with Allow: POST', async () => {
      const response = await fetch(url(), { signal: AbortSignal.timeout(5000) });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    });

    const cmpDer = () => new Uint8Array(readFileSync(join(srv.dir, 'tamper.der')));
    const garbled: [string, () => Uint8Array][] = [
      ['text', () => new TextEncoder().encode('hello, this is not DER')],
      ['truncated DER', () => cmpDer().subarray(0, 40)],
      ['an empty body', () => new Uint8Array(0)],
      ['a certificate', () => decodePem(readFileSync(join(srv.data, 'root-ca.pem'), 'utf8'))[0]!.der],
    ];
    for (const [name, body] of garbled) {
      it(`${name} is answered in bounded time with badDataFormat or a 4xx`, async () => {
        const response = await fetch(url(), {
          method: 'POST',
          headers: { 'content-type': 'application/pkixcmp' },
          body: new Uint8Array(body()),
          signal: AbortSignal.timeout(5000),
        });
        const bytes = new Uint8Array(await response.arrayBuffer());
        if (response.status === 200) {
          const answer = decodePKIMessage(bytes);
          expect(answer.body.type).toBe('error');
          if (answer.body.type === 'error') expect(answer.body.content.pKIStatusInfo.failInfo).toContain('badDataFormat');
        } else {
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
        }
      });
    }
  });

  it('9. ir signed with a manufacturer certificate under an externalAnchors root', async () => {
    const dev = await makeOpensslLeaf(srv.dir, 'mfg-root', 'dev', '/O=Manufacturer/CN=device-0001');
    expect(dev.ok, dev.output).toBe(true);
    const key = await newKey('ldev.key.pem');
    const out = await openssl(
      'cmp',
      '-cmd',
      'ir',
      ...endpoint(),
      ...trust(),
      '-cert',
      'dev.pem',
      '-key',
      'dev.key.pem',
      '-newkey',
      key,
      '-subject',
      '/CN=device-0001',
      '-certout',
      'ldev.pem',
    );
    expect(out.ok, out.output).toBe(true);
    expect((await verify('ldev.pem')).ok).toBe(true);
    expect((await certs()).find((c) => c.serial === serialOfFile('ldev.pem'))?.status).toBe('confirmed');
    // The manufacturer certificate opens an ir only, not a cr.
    const crKey = await newKey('ldev-cr.key.pem');
    const log = await logOf(async () => {
      const cr = await openssl(
        'cmp',
        '-cmd',
        'cr',
        ...endpoint(),
        ...trust(),
        '-cert',
        'dev.pem',
        '-key',
        'dev.key.pem',
        '-newkey',
        crKey,
        '-subject',
        '/CN=device-0001',
        '-certout',
        'ldev-cr.pem',
      );
      expect(cr.ok).toBe(false);
    });
    expect(log).toMatch(/cr -> error rejection signerNotTrusted/);
  });

  it('10. rr: certificateHold (-revreason 6), revived by removeFromCRL (-revreason 8); without -revreason for good, then no revival', async () => {
    const { cert, key } = await enroll('hold');
    const serial = serialOfFile(cert);
    const rr = (...extra: string[]) =>
      openssl('cmp', '-cmd', 'rr', ...endpoint(), ...trust(), '-cert', cert, '-key', key, '-oldcert', cert, ...extra);
    const hold = await rr('-revreason', '6');
    expect(hold.ok, hold.output).toBe(true);
    expect((await certs()).find((c) => c.serial === serial)).toMatchObject({ status: 'revoked', revocationReason: 6 });
    const revive = await rr('-revreason', '8');
    expect(revive.ok, revive.output).toBe(true);
    expect((await certs()).find((c) => c.serial === serial)?.status).toBe('confirmed');
    // OpenSSL 3.0 sends no CRLReason without -revreason: taken as unspecified.
    const forGood = await rr();
    expect(forGood.ok, forGood.output).toBe(true);
    expect((await certs()).find((c) => c.serial === serial)).toMatchObject({ status: 'revoked', revocationReason: 0 });
    const log = await logOf(async () => expect((await rr('-revreason', '8')).ok).toBe(false));
    expect(log).toMatch(/rr -> rp rejection certRevoked/);
  });
});
