/**
 * A delayed-delivery job of a registration authority (RFC 9483 section 5.1.5), as stored: the
 * upstream request the RA makes for an end entity that polls the RA meanwhile. `request`,
 * `progress` and `outcome` are JSON the RA writes and reads; the store keeps them as they are.
 */
export interface StoredRaJob {
  /** The ticket the end entity polls with (hex). */
  ticket: string;
  /** What the RA asks the CA (JSON). */
  request: string;
  /** Where the CA's transaction stands while it waits (JSON), once the CA answered waiting. */
  progress?: string;
  /** The result or failure (JSON), once the job ended. */
  outcome?: string;
  /** The process that runs the job now. */
  owner: string;
  /** Until when (ms since the epoch) the owner holds the job; afterwards another process may take it over. */
  leaseUntil: number;
  createdAt: number;
  /** When the job may be forgotten (ms since the epoch). */
  expiresAt: number;
}

/**
 * Where a registration authority keeps its delayed-delivery jobs, so that a restarted RA (or
 * another instance on the same database) answers the end entity's next poll instead of having
 * forgotten the request. Every method is one statement of the database; ownership is a lease,
 * so two processes never run one job at the same time while its owner is alive.
 */
export interface RaJobStore {
  /** Stores a new job. */
  create(job: StoredRaJob): Promise<void>;
  get(ticket: string): Promise<StoredRaJob | undefined>;
  /**
   * Records the progress of the owner's unsettled job and extends its lease; false when `owner`
   * no longer holds it (another process took it over) or it is gone.
   */
  progress(ticket: string, owner: string, progress: string, leaseUntil: number): Promise<boolean>;
  /**
   * Takes an unsettled job over for `owner` until `leaseUntil`, when its lease has ended at `now`
   * or `owner` holds it already; false otherwise.
   */
  claim(ticket: string, owner: string, leaseUntil: number, now: number): Promise<boolean>;
  /** Records the outcome of the owner's job; false when `owner` no longer holds it. */
  settle(ticket: string, owner: string, outcome: string): Promise<boolean>;
  /** Ends the leases `owner` holds (a graceful stop), so another process may take the jobs over at once. */
  release(owner: string): Promise<void>;
  delete(ticket: string): Promise<void>;
  /** Forgets the jobs whose expiresAt has passed at `now`; resolves to how many. */
  purge(now: number): Promise<number>;
}
