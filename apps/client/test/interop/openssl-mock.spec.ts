import { existsSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodePem, decodePKIMessage, parseName } from '@cmpkit/codec';
import { createClient, RemoteError } from '@cmpkit/core';
import { httpTransport } from '@cmpkit/transport-http';
import { readKeyPair } from '../../src/keys.js';
import { runCli } from '../run-cli.js';
import {
  MAC_ARGS,
  makeServerPki,
  OPENSSL_VERSION,
  pki,
  RESPONSE_ARGS,
  SKIP_REASON,
  startMock,
  tempDir,
  type MockServer,
} from './openssl-mock.js';

if (SKIP_REASON !== undefined) {
  const reason = SKIP_REASON;
  describe('OpenSSL mock server interop', () => {
    it.skip(reason, () => {});
  });
}

const SUBJECT = '/C=DE/O=Example Org/CN=device-0001';
const MAC_CLIENT = ['--ref', '3078', '--secret', 'pass:perf-test-secret', '--mac', 'pbm'];

describe.skipIf(SKIP_REASON !== undefined)(`OpenSSL mock server interop (${OPENSSL_VERSION})`, () => {
  let tmp: ReturnType<typeof tempDir>;
  const mocks: MockServer[] = [];

  beforeAll(() => {
    tmp = tempDir('cmpkit-interop-');
    makeServerPki(tmp.dir);
  });
  afterEach(async () => {
    await Promise.all(mocks.splice(0).map((m) => m.stop()));
  });
  afterAll(() => tmp?.remove());

  async function mock(...args: string[]): Promise<MockServer> {
    const m = await startMock(args);
    mocks.push(m);
    return m;
  }

  const macMock = (...extra: string[]): Promise<MockServer> => mock(...MAC_ARGS, ...RESPONSE_ARGS, ...extra);
  const signedMock = (...extra: string[]): Promise<MockServer> =>
    mock('-srv_cert', tmp.path('srv.pem'), '-srv_key', tmp.path('srv.key'), '-srv_trusted', pki('root.pem'), ...RESPONSE_ARGS, ...extra);

  function pemCerts(file: string): Uint8Array[] {
    return decodePem(readFileSync(file, 'utf8')).map((b) => b.der);
  }

  function bodyTypeOf(file: string): string {
    return decodePKIMessage(new Uint8Array(readFileSync(file))).body.type;
  }

  it('ir with PasswordBasedMac: certificate written, reqout/rspout decodable', async () => {
    const m = await macMock();
    const out = tmp.path('ir-cert.pem');
    const req = [tmp.path('ir-req.der'), tmp.path('ir-certconf.der')];
    const rsp = [tmp.path('ir-rsp.der'), tmp.path('ir-pkiconf.der')];
    const r = await runCli(
      'ir',
      '--server',
      m.server,
      '--path',
      'pkix/',
      ...MAC_CLIENT,
      '--newkey',
      pki('ee.key'),
      '--subject',
      SUBJECT,
      '--certout',
      out,
      '--reqout',
      req.join(','),
      '--rspout',
      rsp.join(','),
    );
    expect(r, m.log()).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^ir: enrolled .*device-0001/);
    expect(pemCerts(out)).toEqual(pemCerts(pki('ee.pem')));
    expect(req.map(bodyTypeOf)).toEqual(['ir', 'certConf']);
    expect(rsp.map(bodyTypeOf)).toEqual(['ip', 'pkiconf']);
    // One transaction, one sender: the certConf names the same sender as the ir.
    const [ir, certConf] = req.map((f) => decodePKIMessage(new Uint8Array(readFileSync(f))));
    expect(certConf!.header.sender).toEqual(ir!.header.sender);
    expect(certConf!.header.transactionID).toEqual(ir!.header.transactionID);
  });

  it('cr with PasswordBasedMac', async () => {
    const m = await macMock();
    const r = await runCli('cr', '--server', m.server, ...MAC_CLIENT, '--newkey', pki('ee.key'), '--subject', SUBJECT);
    expect(r, m.log()).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^cr: enrolled .*device-0001/);
  });

  /** An ir protected with the client's default MAC, PBMAC1. */
  const irWithPbmac1 = (m: MockServer) =>
    runCli(
      'ir',
      '--server',
      m.server,
      '--ref',
      '3078',
      '--secret',
      'pass:perf-test-secret',
      '--newkey',
      pki('ee.key'),
      '--subject',
      SUBJECT,
    );

  it('ir with the default PBMAC1 is refused by OpenSSL 3.0 (exit 1, one line and a hint)', async () => {
    const m = await macMock();
    const r = await irWithPbmac1(m);
    expect(r.status, m.log()).toBe(1);
    expect(r.stdout).toBe('');
    // One line for the refusal, one that says what such servers need.
    const [refusal, hint, ...rest] = r.stderr.split('\n');
    expect(refusal).toMatch(/^cmpkit: (peer answered error with status rejection|the server refused the request: rejection)/);
    expect(hint).toBe(
      'cmpkit: hint: the request was protected with PBMAC1, which servers such as OpenSSL up to 3.5 do not know: they need --mac pbm',
    );
    expect(rest).toEqual(['']);
  });

  it('ir with PBMAC1 against a mock that signs its answers: the unverifiable refusal is explained, with the --mac pbm hint', async () => {
    const m = await mock(
      '-srv_ref',
      '3078',
      '-srv_secret',
      'pass:perf-test-secret',
      '-srv_cert',
      tmp.path('srv.pem'),
      '-srv_key',
      tmp.path('srv.key'),
      ...RESPONSE_ARGS,
    );
    const r = await irWithPbmac1(m);
    expect(r.status, m.log()).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(
        /^cmpkit: the server refused the request: rejection badRequest "[^"]+" \(unverified: protection: signature protection .* where a MAC is required\)$/,
      ),
      'cmpkit: hint: the request was protected with PBMAC1, which servers such as OpenSSL up to 3.5 do not know: they need --mac pbm',
      '',
    ]);
    const pbm = await runCli('ir', '--server', m.server, ...MAC_CLIENT, '--newkey', pki('ee.key'), '--subject', SUBJECT);
    expect(pbm, m.log()).toMatchObject({ status: 0, stderr: '' });
  });

  it('p10cr with a CSR made by openssl req', async () => {
    const m = await macMock();
    const r = await runCli('p10cr', '--server', m.server, ...MAC_CLIENT, '--csr', tmp.path('ee-csr.pem'));
    expect(r, m.log()).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^p10cr: enrolled .*device-0001/);
    const csrKeyMismatch = await runCli('p10cr', '--server', m.server, ...MAC_CLIENT, '--csr', tmp.path('other-csr.pem'));
    expect(csrKeyMismatch.status).toBe(1);
    expect(csrKeyMismatch.stderr).toBe('cmpkit: core: the new certificate does not carry the public key that was requested\n');
  });

  it('kur signed with ee.pem/ee.key, response signed by the mock and checked against --trusted', async () => {
    const m = await signedMock();
    const out = tmp.path('kur-cert.pem');
    const r = await runCli(
      'kur',
      '--server',
      m.server,
      '--cert',
      pki('ee.pem'),
      '--key',
      pki('ee.key'),
      '--extracerts',
      pki('chain.pem'),
      '--trusted',
      tmp.path('srvroot.pem'),
      '--out-trusted',
      pki('root.pem'),
      '--newkey',
      pki('ee.key'),
      '--certout',
      out,
    );
    expect(r, m.log()).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^kur: enrolled .*device-0001/);
    expect(pemCerts(out)).toEqual(pemCerts(pki('ee.pem')));
  });

  it('cr signed, response signer pinned with --srvcert', async () => {
    const m = await signedMock();
    const r = await runCli(
      'cr',
      '--server',
      m.server,
      '--cert',
      pki('ee.pem'),
      '--key',
      pki('ee.key'),
      '--extracerts',
      pki('chain.pem'),
      '--srvcert',
      tmp.path('srv.pem'),
      '--out-trusted',
      pki('root.pem'),
      '--newkey',
      pki('ee.key'),
      '--subject',
      SUBJECT,
    );
    expect(r, m.log()).toMatchObject({ status: 0, stderr: '' });
  });

  it('a signed response from an untrusted server is refused (exit 1, one line)', async () => {
    const m = await signedMock();
    const r = await runCli(
      'cr',
      '--server',
      m.server,
      '--cert',
      pki('ee.pem'),
      '--key',
      pki('ee.key'),
      '--extracerts',
      pki('chain.pem'),
      '--trusted',
      pki('root.pem'),
      '--newkey',
      pki('ee.key'),
      '--subject',
      SUBJECT,
    );
    expect(r.status, m.log()).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cmpkit: [^\n]*\n$/);
    expect(r.stderr).toMatch(/Mock CMP Server|trust|anchor/i);
  });

  it('ir signed with an RSA key (PKCS#1 v1.5, SHA-256)', async () => {
    const rsa = (name: string): string => new URL(`../../../../fixtures/pki/openssl-3.0-extra/${name}`, import.meta.url).pathname;
    // A mock of its own: the 3.0 mock misbehaves when one instance sees different signers.
    const m = await mock(
      '-srv_cert',
      tmp.path('srv.pem'),
      '-srv_key',
      tmp.path('srv.key'),
      '-srv_trusted',
      rsa('rsa.pem'),
      ...RESPONSE_ARGS,
    );
    const r = await runCli(
      'ir',
      '--server',
      m.server,
      '--cert',
      rsa('rsa.pem'),
      '--key',
      rsa('rsa.key'),
      '--trusted',
      tmp.path('srvroot.pem'),
      '--out-trusted',
      pki('root.pem'),
      '--newkey',
      pki('ee.key'),
      '--subject',
      SUBJECT,
    );
    expect(r, m.log()).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^ir: enrolled .*device-0001/);
  });

  it('a wrong secret: the answer does not verify, exit 1 with one line naming the failure', async () => {
    const m = await macMock();
    const r = await runCli(
      'ir',
      '--server',
      m.server,
      '--ref',
      '3078',
      '--secret',
      'pass:not-the-secret',
      '--mac',
      'pbm',
      '--newkey',
      pki('ee.key'),
      '--subject',
      SUBJECT,
    );
    expect(r.status, m.log()).toBe(1);
    expect(r.stdout).toBe('');
    // The mock MACs its refusal with its secret, which is not ours: it says so, and what to check.
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(
        /^cmpkit: the server refused the request: rejection .*\(unverified: protection: PasswordBasedMac protection does not verify\)$/,
      ),
      "cmpkit: hint: the secret given for reference '3078' is not the one the server has: check --secret and --ref",
      '',
    ]);
  });

  it('rr with PasswordBasedMac', async () => {
    const m = await macMock();
    const r = await runCli('rr', '--server', m.server, ...MAC_CLIENT, '--oldcert', pki('ee.pem'), '--revreason', '1');
    expect(r, m.log()).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^rr: revoked .*device-0001/);
  });

  it('rr answered with status revocationWarning (-pkistatus 4): a success with the warning on stderr, as OpenSSL counts it', async () => {
    const m = await macMock('-pkistatus', '4', '-statusstring', 'revoked, but the key is still in use');
    const r = await runCli('rr', '--server', m.server, ...MAC_CLIENT, '--oldcert', pki('ee.pem'), '--revreason', '1');
    expect(r.status, m.log()).toBe(0);
    expect(r.stdout).toMatch(/^rr: revoked .*device-0001/);
    expect(r.stderr).toBe('rr: warning from the CA (revocationWarning): revoked, but the key is still in use\n');
  });

  it('rr signed', async () => {
    const m = await signedMock();
    const r = await runCli(
      'rr',
      '--server',
      m.server,
      '--cert',
      pki('ee.pem'),
      '--key',
      pki('ee.key'),
      '--extracerts',
      pki('chain.pem'),
      '--trusted',
      tmp.path('srvroot.pem'),
      '--oldcert',
      pki('ee.pem'),
    );
    expect(r, m.log()).toMatchObject({ status: 0, stderr: '' });
  });

  it.each(['caCerts', 'rootCaCert', 'certReqTemplate', 'crlStatusList', 'signKeyPairTypes', '1.3.6.1.5.5.7.4.99'])(
    'genm --infotype %s (the 3.0 mock echoes the request)',
    async (infotype) => {
      const m = await macMock();
      const r = await runCli('genm', '--server', m.server, ...MAC_CLIENT, '--infotype', infotype, '--json');
      expect(r, m.log()).toMatchObject({ status: 0, stderr: '' });
      expect(JSON.parse(r.stdout)).toHaveLength(1);
    },
  );

  it('genm without infotype', async () => {
    const m = await macMock();
    const r = await runCli('genm', '--server', m.server, ...MAC_CLIENT);
    expect(r, m.log()).toMatchObject({ status: 0, stderr: '' });
  });

  it('cacerts, rootupdate, template, crls: the 3.0 mock has no answers', async () => {
    const m = await macMock();
    const common = ['--server', m.server, ...MAC_CLIENT];
    const cacerts = await runCli('cacerts', ...common, '--cacertsout', tmp.path('cacerts.pem'));
    expect(cacerts, m.log()).toMatchObject({ status: 0, stdout: 'cacerts: 0 certificate(s)\n', stderr: '' });
    const root = await runCli('rootupdate', ...common, '--oldroot', pki('root.pem'));
    expect(root).toMatchObject({ status: 0, stdout: 'rootupdate: no root CA update available\n' });
    const template = await runCli('template', ...common);
    expect(template).toMatchObject({ status: 0, stdout: 'template: the server has no certificate request template\n' });
    const crls = await runCli('crls', ...common, '--crldp', 'http://crl.example/root.crl');
    expect(crls).toMatchObject({ status: 0, stdout: 'crls: 0 CRL(s)\n' });
  });

  it('implicitConfirm granted: no certConf is sent', async () => {
    const m = await macMock('-grant_implicitconf');
    const req = [tmp.path('ic-req.der'), tmp.path('ic-req2.der')];
    const r = await runCli(
      'ir',
      '--server',
      m.server,
      ...MAC_CLIENT,
      '--newkey',
      pki('ee.key'),
      '--subject',
      SUBJECT,
      '--implicit-confirm',
      '--reqout',
      req.join(','),
    );
    expect(r, m.log()).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/\(implicitly confirmed\)\n$/);
    expect(bodyTypeOf(req[0]!)).toBe('ir');
    expect(existsSync(req[1]!)).toBe(false);
  });

  it('implicitConfirm asked but not granted: certConf is sent', async () => {
    const m = await macMock();
    const req = [tmp.path('nic-req.der'), tmp.path('nic-req2.der')];
    const r = await runCli(
      'ir',
      '--server',
      m.server,
      ...MAC_CLIENT,
      '--newkey',
      pki('ee.key'),
      '--subject',
      SUBJECT,
      '--implicit-confirm',
      '--reqout',
      req.join(','),
    );
    expect(r, m.log()).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).not.toMatch(/implicitly/);
    expect(req.map(bodyTypeOf)).toEqual(['ir', 'certConf']);
  });

  it('--disable-confirm: no certConf although not granted', async () => {
    const m = await macMock();
    const req = [tmp.path('dc-req.der'), tmp.path('dc-req2.der')];
    const r = await runCli(
      'ir',
      '--server',
      m.server,
      ...MAC_CLIENT,
      '--newkey',
      pki('ee.key'),
      '--subject',
      SUBJECT,
      '--disable-confirm',
      '--reqout',
      req.join(','),
    );
    expect(r, m.log()).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/not confirmed/);
    expect(existsSync(req[1]!)).toBe(false);
  });

  it('polling: -poll_count 2 -check_after 1', async () => {
    const m = await macMock('-poll_count', '2', '-check_after', '1');
    const req = ['ir', 'poll1', 'poll2', 'certConf'].map((n) => tmp.path(`poll-${n}.der`));
    const rsp = ['ip', 'pollRep1', 'ip2', 'pkiConf'].map((n) => tmp.path(`poll-rsp-${n}.der`));
    const r = await runCli(
      'ir',
      '--server',
      m.server,
      ...MAC_CLIENT,
      '--newkey',
      pki('ee.key'),
      '--subject',
      SUBJECT,
      '--reqout',
      req.join(','),
      '--rspout',
      rsp.join(','),
    );
    expect(r.status, m.log()).toBe(0);
    // What the server said and when the next poll goes, while it waits.
    expect(r.stderr).toBe(
      'cmpkit: ir: the server asks to wait; polling now\n' + 'cmpkit: ir: still waiting after 1 poll; next poll in 1 s\n',
    );
    expect(req.map(bodyTypeOf)).toEqual(['ir', 'pollReq', 'pollReq', 'certConf']);
    expect(rsp.map(bodyTypeOf)).toEqual(['ip', 'pollRep', 'ip', 'pkiconf']);
  }, 30_000); // two checkAfter waits of 1 s plus an openssl process, on a loaded machine

  it('-send_error: exit 1 with the peer error in one line', async () => {
    const m = await macMock('-send_error');
    const r = await runCli('ir', '--server', m.server, ...MAC_CLIENT, '--newkey', pki('ee.key'), '--subject', SUBJECT);
    expect(r.status, m.log()).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cmpkit: peer answered error with status rejection[^\n]*\n$/);
  });

  it("an error the client cannot verify (another secret): exit 1, the server's text shown as unverified", async () => {
    const m = await macMock('-send_error');
    const wrongSecret = MAC_CLIENT.map((a) => (a.startsWith('pass:') ? 'pass:not-the-secret' : a));
    const r = await runCli('ir', '--server', m.server, ...wrongSecret, '--newkey', pki('ee.key'), '--subject', SUBJECT);
    expect(r.status, m.log()).toBe(1);
    expect(r.stderr).toMatch(
      /^cmpkit: the server refused the request: rejection [^\n]* \(unverified: protection: [^\n;]*\)\ncmpkit: hint: [^\n]*\n$/,
    );
  });

  it('a rejected ip: exit 1 with the status string and failInfo', async () => {
    const m = await macMock('-pkistatus', '2', '-failure', '2', '-statusstring', 'no certificate for you');
    const r = await runCli('ir', '--server', m.server, ...MAC_CLIENT, '--newkey', pki('ee.key'), '--subject', SUBJECT);
    expect(r.status, m.log()).toBe(1);
    expect(r.stderr).toBe('cmpkit: peer answered ip with status rejection (badRequest): no certificate for you\n');
  });

  it('an unprotected error is refused by default and reported with --unprotected-errors', async () => {
    const m = await macMock('-send_error', '-send_unprot_err');
    const args = ['ir', '--server', m.server, ...MAC_CLIENT, '--newkey', pki('ee.key'), '--subject', SUBJECT];
    const refused = await runCli(...args);
    expect(refused.status, m.log()).toBe(1);
    expect(refused.stderr).toMatch(/^cmpkit: [^\n]*not protected[^\n]*\n$/);
    const accepted = await runCli(...args, '--unprotected-errors');
    expect(accepted.status).toBe(1);
    expect(accepted.stderr).toMatch(/^cmpkit: peer answered error with status rejection[^\n]*\n$/);
  });

  it('--verbose prints every message', async () => {
    const m = await macMock();
    const r = await runCli('ir', '--server', m.server, ...MAC_CLIENT, '--newkey', pki('ee.key'), '--subject', SUBJECT, '--verbose');
    expect(r.status, m.log()).toBe(0);
    const headers = r.stderr.split('\n').filter((l) => /^(request|response):/.test(l));
    expect(headers).toHaveLength(4);
    expect(r.stderr).toMatch(/^request:\n {2}bodyType: ir$/m);
    expect(r.stderr).toMatch(/^response:\n {2}bodyType: ip$/m);
    expect(r.stderr).toMatch(/^response:\n {2}bodyType: pkiconf$/m);
  });

  it('an unprotected rejected ip is refused by default and reported with --unprotected-errors', async () => {
    const m = await macMock('-pkistatus', '2', '-failure', '9', '-statusstring', 'unprotected refusal', '-send_unprot_err');
    const args = ['cr', '--server', m.server, ...MAC_CLIENT, '--newkey', pki('ee.key'), '--subject', SUBJECT];
    const refused = await runCli(...args);
    expect(refused.status, m.log()).toBe(1);
    expect(refused.stderr).toBe(
      'cmpkit: the server refused the request: rejection badPOP "unprotected refusal" (unverified: protection: the cp response is not protected)\n',
    );
    const accepted = await runCli(...args, '--unprotected-errors');
    expect(accepted.status).toBe(1);
    expect(accepted.stderr).toBe('cmpkit: peer answered cp with status rejection (badPOP): unprotected refusal\n');
  });

  describe('core client with httpTransport', () => {
    async function coreClient(server: string, sleeps: number[]) {
      const { privateKey, publicKey } = await readKeyPair('--newkey', pki('ee.key'));
      const client = createClient({
        transport: httpTransport({ url: `http://${server}/pkix/` }),
        credential: {
          secret: 'perf-test-secret',
          senderKID: '3078',
          mac: { algorithm: 'PasswordBasedMac', owf: 'SHA-256', mac: 'SHA-256' },
        },
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      });
      return { client, keyPair: { privateKey, publicKey } };
    }

    it('enroll honours the pollRep checkAfter through the injected sleep', async () => {
      const m = await macMock('-poll_count', '2', '-check_after', '1');
      const sleeps: number[] = [];
      const { client, keyPair } = await coreClient(m.server, sleeps);
      const result = await client.enroll({ keyPair, subject: parseName(SUBJECT) });
      expect(result.certificate, m.log()).toEqual(pemCerts(pki('ee.pem'))[0]);
      expect(sleeps).toEqual([1_000]);
    });

    it('tryEnroll hands every wait to the caller', async () => {
      const m = await macMock('-poll_count', '2', '-check_after', '3');
      const sleeps: number[] = [];
      const { client, keyPair } = await coreClient(m.server, sleeps);
      const waits: number[] = [];
      let step = await client.tryEnroll({ keyPair, subject: parseName(SUBJECT) });
      while (!step.done) {
        waits.push(step.checkAfter);
        step = await step.next();
      }
      expect(waits, m.log()).toEqual([0, 3]);
      expect(sleeps).toEqual([]);
      expect(step.result.certificate).toEqual(pemCerts(pki('ee.pem'))[0]);
    });

    it('an error answer is a RemoteError carrying the peer status', async () => {
      const m = await macMock('-send_error');
      const { client, keyPair } = await coreClient(m.server, []);
      const error = await client.enroll({ keyPair, subject: parseName(SUBJECT) }).catch((e: unknown) => e);
      expect(error, m.log()).toBeInstanceOf(RemoteError);
      expect(error).toMatchObject({ status: 2, bodyType: 'error' });
    });
  });
});
