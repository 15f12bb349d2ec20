import { oids } from '@cmpkit/codec';
import { defineProfile, type CertificateProfile } from './certificate-profile.js';

/**
 * The built-in certificate profiles (all with the {@link defineProfile} defaults unless said):
 *
 * | name | validity | keyUsage | extKeyUsage | subjectAltName |
 * | --- | --- | --- | --- | --- |
 * | `tlsServer` | 397 days | digitalSignature, keyEncipherment (RSA only) | serverAuth | dNSName, iPAddress |
 * | `tlsClient` | 365 days | digitalSignature | clientAuth | dNSName, iPAddress, rfc822Name, URI |
 * | `device` | 730 days | digitalSignature | clientAuth, serverAuth | dNSName, iPAddress, URI |
 * | `ra` | 365 days | digitalSignature | id-kp-cmcRA | none |
 * | `kga` | 365 days | digitalSignature | id-kp-cmKGA | none |
 * | `subordinateCa` | 1825 days | digitalSignature, keyCertSign, cRLSign | none | none; basicConstraints cA, pathLenConstraint 0 |
 * | `pqDevice` | 730 days | digitalSignature (ML-DSA keys) or keyEncipherment (ML-KEM keys) | clientAuth, serverAuth | dNSName, iPAddress, URI |
 *
 * `device` is for machines enrolling with the Lightweight CMP Profile (RFC 9483): 5G network
 * functions and industrial devices that act as TLS client and server. `ra` certifies a
 * registration authority's CMP protection key (RFC 9810 section 4.1.4, RFC 6402), `kga` a key
 * generation authority's (RFC 9810 section 5.1.1.1 / 4.1.6). `pqDevice` takes only post-quantum
 * keys: ML-DSA-44/65/87 (RFC 9881) and ML-KEM-512/768/1024, whose certificates carry only
 * keyEncipherment (the key type narrows the profile's keyUsage).
 */
export const profiles: {
  readonly tlsServer: CertificateProfile;
  readonly tlsClient: CertificateProfile;
  readonly device: CertificateProfile;
  readonly ra: CertificateProfile;
  readonly kga: CertificateProfile;
  readonly subordinateCa: CertificateProfile;
  readonly pqDevice: CertificateProfile;
} = Object.freeze({
  tlsServer: defineProfile({
    name: 'tlsServer',
    validityDays: 397,
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extendedKeyUsage: [oids.id_kp_serverAuth],
    subjectAltNameTypes: ['dNSName', 'iPAddress'],
  }),
  tlsClient: defineProfile({
    name: 'tlsClient',
    validityDays: 365,
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: [oids.id_kp_clientAuth],
    subjectAltNameTypes: ['dNSName', 'iPAddress', 'rfc822Name', 'uniformResourceIdentifier'],
  }),
  device: defineProfile({
    name: 'device',
    validityDays: 730,
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: [oids.id_kp_clientAuth, oids.id_kp_serverAuth],
    subjectAltNameTypes: ['dNSName', 'iPAddress', 'uniformResourceIdentifier'],
  }),
  ra: defineProfile({
    name: 'ra',
    validityDays: 365,
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: [oids.id_kp_cmcRA],
    allowSubjectAltName: false,
  }),
  kga: defineProfile({
    name: 'kga',
    validityDays: 365,
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: [oids.id_kp_cmKGA],
    allowSubjectAltName: false,
  }),
  subordinateCa: defineProfile({
    name: 'subordinateCa',
    validityDays: 1825,
    keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
    basicConstraints: { cA: true, pathLenConstraint: 0 },
    allowSubjectAltName: false,
  }),
  pqDevice: defineProfile({
    name: 'pqDevice',
    validityDays: 730,
    keyAlgorithms: ['ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87', 'ml-kem-512', 'ml-kem-768', 'ml-kem-1024'],
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extendedKeyUsage: [oids.id_kp_clientAuth, oids.id_kp_serverAuth],
    subjectAltNameTypes: ['dNSName', 'iPAddress', 'uniformResourceIdentifier'],
  }),
});
