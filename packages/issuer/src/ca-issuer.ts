import { keyPairTypesOf, type CertificateAuthority } from '@cmpkit/ca';
import {
  encodeName,
  isFailInfo,
  nameToString,
  type CertReqTemplateContent,
  type CertTemplate,
  type CRLStatus,
  type GeneralNames,
  type Name,
  type RootCaKeyUpdateContent,
  type SubjectPublicKeyInfo,
} from '@cmpkit/codec';
import {
  RequestRejectedError,
  silentLogger,
  type CertificationRequest,
  type CertificationResult,
  type Issuer,
  type Logger,
  type RevocationRequest,
} from '@cmpkit/core';
import { certificateSerialNumber, readCertificateFields } from './pki/certificate-fields.js';
import { serialHex } from './pki/serial-number.js';
import { isPostQuantumKey } from './pki/key-algorithms.js';
import type { CertificateRepository, RevokeOutcome } from './store/certificate-repository.js';
import type { PendingRequest, PendingRequestRepository } from './store/pending-request-repository.js';
import type { RootCaUpdateRepository } from './store/root-ca-update-repository.js';
import { certReqTemplateOf } from './cert-req-template.js';
import { generateCentralKey } from './central-key.js';
import type { CrlPublisher } from './crl-publisher.js';
import { describeRequester } from './requester-text.js';
import { DUPLICATE_REASON, isRevocationReason, UNCONFIRMED_REASON } from './revocation-reason.js';
import type { ProfileCatalog } from './server-profile.js';
import { deserializeRequest, serializeRequest, type StoredRequest } from './stored-request.js';

/** Construction input of {@link createCaIssuer}. */
export interface CaIssuerInit {
  /** The issuing CA. */
  ca: CertificateAuthority;
  /** The root certificate (DER): caPubs of ip, and the end of `caCertificates`. */
  rootCertificate: Uint8Array;
  certificates: CertificateRepository;
  pending: PendingRequestRepository;
  rootCaUpdates: RootCaUpdateRepository;
  crlPublisher: CrlPublisher;
  catalog: ProfileCatalog;
  /** checkAfter of a waiting request, seconds. */
  checkAfterSeconds: number;
  /** The URLs of the CA's CRL: a crlStatusList entry naming one of them is answered. */
  crlUrls?: readonly string[];
  /** The time of issuance records and revocations. Default: the system clock. */
  clock?: () => Date;
  /** For central key generation and certificate hashes. Default: `globalThis.crypto`. */
  crypto?: Crypto;
  /** Told of every issuance, revocation and waiting request. Default: `silentLogger`. */
  logger?: Logger;
}

/** The server's {@link Issuer}, with every optional member, plus what the CLI needs. */
export type CaIssuer = Issuer &
  Required<
    Pick<
      Issuer,
      | 'poll'
      | 'isRevoked'
      | 'lookupCertificate'
      | 'revive'
      | 'caCertificates'
      | 'rootCaKeyUpdate'
      | 'certReqTemplate'
      | 'crls'
      | 'keyPairTypes'
    >
  > & {
    /**
     * Revokes a certificate by serial number with a CRLReason code and publishes a new CRL when it
     * was revoked now.
     */
    revokeSerial(serialNumber: bigint, reason: number): Promise<RevokeOutcome>;
    /**
     * Issues and stores a certificate outside any CMP transaction (an operator's `cert issue`),
     * within the named profile; the holder learns of it by a certificate announcement (cann).
     */
    issueOutOfBand(request: {
      template: CertTemplate;
      publicKey: SubjectPublicKeyInfo;
      profile: string;
      requester: string;
    }): Promise<{ certificate: Uint8Array; serial: string }>;
  };

type IssueInput = Pick<
  StoredRequest,
  'bodyType' | 'template' | 'publicKey' | 'centralKeyGeneration' | 'profile' | 'transactionId' | 'requester'
>;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sameName(a: Name, b: Name): boolean {
  try {
    return sameBytes(encodeName(a), encodeName(b));
  } catch {
    return false;
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The {@link Issuer} of a CA's CMP server, on `@cmpkit/ca` and the repositories of a
 * {@link ServerStore}, whose names match this init's (`createCaIssuer({ ...store, ca, ... })`):
 *
 * - the profile comes from the request (certProfile or `/p/<label>`), for kur from the updated
 *   certificate, else the configured default; an unknown profile is refused with badCertTemplate;
 * - a profile with `requireApproval` answers `waiting` until an operator runs `pending approve`
 *   (or `reject`); one with `issueDelay` until that many polls and/or seconds have passed;
 * - every certificate is stored (status `issued`) before `certify`/`poll` resolve, `confirmed` on
 *   certConf, revoked (cessationOfOperation) when the EE rejects it or never confirms;
 * - a revocation publishes a new CRL at once.
 *
 * Refusals from the CA (`IssuanceError`) pass through to the engine with their failInfo.
 */
export function createCaIssuer(init: CaIssuerInit): CaIssuer {
  const { ca, certificates, pending, rootCaUpdates, crlPublisher, catalog } = init;
  const { clock = () => new Date(), crypto = globalThis.crypto, logger = silentLogger } = init;
  const chain = [ca.certificate, ...ca.chain];
  const inFlight = new Map<number, Promise<CertificationResult>>();

  async function chooseProfile(request: CertificationRequest): Promise<string> {
    if (request.profile !== undefined) {
      if (!catalog.profiles.has(request.profile)) {
        throw new RequestRejectedError('badCertTemplate', `unknown certificate profile "${request.profile}"`);
      }
      return request.profile;
    }
    // The updated certificate: the signer's, or (an RA's kur for a device) the one oldCertID names.
    const oldSerial = request.oldCertificate ? certificateSerialNumber(request.oldCertificate) : request.oldCertID?.serialNumber;
    if (request.bodyType === 'kur' && oldSerial !== undefined) {
      const old = await certificates.get(serialHex(oldSerial));
      if (old && catalog.profiles.has(old.profile)) return old.profile;
    }
    const key = request.publicKey ?? request.template.publicKey;
    if (catalog.defaultPostQuantumProfile && key && isPostQuantumKey(key)) return catalog.defaultPostQuantumProfile;
    return catalog.defaultProfile;
  }

  function issuedResult(certificate: Uint8Array, bodyType: string, privateKeyPkcs8?: Uint8Array): CertificationResult {
    return {
      status: 'issued',
      certificate,
      chain,
      ...(bodyType === 'ir' ? { caPubs: [init.rootCertificate] } : {}),
      ...(privateKeyPkcs8 ? { privateKeyPkcs8 } : {}),
    };
  }

  async function issue(input: IssueInput): Promise<{ result: CertificationResult; serial: string }> {
    const entry = catalog.profiles.get(input.profile);
    if (!entry) throw new RequestRejectedError('badCertTemplate', `certificate profile "${input.profile}" is no longer offered`);
    let publicKey = input.publicKey;
    let privateKeyPkcs8: Uint8Array | undefined;
    if (input.centralKeyGeneration) {
      const key = await generateCentralKey(entry.profile, input.template, crypto);
      publicKey = key.publicKey;
      privateKeyPkcs8 = key.privateKeyPkcs8;
    }
    const issued = await ca.issue({ template: input.template, profile: entry.profile, ...(publicKey ? { publicKey } : {}) });
    const serial = serialHex(issued.serialNumber);
    const subject = nameToString(issued.subject);
    // ARCHITECTURE.md decision 6: stored before the response that carries it leaves.
    await certificates.insert({
      serial,
      issuer: nameToString(ca.subject),
      subject,
      der: issued.certificate,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      profile: input.profile,
      requester: input.requester,
      ...(input.transactionId === '' ? {} : { transactionId: input.transactionId }),
      issuedAt: clock(),
    });
    logger.info('certificate issued', {
      serial,
      subject,
      profile: input.profile,
      requester: input.requester,
      transactionID: input.transactionId,
    });
    return { result: issuedResult(issued.certificate, input.bodyType, privateKeyPkcs8), serial };
  }

  function waiting(id: number, checkAfter: number, reason: string): CertificationResult {
    return { status: 'pending', ticket: String(id), checkAfter: Math.max(0, Math.ceil(checkAfter)), reason };
  }

  /** The certificate recorded for a waiting request that was issued. */
  async function issuedCertificateOf(id: number, bodyType: string): Promise<CertificationResult> {
    const row = await pending.get(id);
    const stored = row?.serial === undefined ? undefined : await certificates.get(row.serial);
    if (!stored) throw new Error(`server: the certificate of pending request ${id} is missing`);
    return issuedResult(stored.der, bodyType);
  }

  async function issuePending(row: PendingRequest): Promise<CertificationResult> {
    const running = inFlight.get(row.id);
    if (running) return running;
    const work = (async () => {
      const request = deserializeRequest(row.request);
      const { result, serial } = await issue(request);
      if (await pending.markIssued(row.id, serial)) return result;
      // Another server instance issued for this request at the same moment: its certificate is
      // the one, this duplicate is revoked before anyone gets it.
      logger.warn('duplicate issuance for a waiting request revoked', { ticket: row.id, serial });
      await revokeSerial(BigInt(`0x${serial}`), DUPLICATE_REASON);
      return issuedCertificateOf(row.id, request.bodyType);
    })();
    inFlight.set(row.id, work);
    try {
      return await work;
    } finally {
      inFlight.delete(row.id);
    }
  }

  async function revokeSerial(serialNumber: bigint, reason: number): Promise<RevokeOutcome> {
    const serial = serialHex(serialNumber);
    const outcome = await certificates.revoke(serial, reason, clock());
    if (outcome === 'revoked') {
      logger.info('certificate revoked', { serial, reason });
      await crlPublisher.publish();
    }
    return outcome;
  }

  function crlSourceMatches(status: CRLStatus): boolean {
    const names: GeneralNames =
      status.source.type === 'issuer' ? status.source.value : status.source.value.type === 'fullName' ? status.source.value.value : [];
    return names.some(
      (n) =>
        (n.type === 'directoryName' && sameName(n.value, ca.subject)) ||
        (n.type === 'uniformResourceIdentifier' && (init.crlUrls ?? []).includes(n.value)),
    );
  }

  /**
   * OpenSSL's client puts the issuer of its signing certificate into the template's issuer when
   * no `-issuer` is given. For an ir signed with a manufacturer certificate (external anchor) that
   * names the manufacturer's CA, not this one: such an issuer is a default, not a wish, and is
   * dropped instead of refusing the request with wrongAuthority.
   */
  function withoutSignerIssuer(request: CertificationRequest): CertificationRequest {
    const { requester, template } = request;
    if (requester.kind !== 'signature' || !requester.external || !template.issuer) return request;
    if (!sameName(template.issuer, readCertificateFields(requester.certificate).issuer)) return request;
    const { issuer: _signerIssuer, ...rest } = template;
    return { ...request, template: rest };
  }

  return {
    async certify(original) {
      const request = withoutSignerIssuer(original);
      const profile = await chooseProfile(request);
      const entry = catalog.profiles.get(profile)!;
      const requester = describeRequester(request.requester);
      const { requireApproval, issueDelay } = entry.profile;
      const delayPolls = issueDelay?.polls ?? 0;
      const delaySeconds = issueDelay?.seconds ?? 0;
      if (requireApproval || delayPolls > 0 || delaySeconds > 0) {
        const now = clock();
        const kind = requireApproval ? 'approval' : 'delay';
        const id = await pending.create({
          kind,
          transactionId: request.transactionId,
          profile,
          subject: nameToString(request.template.subject ?? []),
          requester,
          request: serializeRequest(request, profile, requester),
          createdAt: now,
          ...(kind === 'delay' && delaySeconds > 0 ? { readyAt: new Date(now.getTime() + delaySeconds * 1000) } : {}),
        });
        logger.info('certificate request waiting', { ticket: id, kind, profile, requester, transactionID: request.transactionId });
        return kind === 'approval'
          ? waiting(id, init.checkAfterSeconds, 'waiting for approval by an operator')
          : waiting(id, delayPolls > 0 ? init.checkAfterSeconds : delaySeconds, 'issuance is delayed');
      }
      const { result } = await issue({
        bodyType: request.bodyType,
        template: request.template,
        ...(request.publicKey ? { publicKey: request.publicKey } : {}),
        centralKeyGeneration: request.centralKeyGeneration,
        profile,
        transactionId: request.transactionId,
        requester,
      });
      return result;
    },

    async poll(ticket) {
      const id = /^\d+$/.test(ticket) ? Number(ticket) : NaN;
      const row = Number.isSafeInteger(id) ? await pending.get(id) : undefined;
      if (!row) throw new RequestRejectedError('badRequest', 'no such pending request');
      if (row.status === 'issued') return issuedCertificateOf(row.id, deserializeRequest(row.request).bodyType);
      if (row.status === 'rejected') {
        const failInfo = row.failInfo !== undefined && isFailInfo(row.failInfo) ? row.failInfo : 'notAuthorized';
        throw new RequestRejectedError(failInfo, row.reason ?? 'the request was rejected by an operator');
      }
      const polls = await pending.countPoll(row.id);
      if (row.kind === 'approval') {
        if (row.status === 'pending') return waiting(row.id, init.checkAfterSeconds, 'waiting for approval by an operator');
        return issuePending(row);
      }
      const delay = catalog.profiles.get(row.profile)?.profile.issueDelay;
      const now = clock().getTime();
      const secondsLeft = row.readyAt ? (row.readyAt.getTime() - now) / 1000 : 0;
      if (polls < (delay?.polls ?? 0) || secondsLeft > 0) {
        return waiting(row.id, secondsLeft > 0 ? secondsLeft : init.checkAfterSeconds, 'issuance is delayed');
      }
      return issuePending(row);
    },

    async confirm(certificate, accepted, reason) {
      const serial = serialHex(certificateSerialNumber(certificate));
      if (accepted) {
        if (await certificates.confirm(serial)) logger.info('certificate confirmed', { serial });
        else
          logger.warn('confirmation of a certificate that is not awaiting one', {
            serial,
            status: (await certificates.get(serial))?.status ?? 'unknown',
          });
        return;
      }
      logger.info('certificate rejected by the requester', { serial, reason });
      await revokeSerial(BigInt(`0x${serial}`), UNCONFIRMED_REASON);
    },

    async revoke(request: RevocationRequest) {
      if (request.issuer && request.issuer.length > 0 && !sameName(request.issuer, ca.subject)) {
        throw new RequestRejectedError('badCertId', 'the certificate was not issued by this CA');
      }
      const reason = request.reason ?? 0;
      if (!isRevocationReason(reason)) throw new RequestRejectedError('badRequest', `CRLReason ${reason} cannot be used to revoke`);
      const outcome = await revokeSerial(request.serialNumber, reason);
      if (outcome === 'unknown')
        throw new RequestRejectedError('badCertId', 'no certificate with this serial number was issued by this CA');
      if (outcome === 'alreadyRevoked') throw new RequestRejectedError('certRevoked', 'the certificate is already revoked');
    },

    async lookupCertificate(serialNumber) {
      const stored = await certificates.get(serialHex(serialNumber));
      if (!stored) return undefined;
      return {
        certificate: stored.der,
        ...(stored.status === 'revoked' ? { revocation: { reason: stored.revocationReason ?? 0 } } : {}),
      };
    },

    async revive(request: RevocationRequest) {
      const serial = serialHex(request.serialNumber);
      if (!(await certificates.releaseHold(serial))) throw new RequestRejectedError('certRevoked', 'the certificate is not on hold');
      logger.info('certificate taken off hold', { serial, requester: describeRequester(request.requester) });
      await crlPublisher.publish();
    },

    async isRevoked(certificate) {
      let serial: bigint;
      try {
        serial = certificateSerialNumber(certificate);
      } catch {
        return false;
      }
      const stored = await certificates.get(serialHex(serial));
      return stored !== undefined && stored.status === 'revoked' && sameBytes(stored.der, certificate);
    },

    async caCertificates() {
      return chain;
    },

    async rootCaKeyUpdate(oldRoot): Promise<RootCaKeyUpdateContent | undefined> {
      const update = oldRoot
        ? await rootCaUpdates.fromRoot(hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(oldRoot)))))
        : await rootCaUpdates.latest();
      if (!update) return undefined;
      return {
        newWithNew: { der: update.newWithNew },
        ...(update.newWithOld ? { newWithOld: { der: update.newWithOld } } : {}),
        ...(update.oldWithNew ? { oldWithNew: { der: update.oldWithNew } } : {}),
      };
    },

    async certReqTemplate(profile): Promise<CertReqTemplateContent | undefined> {
      const entry = catalog.profiles.get(profile ?? catalog.defaultProfile);
      return entry ? certReqTemplateOf(entry) : undefined;
    },

    async keyPairTypes(usage, profile) {
      // The profile asked about, else every profile the server offers (the CA as a whole).
      const entries =
        profile === undefined ? [...catalog.profiles.values()] : [catalog.profiles.get(profile)].filter((e) => e !== undefined);
      return keyPairTypesOf(
        entries.map((e) => e.profile),
        usage,
      );
    },

    async crls(statuses) {
      const current = await crlPublisher.current();
      if (statuses.length === 0) return [current.der];
      const wanted = statuses.some(
        (s) => crlSourceMatches(s) && (!s.thisUpdate || current.thisUpdate.getTime() > s.thisUpdate.value.getTime()),
      );
      return wanted ? [current.der] : [];
    },

    revokeSerial,

    async issueOutOfBand(request) {
      const { result, serial } = await issue({ ...request, bodyType: 'oob', centralKeyGeneration: false, transactionId: '' });
      if (result.status !== 'issued') throw new Error('server: an out-of-band issuance did not issue');
      return { certificate: result.certificate, serial };
    },
  };
}
