// An in-memory Issuer on @cmpkit/ca: every Issuer method, with the state the tests inspect
// (issued, confirmed, revoked), a pending mode (ticket + poll count), central key generation,
// root CA key update from cross certificates, certReqTemplate and CRLs.
import { createCrossCertificates, keyPairTypesOf, type CertificateProfile } from '@cmpkit/ca';
import {
  decodeSubjectPublicKeyInfo,
  oids,
  type CertReqTemplateContent,
  type CRLStatus,
  type InfoTypeAndValue,
  type RootCaKeyUpdateContent,
} from '@cmpkit/codec';
import {
  RequestRejectedError,
  type CertificationRequest,
  type CertificationResult,
  type Issuer,
  type Requester,
  type RevocationRequest,
} from '@cmpkit/core';
import { parseCertificate } from '@cmpkit/protection';
import { EC_P256, type TestPki } from './pki.js';

export interface IssuedEntry {
  certificate: Uint8Array;
  serialNumber: bigint;
  request: CertificationRequest;
  /** undefined until confirm() is called. */
  confirmed?: boolean;
  confirmReason?: string;
  revoked?: { reason?: number; by: string };
  /** Taken off hold by an rr with removeFromCRL. */
  revived?: boolean;
}

export interface TestIssuerOptions {
  /** Answer `waiting` for this many polls before issuing (0: issue at once). */
  pendingPolls?: number;
  /** checkAfter of pending answers, seconds. */
  checkAfter?: number;
  /** certify() throws this. */
  failWith?: unknown;
  /** Report the certificates as differing from the request (grantedWithMods). */
  modified?: boolean;
  /** Central key generation with this algorithm. Default ECDSA P-256. */
  centralKeyAlgorithm?: EcKeyGenParams | RsaHashedKeyGenParams;
  /** The answer of protocolEncryptionCertificate (genm caProtEncCert). */
  protocolEncryptionCertificate?: Uint8Array;
}

export interface TestIssuer extends Issuer {
  readonly issued: Map<string, IssuedEntry>;
  readonly requests: CertificationRequest[];
  readonly polls: { ticket: string; requester: Requester }[];
  readonly revocations: RevocationRequest[];
  /** Private keys generated centrally, by certificate serial (hex). */
  readonly generatedKeys: Map<string, Uint8Array>;
  options: TestIssuerOptions;
  entryOf(certificate: Uint8Array): IssuedEntry | undefined;
}

const serialKey = (serial: bigint): string => serial.toString(16);

export function createTestIssuer(pki: TestPki, options: TestIssuerOptions = {}): TestIssuer {
  const issued = new Map<string, IssuedEntry>();
  const requests: CertificationRequest[] = [];
  const polls: { ticket: string; requester: Requester }[] = [];
  const revocations: RevocationRequest[] = [];
  const generatedKeys = new Map<string, Uint8Array>();
  const tickets = new Map<string, { request: CertificationRequest; pollsLeft: number }>();
  let ticketCount = 0;
  let crlNumber = 0n;

  function profileOf(name: string | undefined): CertificateProfile {
    const profile = pki.profiles[name ?? 'device'];
    if (!profile) throw new RequestRejectedError('badCertTemplate', `unknown certificate profile ${name}`);
    return profile;
  }

  async function issueNow(request: CertificationRequest): Promise<CertificationResult> {
    const result = issuer.options.failWith;
    if (result !== undefined) throw result;
    let publicKey = request.publicKey;
    let privateKeyPkcs8: Uint8Array | undefined;
    if (request.centralKeyGeneration) {
      const algorithm = issuer.options.centralKeyAlgorithm ?? EC_P256;
      const pair = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
      publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey)));
      privateKeyPkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
    }
    const { certificate, serialNumber } = await pki.ca.issue({
      template: request.template,
      profile: profileOf(request.profile),
      ...(publicKey ? { publicKey } : {}),
    });
    issued.set(serialKey(serialNumber), { certificate, serialNumber, request });
    if (privateKeyPkcs8) generatedKeys.set(serialKey(serialNumber), privateKeyPkcs8);
    return {
      status: 'issued',
      certificate,
      chain: [pki.ca.certificate],
      ...(request.bodyType === 'ir' ? { caPubs: [pki.root.certificate] } : {}),
      ...(privateKeyPkcs8 ? { privateKeyPkcs8 } : {}),
      ...(issuer.options.modified ? { modified: true } : {}),
    };
  }

  function entryOf(certificate: Uint8Array): IssuedEntry | undefined {
    return issued.get(serialKey(parseCertificate(certificate).serialNumber));
  }

  const issuer: TestIssuer = {
    issued,
    requests,
    polls,
    revocations,
    generatedKeys,
    options,
    entryOf,

    async certify(request) {
      requests.push(request);
      const pending = issuer.options.pendingPolls ?? 0;
      if (pending > 0) {
        const ticket = `ticket-${++ticketCount}`;
        tickets.set(ticket, { request, pollsLeft: pending });
        return { status: 'pending', ticket, checkAfter: issuer.options.checkAfter ?? 2, reason: 'waiting for approval' };
      }
      return issueNow(request);
    },

    async poll(ticket, requester) {
      polls.push({ ticket, requester });
      const entry = tickets.get(ticket);
      if (!entry) throw new RequestRejectedError('badRequest', 'unknown ticket');
      entry.pollsLeft -= 1;
      if (entry.pollsLeft > 0) return { status: 'pending', ticket, checkAfter: issuer.options.checkAfter ?? 2 };
      tickets.delete(ticket);
      return issueNow(entry.request);
    },

    async confirm(certificate, accepted, reason) {
      const entry = entryOf(certificate);
      if (!entry) throw new Error('confirm() of a certificate this issuer did not issue');
      entry.confirmed = accepted;
      if (reason !== undefined) entry.confirmReason = reason;
      if (!accepted && !entry.revoked) entry.revoked = { by: 'confirm' };
    },

    async revoke(request) {
      revocations.push(request);
      const entry = issued.get(serialKey(request.serialNumber));
      if (!entry) throw new RequestRejectedError('badCertId', 'no such certificate');
      if (entry.revoked) throw new RequestRejectedError('certRevoked', 'the certificate is already revoked');
      entry.revoked = { by: 'rr', ...(request.reason !== undefined ? { reason: request.reason } : {}) };
    },

    async lookupCertificate(serialNumber) {
      const entry = issued.get(serialKey(serialNumber));
      if (!entry) return undefined;
      return { certificate: entry.certificate, ...(entry.revoked ? { revocation: { reason: entry.revoked.reason ?? 0 } } : {}) };
    },

    async revive(request) {
      revocations.push(request);
      const entry = issued.get(serialKey(request.serialNumber));
      if (!entry?.revoked) throw new Error('revive() of a certificate that is not revoked');
      delete entry.revoked;
      entry.revived = true;
    },

    async isRevoked(certificate) {
      return entryOf(certificate)?.revoked !== undefined;
    },

    async caCertificates() {
      return [pki.ca.certificate, pki.root.certificate];
    },

    async rootCaKeyUpdate(oldRoot): Promise<RootCaKeyUpdateContent | undefined> {
      if (!oldRoot || !sameBytes(oldRoot, pki.root.certificate)) return undefined;
      const cross = await createCrossCertificates(pki.root, pki.newRoot);
      return {
        newWithNew: { der: cross.newWithNew },
        newWithOld: { der: cross.newWithOld },
        oldWithNew: { der: cross.oldWithNew },
      };
    },

    async certReqTemplate(profile): Promise<CertReqTemplateContent | undefined> {
      if (profile === 'none') return undefined;
      return {
        certTemplate: { subject: [] },
        keySpec: [
          {
            type: 'algId',
            value: {
              algorithm: oids.id_ecPublicKey,
              parameters: { der: new Uint8Array([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]) },
            },
          },
        ],
      };
    },

    async crls(_status: readonly CRLStatus[]) {
      const now = pki.clock();
      const entries = [...issued.values()].filter((e) => e.revoked).map((e) => ({ serialNumber: e.serialNumber, revocationDate: now }));
      crlNumber += 1n;
      return [await pki.ca.createCrl({ entries, nextUpdate: new Date(now.getTime() + 86_400_000), crlNumber })];
    },

    async keyPairTypes(usage, profile) {
      const chosen = profile === undefined ? Object.values(pki.profiles) : [pki.profiles[profile]].filter((p) => p !== undefined);
      return keyPairTypesOf(chosen, usage);
    },

    async protocolEncryptionCertificate() {
      return issuer.options.protocolEncryptionCertificate;
    },

    async generalMessage(_item: InfoTypeAndValue) {
      return undefined;
    },
  };
  return issuer;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
