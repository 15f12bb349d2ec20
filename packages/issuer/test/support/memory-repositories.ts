import {
  CERTIFICATE_HOLD,
  type CertificateRepository,
  type CrlRepository,
  type PendingRequest,
  type PendingRequestRepository,
  type RootCaUpdate,
  type RootCaUpdateRepository,
  type StoredCertificate,
  type StoredCrl,
} from '@cmpkit/issuer';

/** The repositories the issuer keeps its state in, in memory: the issuer's tests need no database. */
export interface MemoryRepositories {
  certificates: CertificateRepository;
  pending: PendingRequestRepository;
  crls: CrlRepository;
  rootCaUpdates: RootCaUpdateRepository;
}

const copy = <T extends object>(value: T): T => structuredClone(value);

/**
 * In-memory repositories with the behaviour of the SQL stores' contract (`storeContract` in
 * `@cmpkit/test-utils`): a duplicate serial number is refused, a waiting request is marked issued
 * once, revocation reports unknown and already revoked, only a hold is released, cRLNumbers count up from 1. Reads return
 * copies, so a test sees what was stored, not the object it passed in.
 */
export function memoryRepositories(): MemoryRepositories {
  const certificates = new Map<string, StoredCertificate>();
  const pending = new Map<number, PendingRequest>();
  const crls: StoredCrl[] = [];
  const updates: RootCaUpdate[] = [];
  let crlNumber = 0n;
  let nextPendingId = 1;

  const revokedEntries = () =>
    [...certificates.values()]
      .filter((c) => c.status === 'revoked')
      .sort((a, b) => a.revokedAt!.getTime() - b.revokedAt!.getTime() || a.serial.localeCompare(b.serial))
      .map((c) => ({
        serial: c.serial,
        revokedAt: c.revokedAt!,
        ...(c.revocationReason === undefined ? {} : { revocationReason: c.revocationReason }),
      }));

  const decide = (id: number, change: Partial<PendingRequest>): boolean => {
    const row = pending.get(id);
    if (row?.status !== 'pending') return false;
    pending.set(id, { ...row, ...change });
    return true;
  };

  return {
    certificates: {
      async insert(certificate) {
        if (certificates.has(certificate.serial)) throw new Error(`duplicate serial number ${certificate.serial}`);
        certificates.set(certificate.serial, { ...copy(certificate), status: 'issued' });
      },
      async get(serial) {
        const stored = certificates.get(serial);
        return stored && copy(stored);
      },
      async confirm(serial) {
        const stored = certificates.get(serial);
        if (stored?.status !== 'issued') return false;
        stored.status = 'confirmed';
        return true;
      },
      async revoke(serial, reason, at) {
        const stored = certificates.get(serial);
        if (!stored) return 'unknown';
        if (stored.status === 'revoked') return 'alreadyRevoked';
        Object.assign(stored, { status: 'revoked', revokedAt: at, revocationReason: reason });
        return 'revoked';
      },
      async releaseHold(serial) {
        const stored = certificates.get(serial);
        if (stored?.status !== 'revoked' || stored.revocationReason !== CERTIFICATE_HOLD) return false;
        stored.status = 'confirmed';
        delete stored.revokedAt;
        delete stored.revocationReason;
        return true;
      },
      async revoked() {
        return revokedEntries();
      },
      async list(options = {}) {
        return [...certificates.values()]
          .filter((c) => options.status === undefined || c.status === options.status)
          .sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime() || a.serial.localeCompare(b.serial))
          .slice(0, options.limit ?? Infinity)
          .map(copy);
      },
    },
    pending: {
      async create(request) {
        const id = nextPendingId++;
        pending.set(id, { ...copy(request), id, status: 'pending', polls: 0 });
        return id;
      },
      async get(id) {
        const row = pending.get(id);
        return row && copy(row);
      },
      async countPoll(id) {
        const row = pending.get(id);
        if (!row) return 0;
        row.polls++;
        return row.polls;
      },
      async approve(id, at) {
        return decide(id, { status: 'approved', decidedAt: at });
      },
      async reject(id, at, failInfo, reason) {
        return decide(id, { status: 'rejected', decidedAt: at, failInfo, ...(reason === undefined ? {} : { reason }) });
      },
      async markIssued(id, serial) {
        const row = pending.get(id);
        if (!row || row.status === 'issued') return false;
        pending.set(id, { ...row, status: 'issued', serial });
        return true;
      },
      async list(options = {}) {
        return [...pending.values()].filter((r) => options.status === undefined || r.status === options.status).map(copy);
      },
    },
    crls: {
      async reserve() {
        crlNumber++;
        return { crlNumber, revoked: revokedEntries() };
      },
      async store(crl) {
        crls.push(copy(crl));
      },
      async current() {
        const newest = crls.reduce<StoredCrl | undefined>((a, b) => (a === undefined || b.crlNumber > a.crlNumber ? b : a), undefined);
        return newest && copy(newest);
      },
    },
    rootCaUpdates: {
      async add(update) {
        updates.push({ ...copy(update), oldRootSha256: update.oldRootSha256.toLowerCase() });
      },
      async fromRoot(oldRootSha256) {
        const found = updates.filter((u) => u.oldRootSha256 === oldRootSha256.toLowerCase()).at(-1);
        return found && copy(found);
      },
      async latest() {
        const last = updates.at(-1);
        return last && copy(last);
      },
    },
  };
}
