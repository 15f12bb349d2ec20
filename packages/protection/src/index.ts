/**
 * @packageDocumentation
 * `@cmpkit/protection`: everything that makes a CMP message trustworthy.
 */
export { cryptoOf } from './crypto-options.js';
export type { CryptoOptions } from './crypto-options.js';
export { ProtectionError } from './errors/protection-error.js';
