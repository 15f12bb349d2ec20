// A post-quantum PKI for the core tests: an ML-DSA-65 root and issuing CA, the CMP server's
// ML-DSA-65 signing certificate and ML-KEM-768 certificate, and an Issuer over @cmpkit/ca that
// issues within the pqDevice profile (central keys: ML-DSA-44).
import {
  createCertificateAuthority,
  createSelfSignedCa,
  createSubordinateCa,
  defineProfile,
  profiles,
  type CertificateAuthority,
} from '@cmpkit/ca';
import { decodeSubjectPublicKeyInfo, oids, parseName, type Name } from '@cmpkit/codec';
import type { CertificationRequest, CertificationResult, Issuer, RevocationRequest } from '@cmpkit/core';
import { withPostQuantum } from '@cmpkit/pq-crypto';
import { parseCertificate } from '@cmpkit/protection';

export const crypto = withPostQuantum(globalThis.crypto, { implementation: 'pure-js' });
export const KEM_USAGES = ['encapsulateBits', 'decapsulateBits'] as unknown as KeyUsage[];

export async function newKemKeyPair(name = 'ML-KEM-768'): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(name as never, true, KEM_USAGES as never)) as CryptoKeyPair;
}

export async function newDsaKeyPair(name = 'ML-DSA-44'): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(name as never, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function spkiOf(key: CryptoKey) {
  return decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', key)));
}

export interface PqPki {
  root: { certificate: Uint8Array };
  issuing: { certificate: Uint8Array };
  ca: CertificateAuthority;
  server: { name: Name; keyPair: CryptoKeyPair; certificate: Uint8Array };
  serverKem: { keyPair: CryptoKeyPair; certificate: Uint8Array };
}

const cmpServerProfile = defineProfile({
  name: 'cmpServer',
  keyAlgorithms: ['ml-dsa-65'],
  keyUsage: ['digitalSignature'],
  extendedKeyUsage: [oids.id_kp_cmKGA],
  allowSubjectAltName: false,
});

export async function createPqPki(): Promise<PqPki> {
  const keyAlgorithm = { name: 'ML-DSA-65' };
  const root = await createSelfSignedCa({ subject: '/O=PQ/CN=Root CA', keyAlgorithm, crypto });
  const issuing = await createSubordinateCa(createCertificateAuthority({ ...root, crypto }), {
    subject: '/O=PQ/CN=Issuing CA',
    keyAlgorithm,
    crypto,
  });
  const ca = createCertificateAuthority({ ...issuing, crypto });
  const serverKeys = await newDsaKeyPair('ML-DSA-65');
  const name = parseName('/O=PQ/CN=CMP Server');
  const server = await ca.issue({ template: { subject: name, publicKey: await spkiOf(serverKeys.publicKey) }, profile: cmpServerProfile });
  const kemKeys = await newKemKeyPair();
  const kem = await ca.issue({
    template: { subject: parseName('/O=PQ/CN=CMP Server KEM'), publicKey: await spkiOf(kemKeys.publicKey) },
    profile: profiles.pqDevice,
  });
  return {
    root: { certificate: root.certificate },
    issuing: { certificate: issuing.certificate },
    ca,
    server: { name, keyPair: serverKeys, certificate: server.certificate },
    serverKem: { keyPair: kemKeys, certificate: kem.certificate },
  };
}

export interface PqIssuer extends Issuer {
  readonly log: string[];
  readonly requests: CertificationRequest[];
  readonly revoked: RevocationRequest[];
}

export function createPqIssuer(pki: PqPki): PqIssuer {
  const log: string[] = [];
  const requests: CertificationRequest[] = [];
  const revoked: RevocationRequest[] = [];
  return {
    log,
    requests,
    revoked,
    async certify(request): Promise<CertificationResult> {
      requests.push(request);
      let publicKey = request.publicKey;
      let privateKeyPkcs8: Uint8Array | undefined;
      if (request.centralKeyGeneration) {
        const keyPair = await newDsaKeyPair();
        publicKey = await spkiOf(keyPair.publicKey);
        privateKeyPkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keyPair.privateKey));
      }
      const { certificate } = await pki.ca.issue({
        template: request.template,
        profile: profiles.pqDevice,
        ...(publicKey ? { publicKey } : {}),
      });
      log.push(
        `certify ${request.bodyType}${request.proofOfPossession ? ` ${request.proofOfPossession}` : ''}${request.centralKeyGeneration ? ' central' : ''}`,
      );
      return {
        status: 'issued',
        certificate,
        chain: [pki.issuing.certificate],
        caPubs: [pki.root.certificate],
        ...(privateKeyPkcs8 ? { privateKeyPkcs8 } : {}),
      };
    },
    async confirm(certificate, accepted) {
      log.push(`confirm ${parseCertificate(certificate).serialNumber === undefined ? '?' : accepted}`);
    },
    async revoke(request) {
      revoked.push(request);
      log.push(`revoke by ${request.requester.kind}`);
    },
    async caCertificates() {
      return [pki.root.certificate];
    },
  };
}
