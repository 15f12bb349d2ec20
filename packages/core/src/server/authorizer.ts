import type { CertTemplate } from '@cmpkit/codec';
import type { CertificationRequest, RevocationRequest } from './issuer.js';
import type { Requester } from './requester.js';

/**
 * Who may ask for what (STYLE.md P9). The engine has already authenticated the requester and
 * checked POP; the authorizer applies policy. Refuse by throwing `RequestRejectedError` with
 * notAuthorized or badCertTemplate; return a (new) template to amend the request: the issuer gets
 * it instead, and the certificate is answered grantedWithMods (immediately issued ones; for
 * pending ones the issuer's poll result decides).
 */
export interface Authorizer {
  authorizeCertification?(request: CertificationRequest): Promise<CertTemplate | void>;
  authorizeRevocation?(request: RevocationRequest): Promise<void>;
  /**
   * Resolves true when `requester` is a registration authority whose nested messages, raVerified
   * POP, and kur/rr on behalf of end entities are accepted. Default (method absent): a signature
   * whose certificate has the extended key usage id-kp-cmcRA.
   */
  authorizeRegistrationAuthority?(requester: Requester): Promise<boolean>;
}
