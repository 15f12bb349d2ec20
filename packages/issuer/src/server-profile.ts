import type { CertificateProfile } from '@cmpkit/ca';
import type { Name } from '@cmpkit/codec';

/** A certificate profile as the server uses it: the CA's profile plus what only CMP needs. */
export interface ServerProfile {
  /** What the CA puts into certificates; also carries `requireApproval` and `issueDelay`. */
  profile: CertificateProfile;
  /** The fixed parts of the subject, offered in genm certReqTemplate (RFC 9810 section 5.3.19.16). */
  subjectTemplate?: Name;
}

/** The configured profiles by name, and which one a request without a profile gets. */
export interface ProfileCatalog {
  profiles: ReadonlyMap<string, ServerProfile>;
  defaultProfile: string;
  /** The profile a request without one gets when its key is ML-DSA or ML-KEM. Default: `defaultProfile`. */
  defaultPostQuantumProfile?: string;
}
