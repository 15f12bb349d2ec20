import { CmpError, isFailInfo, pkiStatusName, type FailInfo, type FailInfoBit, type PKIStatusInfo } from '@cmpkit/codec';

/** What the peer said when it refused: the PKIStatusInfo of an error body or a response. */
export interface RemoteErrorInit {
  status: number;
  failInfo?: readonly FailInfoBit[];
  statusString?: readonly string[];
  errorCode?: number;
  errorDetails?: readonly string[];
  /** The body type the refusal came in (`error`, `ip`, `rp`, ...). */
  bodyType: string;
}

/**
 * The peer refused: an `error` body, or a response whose PKIStatusInfo is rejection. Carries the
 * peer's status, failInfo names, text and error code, exactly as sent.
 */
export class RemoteError extends CmpError {
  static override readonly name: string = 'RemoteError';
  readonly status: number;
  readonly statusString: readonly string[];
  readonly errorCode: number | undefined;
  readonly errorDetails: readonly string[];
  readonly bodyType: string;
  /** Every failInfo bit the peer set, including ones this version does not name. */
  readonly failInfoBits: readonly FailInfoBit[];

  constructor(init: RemoteErrorInit) {
    const bits = init.failInfo ?? [];
    const text = [...(init.statusString ?? []), ...(init.errorDetails ?? [])].join('; ');
    super(
      'CMP_ERR_REMOTE',
      `peer answered ${init.bodyType} with status ${pkiStatusName(init.status)}` +
        (bits.length ? ` (${bits.join(', ')})` : '') +
        (text ? `: ${text}` : '') +
        (init.errorCode !== undefined ? ` [errorCode ${init.errorCode}]` : ''),
      { failInfo: bits.filter((b): b is FailInfo => isFailInfo(b)) },
    );
    this.name = 'RemoteError';
    this.status = init.status;
    this.statusString = init.statusString ?? [];
    this.errorCode = init.errorCode;
    this.errorDetails = init.errorDetails ?? [];
    this.bodyType = init.bodyType;
    this.failInfoBits = bits;
  }

  /** A RemoteError from a PKIStatusInfo found in a response of type `bodyType`. */
  static fromStatusInfo(info: PKIStatusInfo, bodyType: string, extra: Partial<RemoteErrorInit> = {}): RemoteError {
    return new RemoteError({
      status: info.status,
      ...(info.failInfo ? { failInfo: info.failInfo } : {}),
      ...(info.statusString ? { statusString: info.statusString } : {}),
      ...extra,
      bodyType,
    });
  }
}
