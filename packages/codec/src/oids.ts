/**
 * Object identifiers of CMP (RFC 9810 Appendix F), CRMF (RFC 4211), the CMP algorithms
 * (RFC 9481) and the X.509 and CMS pieces CMP carries, in dotted form. Names follow the ASN.1
 * modules with `-` written as `_`.
 */
export const oids = Object.freeze({
  // RFC 9810 protection algorithms
  id_PasswordBasedMac: '1.2.840.113533.7.66.13',
  id_KemBasedMac: '1.2.840.113533.7.66.16',
  id_DHBasedMac: '1.2.840.113533.7.66.30',

  // RFC 9810 InfoTypeAndValue types (id-it)
  id_it: '1.3.6.1.5.5.7.4',
  id_it_caProtEncCert: '1.3.6.1.5.5.7.4.1',
  id_it_signKeyPairTypes: '1.3.6.1.5.5.7.4.2',
  id_it_encKeyPairTypes: '1.3.6.1.5.5.7.4.3',
  id_it_preferredSymmAlg: '1.3.6.1.5.5.7.4.4',
  id_it_caKeyUpdateInfo: '1.3.6.1.5.5.7.4.5',
  id_it_currentCRL: '1.3.6.1.5.5.7.4.6',
  id_it_unsupportedOIDs: '1.3.6.1.5.5.7.4.7',
  id_it_keyPairParamReq: '1.3.6.1.5.5.7.4.10',
  id_it_keyPairParamRep: '1.3.6.1.5.5.7.4.11',
  id_it_revPassphrase: '1.3.6.1.5.5.7.4.12',
  id_it_implicitConfirm: '1.3.6.1.5.5.7.4.13',
  id_it_confirmWaitTime: '1.3.6.1.5.5.7.4.14',
  id_it_origPKIMessage: '1.3.6.1.5.5.7.4.15',
  id_it_suppLangTags: '1.3.6.1.5.5.7.4.16',
  id_it_caCerts: '1.3.6.1.5.5.7.4.17',
  id_it_rootCaKeyUpdate: '1.3.6.1.5.5.7.4.18',
  id_it_certReqTemplate: '1.3.6.1.5.5.7.4.19',
  id_it_rootCaCert: '1.3.6.1.5.5.7.4.20',
  id_it_certProfile: '1.3.6.1.5.5.7.4.21',
  id_it_crlStatusList: '1.3.6.1.5.5.7.4.22',
  id_it_crls: '1.3.6.1.5.5.7.4.23',
  id_it_kemCiphertextInfo: '1.3.6.1.5.5.7.4.24',

  // RFC 4211 registration controls and info
  id_pkip: '1.3.6.1.5.5.7.5',
  id_regCtrl: '1.3.6.1.5.5.7.5.1',
  id_regCtrl_regToken: '1.3.6.1.5.5.7.5.1.1',
  id_regCtrl_authenticator: '1.3.6.1.5.5.7.5.1.2',
  id_regCtrl_pkiPublicationInfo: '1.3.6.1.5.5.7.5.1.3',
  id_regCtrl_pkiArchiveOptions: '1.3.6.1.5.5.7.5.1.4',
  id_regCtrl_oldCertID: '1.3.6.1.5.5.7.5.1.5',
  id_regCtrl_protocolEncrKey: '1.3.6.1.5.5.7.5.1.6',
  id_regCtrl_algId: '1.3.6.1.5.5.7.5.1.11',
  id_regCtrl_rsaKeyLen: '1.3.6.1.5.5.7.5.1.12',
  id_regInfo: '1.3.6.1.5.5.7.5.2',
  id_regInfo_utf8Pairs: '1.3.6.1.5.5.7.5.2.1',
  id_regInfo_certReq: '1.3.6.1.5.5.7.5.2.2',
  id_ct_encKeyWithID: '1.2.840.113549.1.9.16.1.21',

  // Extended key usages for CMP (RFC 6402, RFC 9480)
  id_kp_serverAuth: '1.3.6.1.5.5.7.3.1',
  id_kp_clientAuth: '1.3.6.1.5.5.7.3.2',
  id_kp_codeSigning: '1.3.6.1.5.5.7.3.3',
  id_kp_emailProtection: '1.3.6.1.5.5.7.3.4',
  id_kp_OCSPSigning: '1.3.6.1.5.5.7.3.9',
  id_kp_cmcCA: '1.3.6.1.5.5.7.3.27',
  id_kp_cmcRA: '1.3.6.1.5.5.7.3.28',
  id_kp_cmKGA: '1.3.6.1.5.5.7.3.32',

  // PKCS #5 (RFC 8018)
  id_PBKDF2: '1.2.840.113549.1.5.12',
  id_PBES2: '1.2.840.113549.1.5.13',
  id_PBMAC1: '1.2.840.113549.1.5.14',

  // HMAC (RFC 8018, RFC 4231, RFC 2104 / RFC 3370)
  id_hmacWithSHA1: '1.2.840.113549.2.7',
  id_hmacWithSHA224: '1.2.840.113549.2.8',
  id_hmacWithSHA256: '1.2.840.113549.2.9',
  id_hmacWithSHA384: '1.2.840.113549.2.10',
  id_hmacWithSHA512: '1.2.840.113549.2.11',
  hMAC_SHA1: '1.3.6.1.5.5.8.1.2',
  id_KMACWithSHAKE128: '2.16.840.1.101.3.4.2.19',
  id_KMACWithSHAKE256: '2.16.840.1.101.3.4.2.20',

  // Hashes
  id_sha1: '1.3.14.3.2.26',
  id_sha224: '2.16.840.1.101.3.4.2.4',
  id_sha256: '2.16.840.1.101.3.4.2.1',
  id_sha384: '2.16.840.1.101.3.4.2.2',
  id_sha512: '2.16.840.1.101.3.4.2.3',
  id_sha3_256: '2.16.840.1.101.3.4.2.8',
  id_sha3_384: '2.16.840.1.101.3.4.2.9',
  id_sha3_512: '2.16.840.1.101.3.4.2.10',
  id_shake128: '2.16.840.1.101.3.4.2.11',
  id_shake256: '2.16.840.1.101.3.4.2.12',

  // RSA (RFC 8017)
  rsaEncryption: '1.2.840.113549.1.1.1',
  id_RSAES_OAEP: '1.2.840.113549.1.1.7',
  id_mgf1: '1.2.840.113549.1.1.8',
  id_RSASSA_PSS: '1.2.840.113549.1.1.10',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha224WithRSAEncryption: '1.2.840.113549.1.1.14',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',

  // Elliptic curves (RFC 5480, RFC 5758, RFC 8410)
  id_ecPublicKey: '1.2.840.10045.2.1',
  ecdsa_with_SHA1: '1.2.840.10045.4.1',
  ecdsa_with_SHA224: '1.2.840.10045.4.3.1',
  ecdsa_with_SHA256: '1.2.840.10045.4.3.2',
  ecdsa_with_SHA384: '1.2.840.10045.4.3.3',
  ecdsa_with_SHA512: '1.2.840.10045.4.3.4',
  secp256r1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
  id_X25519: '1.3.101.110',
  id_X448: '1.3.101.111',
  id_Ed25519: '1.3.101.112',
  id_Ed448: '1.3.101.113',
  dhSinglePass_stdDH_sha224kdf_scheme: '1.3.132.1.11.0',
  dhSinglePass_stdDH_sha256kdf_scheme: '1.3.132.1.11.1',
  dhSinglePass_stdDH_sha384kdf_scheme: '1.3.132.1.11.2',
  dhSinglePass_stdDH_sha512kdf_scheme: '1.3.132.1.11.3',

  // Post-quantum (FIPS 203, FIPS 204)
  id_ml_dsa_44: '2.16.840.1.101.3.4.3.17',
  id_ml_dsa_65: '2.16.840.1.101.3.4.3.18',
  id_ml_dsa_87: '2.16.840.1.101.3.4.3.19',
  id_alg_ml_kem_512: '2.16.840.1.101.3.4.4.1',
  id_alg_ml_kem_768: '2.16.840.1.101.3.4.4.2',
  id_alg_ml_kem_1024: '2.16.840.1.101.3.4.4.3',

  // AES (RFC 3565, RFC 3394, RFC 5084) and HKDF (RFC 8619)
  id_aes128_CBC: '2.16.840.1.101.3.4.1.2',
  id_aes192_CBC: '2.16.840.1.101.3.4.1.22',
  id_aes256_CBC: '2.16.840.1.101.3.4.1.42',
  id_aes128_wrap: '2.16.840.1.101.3.4.1.5',
  id_aes192_wrap: '2.16.840.1.101.3.4.1.25',
  id_aes256_wrap: '2.16.840.1.101.3.4.1.45',
  id_aes128_GCM: '2.16.840.1.101.3.4.1.6',
  id_aes192_GCM: '2.16.840.1.101.3.4.1.26',
  id_aes256_GCM: '2.16.840.1.101.3.4.1.46',
  id_alg_hkdf_with_sha256: '1.2.840.113549.1.9.16.3.28',
  id_alg_hkdf_with_sha384: '1.2.840.113549.1.9.16.3.29',
  id_alg_hkdf_with_sha512: '1.2.840.113549.1.9.16.3.30',

  // CMS (RFC 5652, RFC 5958)
  id_data: '1.2.840.113549.1.7.1',
  id_signedData: '1.2.840.113549.1.7.2',
  id_envelopedData: '1.2.840.113549.1.7.3',
  id_contentType: '1.2.840.113549.1.9.3',
  id_messageDigest: '1.2.840.113549.1.9.4',
  id_signingTime: '1.2.840.113549.1.9.5',
  id_ct_KP_aKeyPackage: '2.16.840.1.101.2.1.2.78.5',
  // RFC 9629: KEMRecipientInfo in an OtherRecipientInfo
  id_ori: '1.2.840.113549.1.9.16.13',
  id_ori_kem: '1.2.840.113549.1.9.16.13.3',

  // PKCS #9
  id_emailAddress: '1.2.840.113549.1.9.1',
  id_challengePassword: '1.2.840.113549.1.9.7',
  id_extensionRequest: '1.2.840.113549.1.9.14',

  // X.520 name attributes
  id_at_commonName: '2.5.4.3',
  id_at_surname: '2.5.4.4',
  id_at_serialNumber: '2.5.4.5',
  id_at_countryName: '2.5.4.6',
  id_at_localityName: '2.5.4.7',
  id_at_stateOrProvinceName: '2.5.4.8',
  id_at_streetAddress: '2.5.4.9',
  id_at_organizationName: '2.5.4.10',
  id_at_organizationalUnitName: '2.5.4.11',
  id_at_title: '2.5.4.12',
  id_at_givenName: '2.5.4.42',
  id_domainComponent: '0.9.2342.19200300.100.1.25',
  id_userId: '0.9.2342.19200300.100.1.1',

  // X.509 extensions (RFC 5280)
  id_ce_subjectKeyIdentifier: '2.5.29.14',
  id_ce_keyUsage: '2.5.29.15',
  id_ce_subjectAltName: '2.5.29.17',
  id_ce_issuerAltName: '2.5.29.18',
  id_ce_basicConstraints: '2.5.29.19',
  id_ce_cRLNumber: '2.5.29.20',
  id_ce_cRLReasons: '2.5.29.21',
  id_ce_invalidityDate: '2.5.29.24',
  id_ce_deltaCRLIndicator: '2.5.29.27',
  id_ce_issuingDistributionPoint: '2.5.29.28',
  id_ce_certificateIssuer: '2.5.29.29',
  id_ce_nameConstraints: '2.5.29.30',
  id_ce_cRLDistributionPoints: '2.5.29.31',
  id_ce_certificatePolicies: '2.5.29.32',
  id_ce_authorityKeyIdentifier: '2.5.29.35',
  id_ce_extKeyUsage: '2.5.29.37',
  id_pe_authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const);

/** The name of every OID in {@link oids}, by dotted value. Built once; read-only. */
const namesByOid: ReadonlyMap<string, string> = new Map(Object.entries(oids).map(([name, oid]) => [oid, name]));

/** The registered name of `oid` (`'id_PasswordBasedMac'`), or undefined when it has none. */
export function oidName(oid: string): string | undefined {
  return namesByOid.get(oid);
}
