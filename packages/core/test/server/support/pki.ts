// The test PKI of the server engine tests: a root CA, an issuing CA under it, the server's CMP
// signing certificate, an RA certificate (id-kp-cmcRA), a second, unrelated end-entity
// certificate, and a manufacturer PKI whose device certificate is an external anchor (IDevID).
// Everything is made on the fake clock, so every validity is fixed relative to it.
import {
  createCertificateAuthority,
  createSelfSignedCa,
  createSubordinateCa,
  defineProfile,
  profiles,
  type CertificateAuthority,
  type CertificateProfile,
  type GeneratedCa,
} from '@cmpkit/ca';
import { decodeSubjectPublicKeyInfo, oids, parseName, type Name } from '@cmpkit/codec';
import type { SignatureCredential } from '@cmpkit/protection';

/** A key pair with a certificate and its chain (issuer first, root last). */
export interface Holder {
  keyPair: CryptoKeyPair;
  certificate: Uint8Array;
  chain: Uint8Array[];
  /** As a SignatureCredential (chain without the root). */
  credential: SignatureCredential;
}

export interface TestPki {
  clock: () => Date;
  root: GeneratedCa;
  issuing: GeneratedCa;
  /** The issuing CA (signs end-entity certificates and CRLs). */
  ca: CertificateAuthority;
  /** The server's CMP protection credential, issued by the issuing CA. */
  server: Holder;
  serverName: Name;
  /** An RA with id-kp-cmcRA, issued by the issuing CA. */
  ra: Holder;
  /** A signer without id-kp-cmcRA (a plain end entity of the PKI). */
  other: Holder;
  /** The manufacturer's root (external anchor) and a device certificate (IDevID) under it. */
  manufacturerRoot: GeneratedCa;
  idevid: Holder;
  /** A second root for root CA key update tests, and its private key. */
  newRoot: GeneratedCa;
  profiles: Record<string, CertificateProfile>;
}

export const EC_P256: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
export const RSA_2048: RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};

export async function newKeyPair(algorithm: EcKeyGenParams | RsaHashedKeyGenParams = EC_P256): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function holder(
  ca: CertificateAuthority,
  subject: string,
  profile: CertificateProfile,
  algorithm?: EcKeyGenParams | RsaHashedKeyGenParams,
): Promise<Holder> {
  const keyPair = await newKeyPair(algorithm);
  const publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey)));
  const { certificate } = await ca.issue({ template: { subject: parseName(subject), publicKey }, profile });
  const chain = [ca.certificate, ...ca.chain];
  return { keyPair, certificate, chain, credential: { privateKey: keyPair.privateKey, certificate, chain: chain.slice(0, -1) } };
}

/** The CMP server's own certificate: digitalSignature, id-kp-cmcCA. */
export const cmpServerProfile: CertificateProfile = defineProfile({
  name: 'cmpServer',
  keyUsage: ['digitalSignature'],
  extendedKeyUsage: [oids.id_kp_cmcCA],
  allowSubjectAltName: false,
});

export async function createTestPki(clock: () => Date): Promise<TestPki> {
  const root = await createSelfSignedCa({ subject: '/O=cmpkit test/CN=Test Root CA', clock });
  const issuing = await createSubordinateCa(createCertificateAuthority({ ...root, clock }), {
    subject: '/O=cmpkit test/CN=Test Issuing CA',
  });
  const ca = createCertificateAuthority({ ...issuing, clock });
  const serverName = parseName('/O=cmpkit test/CN=Test CMP Server');
  const server = await holder(ca, '/O=cmpkit test/CN=Test CMP Server', cmpServerProfile);
  const ra = await holder(ca, '/O=cmpkit test/CN=Test RA', profiles.ra);
  const other = await holder(ca, '/O=cmpkit test/CN=someone else', profiles.device);
  const manufacturerRoot = await createSelfSignedCa({ subject: '/O=Manufacturer/CN=Manufacturer Root CA', clock });
  const idevid = await holder(createCertificateAuthority({ ...manufacturerRoot, clock }), '/O=Manufacturer/CN=device-42', profiles.device);
  const newRoot = await createSelfSignedCa({ subject: '/O=cmpkit test/CN=Test Root CA 2', clock });
  const forbidding = defineProfile({ name: 'noSan', allowSubjectAltName: false, extendedKeyUsage: [oids.id_kp_clientAuth] });
  return {
    clock,
    root,
    issuing,
    ca,
    server,
    serverName,
    ra,
    other,
    manufacturerRoot,
    idevid,
    newRoot,
    profiles: { device: profiles.device, tlsClient: profiles.tlsClient, noSan: forbidding },
  };
}
