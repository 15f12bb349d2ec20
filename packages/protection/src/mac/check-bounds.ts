import { ProtectionError } from '../errors/protection-error.js';
import type { MacBounds } from './mac-bounds.js';

export function checkSalt(what: string, length: number, bounds: MacBounds): void {
  if (length < bounds.minSaltLength || length > bounds.maxSaltLength) {
    throw new ProtectionError('badAlg', `${what}: salt of ${length} bytes is outside ${bounds.minSaltLength}..${bounds.maxSaltLength}`);
  }
}

export function checkIterations(what: string, count: number, bounds: MacBounds): void {
  if (count < bounds.minIterations || count > bounds.maxIterations) {
    throw new ProtectionError('badAlg', `${what}: iterationCount ${count} is outside ${bounds.minIterations}..${bounds.maxIterations}`);
  }
}

export function checkKeyLength(what: string, length: number, bounds: MacBounds): void {
  if (length < bounds.minKeyLength || length > bounds.maxKeyLength) {
    throw new ProtectionError('badAlg', `${what}: keyLength ${length} is outside ${bounds.minKeyLength}..${bounds.maxKeyLength}`);
  }
}
