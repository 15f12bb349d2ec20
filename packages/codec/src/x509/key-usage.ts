/**
 * The named bits of KeyUsage, RFC 5280 section 4.2.1.3, in bit order (index = bit number;
 * bit 1 is also called contentCommitment):
 *
 * ```asn1
 * KeyUsage ::= BIT STRING {
 *      digitalSignature        (0),
 *      nonRepudiation          (1),
 *      keyEncipherment         (2),
 *      dataEncipherment        (3),
 *      keyAgreement            (4),
 *      keyCertSign             (5),
 *      cRLSign                 (6),
 *      encipherOnly            (7),
 *      decipherOnly            (8) }
 * ```
 */
export const KEY_USAGE_NAMES = Object.freeze([
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const);

/** One KeyUsage bit name. */
export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];
