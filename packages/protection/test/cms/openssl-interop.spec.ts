import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentInfo } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { oids } from '@cmpkit/codec';
import {
  encryptCertificate,
  envelopePrivateKey,
  openEncryptedCertificate,
  openEnvelopedPrivateKey,
  type CmsDecryptionKey,
  type CmsRecipient,
} from '@cmpkit/protection';
import { fixturePath, opensslVersion, pki, providers, signerKey } from './cms-fixtures.js';

const version = opensslVersion();
const PASSWORD = 'perf-test-secret';

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return [0x80 | bytes.length, ...bytes];
}

function tlv(tag: number, body: Uint8Array): Uint8Array {
  return Uint8Array.from([tag, ...derLength(body.length), ...body]);
}

/** `ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content }`, which `openssl cms` reads and writes. */
function contentInfo(contentType: string, content: Uint8Array): Uint8Array {
  const oidDer = new Uint8Array(AsnConvert.serialize(new ContentInfo({ contentType, content: new Uint8Array([5, 0]).buffer })));
  // take the OID element from a serialized ContentInfo, then build ours around the exact content bytes
  const oidElement = oidDer.subarray(2, 2 + 2 + (oidDer[3] as number));
  return tlv(0x30, Uint8Array.from([...oidElement, ...tlv(0xa0, content)]));
}

function unwrapContentInfo(der: Uint8Array): { contentType: string; content: Uint8Array } {
  const info = AsnConvert.parse(der.slice().buffer, ContentInfo);
  return { contentType: info.contentType, content: new Uint8Array(info.content) };
}

// OpenSSL 3.0's CMS has no Ed25519 ("no default digest"), so Ed25519 signers are covered by the round trips only.
describe.skipIf(!version)(`OpenSSL interop (${version ?? 'skipped: openssl not found on PATH'})`, () => {
  let dir = '';
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  };
  const opensslOut = (...args: string[]): string => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8' });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cmpkit-cms-'));
    for (const name of ['ca', 'kga-p256', 'kga-rsa', 'kga-ed25519', 'ee-rsa', 'ee-p256', 'ee-p384']) {
      openssl('x509', '-inform', 'DER', '-in', fixturePath(`${name}.cert.der`), '-out', path(`${name}.pem`));
      openssl('pkey', '-inform', 'DER', '-in', fixturePath(`${name}.key.der`), '-out', path(`${name}.key.pem`));
    }
    writeFileSync(path('pkg.der'), tlv(0x30, pki.generated));
    writeFileSync(path('cert.der'), pki.eeP256.cert);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** `openssl cms -sign` of the key package by `signer`, then `openssl cms -encrypt` with `encrypt` options. */
  function opensslEnvelope(signer: string, encrypt: string[]): Uint8Array {
    openssl(
      'cms',
      '-sign',
      '-binary',
      '-nodetach',
      '-econtent_type',
      oids.id_ct_KP_aKeyPackage,
      '-in',
      'pkg.der',
      '-signer',
      `${signer}.pem`,
      '-inkey',
      `${signer}.key.pem`,
      '-certfile',
      'ca.pem',
      '-outform',
      'DER',
      '-out',
      'signed.der',
    );
    openssl('cms', '-encrypt', '-binary', '-in', 'signed.der', '-outform', 'DER', '-out', 'env.der', ...encrypt);
    const { contentType, content } = unwrapContentInfo(new Uint8Array(readFileSync(path('env.der'))));
    expect(contentType).toBe(oids.id_envelopedData);
    return content;
  }

  describe.each(providers)('under %s', (_, crypto) => {
    const fromOpenssl: [string, string, string[], CmsDecryptionKey][] = [
      [
        'RSA-OAEP SHA-256, AES-256-CBC',
        'kga-p256',
        ['-aes256', '-recip', 'ee-rsa.pem', '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256'],
        { privateKey: pki.eeRsa.key, certificate: pki.eeRsa.cert },
      ],
      [
        'RSA-OAEP default SHA-1, AES-128-CBC, RSA signer',
        'kga-rsa',
        ['-aes128', '-recip', 'ee-rsa.pem', '-keyopt', 'rsa_padding_mode:oaep'],
        { privateKey: pki.eeRsa.key },
      ],
      [
        'ECDH P-256 sha256kdf, AES-256',
        'kga-p256',
        ['-aes256', '-recip', 'ee-p256.pem', '-keyopt', 'ecdh_kdf_md:sha256'],
        { privateKey: pki.eeP256.key, certificate: pki.eeP256.cert },
      ],
      ['ECDH P-256 default sha1kdf, AES-192', 'kga-p256', ['-aes192', '-recip', 'ee-p256.pem'], { privateKey: pki.eeP256.key }],
      [
        'ECDH P-384 sha384kdf, AES-256',
        'kga-p256',
        ['-aes256', '-recip', 'ee-p384.pem', '-keyopt', 'ecdh_kdf_md:sha384'],
        { privateKey: pki.eeP384.key },
      ],
      ['password (id-alg-PWRI-KEK, PBKDF2-SHA1), AES-256', 'kga-p256', ['-aes256', '-pwri_password', PASSWORD], { password: PASSWORD }],
    ];

    it.each(fromOpenssl)('opens what openssl cms builds: %s', async (_, signer, encrypt, key) => {
      const der = opensslEnvelope(signer, encrypt);
      const opened = await openEnvelopedPrivateKey({ type: 'envelopedData', value: { der } }, { crypto, key });
      expect(opened.form).toBe('envelopedData');
      if (opened.form !== 'envelopedData') return;
      expect(opened.privateKeyPkcs8).toEqual(pki.generated);
      expect(opened.signerCertificate).toEqual(new Uint8Array(readFileSync(fixturePath(`${signer}.cert.der`))));
      expect(opened.signerChain).toEqual([pki.ca]);
    });

    const toOpenssl: [string, CmsRecipient, string[], 'p256' | 'rsa' | 'rsa-pss', string][] = [
      [
        'ktri RSA-OAEP SHA-256',
        { type: 'ktri', certificate: pki.eeRsa.cert },
        ['-recip', 'ee-rsa.pem', '-inkey', 'ee-rsa.key.pem'],
        'p256',
        'kga-p256',
      ],
      [
        'ktri with issuerAndSerialNumber',
        {
          type: 'ktri',
          certificate: pki.eeRsa.cert,
          recipientIdentifier: 'issuerAndSerialNumber',
        },
        ['-recip', 'ee-rsa.pem', '-inkey', 'ee-rsa.key.pem'],
        'rsa',
        'kga-rsa',
      ],
      [
        'kari ECDH P-256, RSA-PSS signer',
        { type: 'kari', certificate: pki.eeP256.cert },
        ['-recip', 'ee-p256.pem', '-inkey', 'ee-p256.key.pem'],
        'rsa-pss',
        'kga-rsa',
      ],
      [
        'kari ECDH P-384 with ukm',
        { type: 'kari', certificate: pki.eeP384.cert, ukm: Uint8Array.of(9, 8, 7) },
        ['-recip', 'ee-p384.pem', '-inkey', 'ee-p384.key.pem'],
        'p256',
        'kga-p256',
      ],
      [
        'pwri id-alg-PWRI-KEK',
        { type: 'pwri', password: PASSWORD, iterationCount: 2048, keyWrap: 'pwri-kek' },
        ['-pwri_password', PASSWORD],
        'p256',
        'kga-p256',
      ],
    ];

    it.each(toOpenssl)('openssl cms -decrypt and -verify open what we build: %s', async (_, recipient, decrypt, which, signerName) => {
      const certificate = new Uint8Array(readFileSync(fixturePath(`${signerName}.cert.der`)));
      const encryptedKey = await envelopePrivateKey(pki.generated, {
        crypto,
        recipient,
        signer: { privateKey: await signerKey(crypto, which), certificate, chain: [pki.ca] },
        signingTime: new Date('2025-06-01T12:00:00Z'),
      });
      writeFileSync(path('ours.der'), contentInfo(oids.id_envelopedData, encryptedKey.value.der));
      openssl('cms', '-decrypt', '-binary', '-inform', 'DER', '-in', 'ours.der', '-out', 'sd.der', ...decrypt);
      writeFileSync(path('sd-ci.der'), contentInfo(oids.id_signedData, new Uint8Array(readFileSync(path('sd.der')))));
      // signature, signed attributes and the KGA certificate's chain to the root
      openssl(
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        'sd-ci.der',
        '-CAfile',
        'ca.pem',
        '-purpose',
        'any',
        '-out',
        'pkg-out.der',
      );
      expect(new Uint8Array(readFileSync(path('pkg-out.der')))).toEqual(new Uint8Array(readFileSync(path('pkg.der'))));
      const printed = opensslOut('cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'sd-ci.der');
      expect(printed).toContain(oids.id_ct_KP_aKeyPackage);
    });

    it('encrypted certificates travel both ways', async () => {
      const ours = await encryptCertificate(pki.eeP256.cert, {
        crypto,
        recipient: { type: 'kari', certificate: pki.eeP256.cert },
      });
      writeFileSync(path('cert-env.der'), contentInfo(oids.id_envelopedData, ours.value.der));
      openssl(
        'cms',
        '-decrypt',
        '-binary',
        '-inform',
        'DER',
        '-in',
        'cert-env.der',
        '-recip',
        'ee-p256.pem',
        '-inkey',
        'ee-p256.key.pem',
        '-out',
        'cert-out.der',
      );
      expect(new Uint8Array(readFileSync(path('cert-out.der')))).toEqual(pki.eeP256.cert);

      openssl(
        'cms',
        '-encrypt',
        '-binary',
        '-in',
        'cert.der',
        '-outform',
        'DER',
        '-out',
        'cert-theirs.der',
        '-aes256',
        '-recip',
        'ee-rsa.pem',
        '-keyopt',
        'rsa_padding_mode:oaep',
      );
      const { content } = unwrapContentInfo(new Uint8Array(readFileSync(path('cert-theirs.der'))));
      const opened = await openEncryptedCertificate(
        { type: 'envelopedData', value: { der: content } },
        { crypto, key: { privateKey: pki.eeRsa.key } },
      );
      expect(opened).toEqual(pki.eeP256.cert);
    });
  });
});
