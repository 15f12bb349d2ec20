import { decodeAlgorithmIdentifier } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import { hashOfOid, type HashName } from './algorithms.js';
import { cmsOids } from './cms-oids.js';
import { bytesOf, childrenOf, contentsOf, TAG, topLevel } from './der.js';

/**
 * The shared shape of RSAES-OAEP-params and RSASSA-PSS-params (RFC 8017 appendix A.2.1 and
 * A.2.3, EXPLICIT tags):
 *
 * ```asn1
 * RSAES-OAEP-params ::= SEQUENCE {
 *   hashAlgorithm      [0] HashAlgorithm     DEFAULT sha1,
 *   maskGenAlgorithm   [1] MaskGenAlgorithm  DEFAULT mgf1SHA1,
 *   pSourceAlgorithm   [2] PSourceAlgorithm  DEFAULT pSpecifiedEmpty }
 *
 * RSASSA-PSS-params ::= SEQUENCE {
 *   hashAlgorithm      [0] HashAlgorithm      DEFAULT sha1,
 *   maskGenAlgorithm   [1] MaskGenAlgorithm   DEFAULT mgf1SHA1,
 *   saltLength         [2] INTEGER            DEFAULT 20,
 *   trailerField       [3] TrailerField       DEFAULT trailerFieldBC }
 * ```
 *
 * WebCrypto ties the MGF1 hash to the message hash, so a different MGF1 hash is badAlg.
 */
export interface RsaParameters {
  hash: HashName;
  /** The `[2]` field's inner element, DER, when present. */
  field2?: Uint8Array;
  /** The `[3]` field's inner element, DER, when present. */
  field3?: Uint8Array;
}

export function readRsaParameters(der: Uint8Array | undefined, what: string): RsaParameters {
  let hash: HashName = 'SHA-1';
  let mgfHash: HashName = 'SHA-1';
  const result: Partial<RsaParameters> = {};
  if (der && !(der.length === 2 && der[0] === TAG.NULL)) {
    const { element, children } = topLevel(der, what);
    if (element.tag !== TAG.SEQUENCE) throw new ProtectionError('badDataFormat', `malformed ${what}`);
    for (const child of children) {
      const inner = childrenOf(der, child, what)[0];
      if (!inner) throw new ProtectionError('badDataFormat', `malformed ${what}`);
      const innerDer = bytesOf(der, inner);
      if (child.tag === 0xa0) hash = hashOfOid(decodeAlgorithmIdentifier(innerDer).algorithm, `${what} hash`);
      else if (child.tag === 0xa1) {
        const mgf = decodeAlgorithmIdentifier(innerDer);
        if (mgf.algorithm !== cmsOids.id_mgf1 || !mgf.parameters)
          throw new ProtectionError('badAlg', `${what}: mask generation must be MGF1`);
        mgfHash = hashOfOid(decodeAlgorithmIdentifier(mgf.parameters.der).algorithm, 'MGF1 hash');
      } else if (child.tag === 0xa2) result.field2 = innerDer;
      else if (child.tag === 0xa3) result.field3 = innerDer;
      else throw new ProtectionError('badDataFormat', `malformed ${what}`);
    }
  }
  if (mgfHash !== hash) throw new ProtectionError('badAlg', `${what}: an MGF1 hash other than the hash is not supported`);
  return { ...result, hash };
}

/** A small non-negative INTEGER element's value. */
export function smallIntegerValue(der: Uint8Array): number {
  const { element } = topLevel(der, 'INTEGER');
  const bytes = contentsOf(der, element);
  if (element.tag !== TAG.INTEGER || bytes.length > 4 || ((bytes[0] ?? 0) & 0x80) !== 0) {
    throw new ProtectionError('badDataFormat', 'malformed INTEGER parameter');
  }
  return bytes.reduce((n, b) => n * 256 + b, 0);
}
