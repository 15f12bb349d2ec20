import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { clientTlsOf } from '../../src/transport/client-tls.js';

describe('the TLS options of cmpkit (--tls-trusted, --tls-cert, --tls-key, --tls-host)', () => {
  it("trusts the system roots (and Node's) when --tls-trusted is not given", async () => {
    const tls = await clientTlsOf({});
    expect(tls.ca).toEqual(expect.arrayContaining([...rootCertificates]));
    expect(tls.cert).toBeUndefined();
  });

  it('reads the files it is given, and names the option and file when one is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cmpkit-client-tls-'));
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    writeFileSync(join(dir, 'ca.pem'), pem);
    writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
    writeFileSync(join(dir, 'empty.pem'), 'nothing\n');
    const tls = await clientTlsOf({
      'tls-trusted': join(dir, 'ca.pem'),
      'tls-cert': join(dir, 'ca.pem'),
      'tls-key': join(dir, 'key.pem'),
      'tls-host': 'ca.example',
    });
    expect(tls).toMatchObject({ ca: [pem], cert: pem, servername: 'ca.example' });
    await expect(clientTlsOf({ 'tls-trusted': join(dir, 'missing.pem') })).rejects.toThrow(
      `--tls-trusted ${join(dir, 'missing.pem')}: cannot read it`,
    );
    await expect(clientTlsOf({ 'tls-trusted': join(dir, 'empty.pem') })).rejects.toThrow(/--tls-trusted .*empty\.pem: no PEM/);
    await expect(clientTlsOf({ 'tls-cert': join(dir, 'ca.pem') })).rejects.toThrow('--tls-cert and --tls-key go together');
  });
});
