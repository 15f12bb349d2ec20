import type { CertTemplate } from '@cmpkit/codec';
import type { CertificationRequest, RevocationRequest } from './issuer.js';

/**
 * Who may ask for what (STYLE.md P9). The engine has already authenticated the requester and
 * checked POP; the authorizer applies policy. Refuse by throwing `RequestRejectedError` with
 * notAuthorized or badCertTemplate; return a template to amend the request (the response is then
 * grantedWithMods when the issued certificate differs).
 */
export interface Authorizer {
  authorizeCertification?(request: CertificationRequest): Promise<CertTemplate | void>;
  authorizeRevocation?(request: RevocationRequest): Promise<void>;
}
