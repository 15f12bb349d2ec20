import type { FailInfo } from './fail-info.js';

const CMP_ERROR = Symbol.for('cmpkit.error.CmpError');

/** Construction input of {@link CmpError}. */
export interface CmpErrorInit {
  /** PKIFailureInfo bits that describe the failure on the wire. */
  failInfo?: readonly FailInfo[];
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The root of cmpkit's error hierarchy. Every error a cmpkit package throws on purpose is a
 * `CmpError` with a stable `code` (`CMP_ERR_*`) and the PKIFailureInfo bits a server would put on
 * the wire for it. `instanceof` works across duplicate copies of the package.
 */
export class CmpError extends Error {
  static override readonly name: string = 'CmpError';
  /** Stable machine-readable code, e.g. `CMP_ERR_DER`. */
  readonly code: string;
  /** PKIFailureInfo bit names; several may apply. */
  readonly failInfo: readonly FailInfo[];

  constructor(code: string, message: string, init: CmpErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'CmpError';
    this.code = code;
    this.failInfo = init.failInfo ?? [];
  }

  get [CMP_ERROR](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== CmpError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isCmpError(value);
  }
}

/** True for any {@link CmpError}, including one from another copy of this package. */
export function isCmpError(value: unknown): value is CmpError {
  return typeof value === 'object' && value !== null && (value as { [CMP_ERROR]?: unknown })[CMP_ERROR] === true;
}
