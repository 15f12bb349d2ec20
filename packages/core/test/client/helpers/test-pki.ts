import {
  createCertificateAuthority,
  createSelfSignedCa,
  createSubordinateCa,
  defineProfile,
  profiles,
  type CertificateAuthority,
  type GeneratedCa,
} from '@cmpkit/ca';
import { decodeSubjectPublicKeyInfo, parseName, type Name, type SubjectPublicKeyInfo } from '@cmpkit/codec';

/** The start of every fake clock in the client tests: 2026-12-01T00:00:00Z. */
export const T0 = new Date(Date.UTC(2026, 11, 1));

/** An end entity (or server, or KGA) with a key pair and a certificate. */
export interface Holder {
  keyPair: CryptoKeyPair;
  certificate: Uint8Array;
  subject: Name;
}

/** The PKIs the client tests run against, made once per test file with @cmpkit/ca. */
export interface TestPki {
  root: GeneratedCa;
  issuing: GeneratedCa;
  ca: CertificateAuthority;
  /** The CMP server's signing certificate (keyUsage digitalSignature, no EKU). */
  server: Holder;
  /** A key generation authority (id-kp-cmKGA). */
  kga: Holder;
  /** The end entity's current certificate (for signature protection and kur). */
  ee: Holder;
  /** Another root with its own issuing CA: certificates that must not be trusted. */
  rogue: { root: GeneratedCa; ca: CertificateAuthority };
  /** Issues a device certificate for `publicKey` under the issuing CA. */
  issue(publicKey: SubjectPublicKeyInfo, subject?: string, ca?: CertificateAuthority): Promise<Uint8Array>;
  newKeyPair(): Promise<CryptoKeyPair>;
  spkiOf(key: CryptoKey): Promise<SubjectPublicKeyInfo>;
}

const EC: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const cmpServerProfile = defineProfile({
  name: 'cmpServer',
  validityDays: 365,
  keyUsage: ['digitalSignature'],
  allowSubjectAltName: false,
});

/** The end entity's certificate: it signs, and takes centrally generated keys by key agreement (RFC 9483 4.1.6.2). */
const eeProfile = defineProfile({ ...profiles.device, name: 'ee', keyUsage: ['digitalSignature', 'keyAgreement'] });

async function newKeyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function spkiOf(key: CryptoKey): Promise<SubjectPublicKeyInfo> {
  return decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', key)));
}

/** Builds the test PKIs with certificates valid at {@link T0}. */
export async function createTestPki(): Promise<TestPki> {
  // Made a day before T0, so that everything is valid at T0 and for a year after.
  const clock = (): Date => new Date(T0.getTime() - 86_400_000);
  const root = await createSelfSignedCa({ subject: '/O=cmpkit test/CN=Test Root CA', clock });
  const issuing = await createSubordinateCa(createCertificateAuthority({ ...root, clock }), {
    subject: '/O=cmpkit test/CN=Test Issuing CA',
  });
  const ca = createCertificateAuthority({ ...issuing, clock });
  const rogueRoot = await createSelfSignedCa({ subject: '/O=cmpkit test/CN=Test Root CA', clock });
  const rogueCa = createCertificateAuthority({ ...rogueRoot, clock });

  const holder = async (subject: string, profile = profiles.device): Promise<Holder> => {
    const keyPair = await newKeyPair();
    const { certificate } = await ca.issue({
      template: { subject: parseName(subject), publicKey: await spkiOf(keyPair.publicKey) },
      profile,
    });
    return { keyPair, certificate, subject: parseName(subject) };
  };

  return {
    root,
    issuing,
    ca,
    server: await holder('/O=cmpkit test/CN=Test CMP Server', cmpServerProfile),
    kga: await holder('/O=cmpkit test/CN=Test KGA', profiles.kga),
    ee: await holder('/O=cmpkit test/CN=device-0001', eeProfile),
    rogue: { root: rogueRoot, ca: rogueCa },
    async issue(publicKey, subject = '/O=cmpkit test/CN=device-0001', issuer = ca) {
      const { certificate } = await issuer.issue({ template: { subject: parseName(subject), publicKey }, profile: profiles.device });
      return certificate;
    },
    newKeyPair,
    spkiOf,
  };
}

/** An end entity about to enroll: a new key pair and the device certificate the CA will issue for it. */
export interface Enrollee {
  keyPair: CryptoKeyPair;
  certificate: Uint8Array;
}

export async function newEnrollee(pki: TestPki): Promise<Enrollee> {
  const keyPair = await pki.newKeyPair();
  return { keyPair, certificate: await pki.issue(await pki.spkiOf(keyPair.publicKey)) };
}
