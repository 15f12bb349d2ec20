/**
 * The registration authority settings (`"ra"` in the configuration file), used with
 * `role: "ra"` (`--role ra`): the server then passes device requests to an upstream CA.
 */
export interface RaConfig {
  /** The CA's CMP URL, e.g. `http://127.0.0.1:8080/.well-known/cmp` (`--upstream`). Required for role ra. */
  upstream: string | null;
  /**
   * How requests go upstream (RFC 9483 section 5.2): `forward` (unchanged), `nested` (wrapped
   * with the RA's signature), `reprotect` (the RA's signature, the device's POP kept; default) or
   * `raVerified` (the RA checks POP and vouches for it).
   */
  mode: 'forward' | 'nested' | 'reprotect' | 'raVerified';
  /** The RA's name, and the subject of the generated development RA certificate. */
  subject: string;
  /** Key algorithm of the generated development RA key. */
  keyAlgorithm: string;
  /** PEM: the RA certificate, then its chain. Relative to dataDir. */
  certificate: string;
  /** PEM PKCS#8 private key of the RA certificate. Relative to dataDir. */
  key: string;
  /** PEM: the CA's root certificate(s). Relative to dataDir. */
  trustAnchors: string;
  /** Batch nested requests (mode nested): at most maxSize per message, sent at the latest after maxDelayMs. */
  batching: { maxSize: number; maxDelayMs: number } | null;
  /**
   * Delayed delivery (modes reprotect, raVerified): answer waiting after waitMs without the CA's
   * answer. The jobs are kept in the RA's database; `leaseSeconds` (default 30) is how long after
   * its next expected step a dead RA process keeps a job from being taken up by the next one.
   */
  delayedDelivery: { waitMs: number; checkAfter: number; leaseSeconds?: number } | null;
}

export const RA_MODES = ['forward', 'nested', 'reprotect', 'raVerified'] as const;

/** The defaults of {@link RaConfig}. */
export const DEFAULT_RA_CONFIG: RaConfig = Object.freeze({
  upstream: null,
  mode: 'reprotect',
  subject: '/O=cmpkit demo/CN=cmpkit RA',
  keyAlgorithm: 'ec:P-256',
  certificate: 'ra.pem',
  key: 'ra.key.pem',
  trustAnchors: 'ca-root.pem',
  batching: null,
  delayedDelivery: { waitMs: 10_000, checkAfter: 2 },
}) as RaConfig;
