import type { AlgorithmIdentifier, DerValue } from '@cmpkit/codec';
import { oidName } from '@cmpkit/codec';
import { ProtectionError } from '../errors/protection-error.js';

/** True when the parameters are an ASN.1 NULL. */
export function isNullParameters(parameters: DerValue | undefined): boolean {
  const der = parameters?.der;
  return der !== undefined && der.length === 2 && der[0] === 0x05 && der[1] === 0x00;
}

/** Fresh NULL parameters (never a shared mutable constant). */
export function nullParameters(): DerValue {
  return { der: Uint8Array.of(0x05, 0x00) };
}

function name(identifier: AlgorithmIdentifier): string {
  return oidName(identifier.algorithm) ?? identifier.algorithm;
}

/** Refuses parameters other than absent (RFC 5758, RFC 8410 for ECDSA and EdDSA). */
export function requireAbsentParameters(identifier: AlgorithmIdentifier): void {
  if (identifier.parameters) {
    throw new ProtectionError('badAlg', `${name(identifier)} must have absent parameters`);
  }
}

/** Refuses parameters other than absent or NULL (RFC 4055, RFC 5754, RFC 8018 identifiers). */
export function requireAbsentOrNullParameters(identifier: AlgorithmIdentifier): void {
  if (identifier.parameters && !isNullParameters(identifier.parameters)) {
    throw new ProtectionError('badAlg', `${name(identifier)} must have absent or NULL parameters`);
  }
}

/** Runs a WebCrypto call, turning its failure into a ProtectionError with `failInfo`. */
export async function webCrypto<T>(
  failInfo: 'badAlg' | 'badMessageCheck' | 'badDataFormat',
  what: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof ProtectionError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new ProtectionError(failInfo, `${what}: ${detail}`, e);
  }
}
