import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePKIMessage, decodePem, oids } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';
import { afterEach, describe, expect, it } from 'vitest';
import { main as serverMain } from '../../src/main.js';
import { tempDir } from '../helpers.js';
import { runClient, startServer, type RunningServer } from './e2e-harness.js';

// Issue 14's "Done when", through the sample apps: `cmpkit-server init --key-algorithm ml-dsa-65`
// makes an ML-DSA-65 root and issuing CA (and the server's ML-KEM certificate); an ML-KEM-768
// device enrolls with `cmpkit ir --newkey ml-kem-768`, is answered under KEM-based MAC, proves
// possession indirectly (encrCert), gets a centrally generated ML-DSA key under
// KEMRecipientInfo, and revokes under its own KEM-based MAC; an ML-DSA-65 device enrolls and
// updates its key with an ML-DSA signature; over HTTP and WebSocket.

const SECRET = ['--ref', 'demo', '--secret', 'pass:demo-secret-change-me'];
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function pemCertificate(path: string): Uint8Array {
  return decodePem(readFileSync(path, 'utf8'))[0]!.der;
}

describe.each([
  ['http', (s: RunningServer) => s.httpUrl],
  ['ws', (s: RunningServer) => s.wsUrl],
])('an ML-KEM-768 device against an ML-DSA-65 cmpkit-server over %s', (name, urlOf) => {
  it('enrolls under KEM-based MAC with encrCert, gets a central key under KEMRecipientInfo, and revokes', async () => {
    const dir = tempDir();
    const file = (f: string): string => join(dir, f);
    let out = '';
    const init = await serverMain(['init', '--data-dir', 'data', '--key-algorithm', 'ml-dsa-65'], {
      cwd: dir,
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
    });
    expect(init, out).toBe(0);
    expect(out).toContain('cmp-server-kem.pem');
    server = await startServer(dir);
    const url = urlOf(server);
    const trust = ['--trusted', server.root, '--untrusted', file('data/issuing-ca.pem')];
    expect(parseCertificate(pemCertificate(server.root)).signatureAlgorithm.algorithm).toBe(oids.id_ml_dsa_65);

    const ir = await runClient(
      'ir',
      '--server',
      url,
      ...SECRET,
      ...trust,
      '--srv-kem-cert',
      file('data/cmp-server-kem.pem'),
      '--newkey',
      'ml-kem-768',
      '--newkeyout',
      file('kem.key'),
      '--subject',
      `/CN=pq-${name}`,
      '--certout',
      file('kem.pem'),
      '--rspout',
      `${file('ip.der')},${file('pkiconf.der')}`,
    );
    expect(ir.stderr).toBe('');
    expect(ir).toMatchObject({ status: 0 });
    const ip = decodePKIMessage(readFileSync(file('ip.der')));
    expect(ip.header.protectionAlg?.algorithm).toBe(oids.id_KemBasedMac);
    expect(ip.body.type === 'ip' && ip.body.content.response[0]!.certifiedKeyPair!.certOrEncCert.type).toBe('encryptedCert');
    expect(decodePKIMessage(readFileSync(file('pkiconf.der'))).header.protectionAlg?.algorithm).toBe(oids.id_KemBasedMac);
    expect(parseCertificate(pemCertificate(file('kem.pem'))).subjectPublicKeyInfo.algorithm.algorithm).toBe(oids.id_alg_ml_kem_768);

    const dump = await runClient('dump', file('ip.der'));
    expect(dump.stdout).toContain('id_KemBasedMac');

    const central = await runClient(
      'cr',
      '--server',
      url,
      ...trust,
      '--kem-cert',
      file('kem.pem'),
      '--kem-key',
      file('kem.key'),
      '--centralkeygen',
      '--newkey',
      'ml-dsa-44',
      '--newkeyout',
      file('central.key'),
      '--subject',
      `/CN=pq-${name}`,
      '--certout',
      file('central.pem'),
      '--rspout',
      `${file('genp.der')},${file('cp.der')},${file('pkiconf2.der')}`,
    );
    expect(central.stderr).toBe('');
    expect(central).toMatchObject({ status: 0 });
    const cp = decodePKIMessage(readFileSync(file('cp.der')));
    const key = cp.body.type === 'cp' ? cp.body.content.response[0]!.certifiedKeyPair!.privateKey : undefined;
    // id-ori-kem: the key came in a KEMRecipientInfo for the device's ML-KEM certificate
    expect(Buffer.from(key?.type === 'envelopedData' ? key.value.der : []).includes(Buffer.from('060b2a864886f70d0109100d03', 'hex'))).toBe(
      true,
    );
    expect(readFileSync(file('central.key'), 'utf8')).toContain('PRIVATE KEY');
    expect(parseCertificate(pemCertificate(file('central.pem'))).subjectPublicKeyInfo.algorithm.algorithm).toBe(oids.id_ml_dsa_44);

    const rr = await runClient(
      'rr',
      '--server',
      url,
      ...trust,
      '--kem-cert',
      file('kem.pem'),
      '--kem-key',
      file('kem.key'),
      '--oldcert',
      file('kem.pem'),
    );
    expect(rr.stderr).toBe('');
    expect(rr).toMatchObject({ status: 0 });
    expect(rr.stdout).toContain('rr: revoked');

    // An ML-DSA-65 device: ir with the shared secret, then kur signed with its ML-DSA certificate.
    const dsa = await runClient(
      'ir',
      '--server',
      url,
      ...SECRET,
      ...trust,
      '--newkey',
      'ml-dsa-65',
      '--newkeyout',
      file('dsa.key'),
      '--subject',
      `/CN=dsa-${name}`,
      '--certout',
      file('dsa.pem'),
    );
    expect(dsa.stderr).toBe('');
    expect(dsa).toMatchObject({ status: 0 });
    const kur = await runClient(
      'kur',
      '--server',
      url,
      ...trust,
      '--cert',
      file('dsa.pem'),
      '--key',
      file('dsa.key'),
      '--newkey',
      'ml-dsa-65',
      '--newkeyout',
      file('dsa2.key'),
      '--certout',
      file('dsa2.pem'),
    );
    expect(kur.stderr).toBe('');
    expect(kur).toMatchObject({ status: 0 });
    expect(parseCertificate(pemCertificate(file('dsa2.pem'))).subjectPublicKeyInfo.algorithm.algorithm).toBe(oids.id_ml_dsa_65);
  });
});
