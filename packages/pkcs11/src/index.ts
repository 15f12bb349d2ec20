/**
 * @packageDocumentation
 * `@cmpkit/pkcs11`: CA signing and CMP protection keys in an HSM. A key is named by an RFC 7512
 * PKCS#11 URI (`pkcs11:token=ca;object=issuing-ca;type=private`) and used through a WebCrypto
 * `Crypto` that signs with it on the token (node-webcrypto-p11 over graphene-pk11 and pkcs11js)
 * and runs everything else on another `Crypto`. The private key is never in process memory:
 * keys are found or generated as sensitive, non-extractable token objects. Node only (a native
 * module).
 *
 * @example
 * ```ts
 * import { openPkcs11 } from '@cmpkit/pkcs11';
 * import { createCertificateAuthority } from '@cmpkit/ca';
 *
 * const keys = openPkcs11({ module: '/usr/lib/softhsm/libsofthsm2.so', pin: process.env.HSM_PIN });
 * const privateKey = await keys.privateKey('pkcs11:token=ca;object=issuing-ca', { name: 'ECDSA', namedCurve: 'P-256' });
 * const ca = createCertificateAuthority({ certificate, privateKey, crypto: keys.crypto });
 * // ... issue, sign CRLs; then
 * keys.close();
 * ```
 */
export { openPkcs11 } from './open-pkcs11.js';
export type { Pkcs11Init, Pkcs11Keys, TokenKeyAlgorithm, TokenKeyProtection } from './open-pkcs11.js';
export { isPkcs11Uri, parsePkcs11Uri, redactPkcs11Uri } from './pkcs11-uri.js';
export type { Pkcs11Uri } from './pkcs11-uri.js';
export { Pkcs11Error } from './pkcs11-error.js';
