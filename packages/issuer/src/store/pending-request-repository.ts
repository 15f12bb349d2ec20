/** Why a request waits: an operator's decision, or a profile's `issueDelay`. */
export type PendingKind = 'approval' | 'delay';

/** Where a waiting request stands. */
export type PendingStatus = 'pending' | 'approved' | 'rejected' | 'issued';

/** A certificate request that was answered `waiting` (RFC 9810 section 5.3.22: polling). */
export interface PendingRequest {
  /** The operator's handle (`pending approve 7`); as text it is the issuer's ticket. */
  id: number;
  kind: PendingKind;
  status: PendingStatus;
  transactionId: string;
  profile: string;
  /** The requested subject, OpenSSL form. */
  subject: string;
  /** Who asked, e.g. `mac:demo`. */
  requester: string;
  /** The request itself, serialised by the issuer (opaque here). */
  request: string;
  /** How often the requester has polled. */
  polls: number;
  createdAt: Date;
  /** For delayed issuance: not before this time. */
  readyAt?: Date;
  /** When an operator approved or rejected it. */
  decidedAt?: Date;
  /** The operator's reason for a rejection. */
  reason?: string;
  /** The PKIFailureInfo bit of a rejection. */
  failInfo?: string;
  /** The serial number of the certificate issued for it. */
  serial?: string;
}

/** What {@link PendingRequestRepository.create} takes. */
export type NewPendingRequest = Pick<
  PendingRequest,
  'kind' | 'transactionId' | 'profile' | 'subject' | 'requester' | 'request' | 'createdAt'
> & {
  readyAt?: Date;
};

/** Requests waiting for approval or for their delay, shared by the server and the `pending` command. */
export interface PendingRequestRepository {
  /** Stores a new request with status `pending`; returns its id. */
  create(request: NewPendingRequest): Promise<number>;
  get(id: number): Promise<PendingRequest | undefined>;
  /** Counts one poll; returns the new count (0 when the id is unknown). */
  countPoll(id: number): Promise<number>;
  /** `pending` → `approved`; false when it is unknown or no longer pending. */
  approve(id: number, at: Date): Promise<boolean>;
  /** `pending` → `rejected` with the reason and failInfo sent to the requester; false when not pending. */
  reject(id: number, at: Date, failInfo: string, reason?: string): Promise<boolean>;
  /**
   * Records the certificate issued for it (status `issued`); false when a certificate was
   * recorded already (another server instance issued for it at the same time).
   */
  markIssued(id: number, serial: string): Promise<boolean>;
  /** Requests, oldest first, optionally of one status. */
  list(options?: { status?: PendingStatus }): Promise<PendingRequest[]>;
}
