import type { AlgorithmIdentifier } from '@cmpkit/codec';
import { oidName } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';
import type { AlgorithmProvider, DigestAlgorithm, MacAlgorithm, SignatureAlgorithm, SignatureKeyOptions } from './types.js';

/**
 * An immutable lookup from AlgorithmIdentifiers (and signing keys) to algorithms, built from an
 * ordered list of providers. Every lookup that finds nothing throws a ProtectionError with
 * failInfo badAlg.
 */
export interface AlgorithmRegistry {
  /** The providers, in the order they are asked. */
  readonly providers: readonly AlgorithmProvider[];
  /** The digest algorithm of `identifier` (an OWF, a certHash hashAlg). */
  digest(identifier: AlgorithmIdentifier): DigestAlgorithm;
  /** The HMAC algorithm of `identifier`. */
  mac(identifier: AlgorithmIdentifier): MacAlgorithm;
  /** The signature algorithm of `identifier`. */
  signature(identifier: AlgorithmIdentifier): SignatureAlgorithm;
  /** The signature algorithm to sign with `key`. */
  signatureForKey(key: CryptoKey, options?: SignatureKeyOptions): SignatureAlgorithm;
}

function describe(identifier: AlgorithmIdentifier): string {
  const name = oidName(identifier.algorithm);
  return name ? `${name} (${identifier.algorithm})` : identifier.algorithm;
}

/**
 * Builds a registry from providers, asked in order; the first non-null answer wins.
 *
 * @example
 * ```ts
 * const algorithms = createAlgorithmRegistry([...defaultAlgorithmProviders, myProvider]);
 * await verifyProtection(message, trust, { algorithms });
 * ```
 */
export function createAlgorithmRegistry(providers: readonly AlgorithmProvider[]): AlgorithmRegistry {
  const list = Object.freeze([...providers]);
  function find<T>(ask: (p: AlgorithmProvider) => T | null | undefined): T | undefined {
    for (const provider of list) {
      const found = ask(provider);
      if (found) return found;
    }
    return undefined;
  }
  return Object.freeze({
    providers: list,
    digest(identifier: AlgorithmIdentifier): DigestAlgorithm {
      const found = find((p) => p.digest?.(identifier));
      if (!found) throw new ProtectionError('badAlg', `unsupported digest algorithm ${describe(identifier)}`);
      return found;
    },
    mac(identifier: AlgorithmIdentifier): MacAlgorithm {
      const found = find((p) => p.mac?.(identifier));
      if (!found) throw new ProtectionError('badAlg', `unsupported MAC algorithm ${describe(identifier)}`);
      return found;
    },
    signature(identifier: AlgorithmIdentifier): SignatureAlgorithm {
      const found = find((p) => p.signature?.(identifier));
      if (!found) throw new ProtectionError('badAlg', `unsupported signature algorithm ${describe(identifier)}`);
      return found;
    },
    signatureForKey(key: CryptoKey, options: SignatureKeyOptions = {}): SignatureAlgorithm {
      const found = find((p) => p.signatureForKey?.(key, options));
      if (!found) throw new ProtectionError('badAlg', `no signature algorithm for a ${key.algorithm.name} key`);
      return found;
    },
  });
}
