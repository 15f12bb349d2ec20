/**
 * PKIFailureInfo, RFC 9810 section 5.2.3:
 *
 * ```asn1
 * PKIFailureInfo ::= BIT STRING {
 *     badAlg               (0),  badMessageCheck      (1),  badRequest           (2),
 *     badTime              (3),  badCertId            (4),  badDataFormat        (5),
 *     wrongAuthority       (6),  incorrectData        (7),  missingTimeStamp     (8),
 *     badPOP               (9),  certRevoked          (10), certConfirmed        (11),
 *     wrongIntegrity       (12), badRecipientNonce    (13), timeNotAvailable     (14),
 *     unacceptedPolicy     (15), unacceptedExtension  (16), addInfoNotAvailable  (17),
 *     badSenderNonce       (18), badCertTemplate      (19), signerNotTrusted     (20),
 *     transactionIdInUse   (21), unsupportedVersion   (22), notAuthorized        (23),
 *     systemUnavail        (24), systemFailure        (25), duplicateCertReq     (26) }
 * ```
 *
 * The array index is the bit number.
 */
export const FAIL_INFO_NAMES = [
  'badAlg',
  'badMessageCheck',
  'badRequest',
  'badTime',
  'badCertId',
  'badDataFormat',
  'wrongAuthority',
  'incorrectData',
  'missingTimeStamp',
  'badPOP',
  'certRevoked',
  'certConfirmed',
  'wrongIntegrity',
  'badRecipientNonce',
  'timeNotAvailable',
  'unacceptedPolicy',
  'unacceptedExtension',
  'addInfoNotAvailable',
  'badSenderNonce',
  'badCertTemplate',
  'signerNotTrusted',
  'transactionIdInUse',
  'unsupportedVersion',
  'notAuthorized',
  'systemUnavail',
  'systemFailure',
  'duplicateCertReq',
] as const;

/** One named bit of PKIFailureInfo. */
export type FailInfo = (typeof FAIL_INFO_NAMES)[number];

/** The bit number of each PKIFailureInfo name, e.g. `PKIFailureInfo.badPOP === 9`. */
export const PKIFailureInfo: { readonly [K in FailInfo]: number } = Object.freeze(
  Object.fromEntries(FAIL_INFO_NAMES.map((name, bit) => [name, bit])) as {
    [K in FailInfo]: number;
  },
);

/** True when `name` is one of the 27 PKIFailureInfo bit names. */
export function isFailInfo(name: string): name is FailInfo {
  return (FAIL_INFO_NAMES as readonly string[]).includes(name);
}
