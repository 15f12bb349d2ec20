import type { FailInfo, PKIBodyType } from '@cmpkit/codec';

/** A newly issued certificate, offered to `onCertificate` before it is confirmed. */
export interface IssuedCertificate {
  /** DER of the new certificate. */
  certificate: Uint8Array;
  /** The verified path, new certificate first, when trust anchors were available. */
  path?: readonly Uint8Array[];
  /** caPubs of the response (DER). */
  caPubs: readonly Uint8Array[];
  /** extraCerts of the response (DER). */
  extraCerts: readonly Uint8Array[];
  /** The body type it came in: ip, cp or kup. */
  bodyType: PKIBodyType;
}

/** What the application says about a new certificate. */
export type CertificateDecision = { accept: true } | { accept: false; failInfo?: FailInfo; reason?: string };

/** The decision to accept. */
export const acceptCertificate: CertificateDecision = Object.freeze({ accept: true });

/** A decision to reject, sent to the CA in certConf with `failInfo` (default badCertTemplate). */
export function rejectCertificate(reason: string, failInfo: FailInfo = 'badCertTemplate'): CertificateDecision {
  return { accept: false, failInfo, reason };
}
