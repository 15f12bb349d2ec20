import { decodePKIMessage, oids, pkiStatusName, type PKIBody, type PKIStatusInfo } from '@cmpkit/codec';
import { RemoteError } from '@cmpkit/core';
import { ProtectionError } from '@cmpkit/protection';

/** A failure put in the user's words: one line, and a second one that suggests what to do. */
export class ExplainedError extends Error {
  override name = 'ExplainedError';
  /** What to try, or undefined. */
  readonly hint: string | undefined;

  constructor(message: string, hint: string | undefined, cause: unknown) {
    super(message, { cause });
    this.hint = hint;
  }
}

/** What the command knows about the exchange that failed. */
export interface FailureContext {
  /** The server URL. */
  url: string;
  /** The last message the server answered with (DER), when any came. */
  lastResponse: Uint8Array | undefined;
  /** How our requests were protected: the MAC algorithm, or `signature`. */
  protection: 'PBMAC1' | 'PasswordBasedMac' | 'signature' | 'none';
  /** The senderKID of a MAC credential (`--ref`). */
  reference: string | undefined;
}

/** The refusal a response stands for: an error body, or a certificate/revocation response that only refuses. */
function refusalOf(body: PKIBody): PKIStatusInfo | undefined {
  switch (body.type) {
    case 'error':
      return body.content.pKIStatusInfo.status === 3 ? undefined : body.content.pKIStatusInfo;
    case 'ip':
    case 'cp':
    case 'kup':
      return body.content.response.find((r) => r.status.status === 2)?.status;
    case 'rp':
      return body.content.status.find((s) => s.status === 2);
    default:
      return undefined;
  }
}

function describeRefusal(info: PKIStatusInfo): string {
  const bits = info.failInfo?.length ? ` ${info.failInfo.join(',')}` : '';
  const text = info.statusString?.length ? ` "${info.statusString.join('; ')}"` : '';
  return `${pkiStatusName(info.status)}${bits}${text}`;
}

/** The chain of causes of an error, the error first. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && chain.length < 8; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

/**
 * A TLS client that got a plain-text answer: OpenSSL reports the first bytes of an HTTP answer as
 * a record with a wrong version number.
 */
function plainTextAnswer(error: unknown): boolean {
  return causes(error).some((e) => {
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : '';
    return code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(message);
  });
}

/**
 * Puts a failure in words where the library's message would puzzle a user:
 *
 * - `https://` (or `wss://`) to a port that speaks plain HTTP;
 * - a refusal whose protection does not verify: the server refused the request, and with a MAC
 *   that usually means the shared secret is not the server's;
 * - a refusal of a PBMAC1-protected request that is not PBMAC1-protected itself: servers such as
 *   OpenSSL up to 3.5 do not know PBMAC1 and need `--mac pbm`.
 *
 * Anything else comes back unchanged.
 */
export function explainFailure(error: unknown, context: FailureContext): unknown {
  const url = new URL(context.url);
  if ((url.protocol === 'https:' || url.protocol === 'wss:') && plainTextAnswer(error)) {
    const plain = url.protocol === 'https:' ? 'http://' : 'ws://';
    return new ExplainedError(
      `${url.host} answered in plain text, not TLS: it does not speak ${url.protocol.slice(0, -1)} on that port`,
      `use ${plain}${url.host}${url.pathname === '/' ? '' : url.pathname} (or the server's TLS port)`,
      error,
    );
  }
  if (!context.lastResponse || !(error instanceof ProtectionError || error instanceof RemoteError)) return error;
  let response;
  try {
    response = decodePKIMessage(context.lastResponse);
  } catch {
    return error;
  }
  const refusal = refusalOf(response.body);
  if (!refusal) return error;
  const responseAlg = response.header.protectionAlg?.algorithm;
  const macResponse = responseAlg === oids.id_PBMAC1 || responseAlg === oids.id_PasswordBasedMac;
  const pbmac1Hint =
    context.protection === 'PBMAC1' && responseAlg !== oids.id_PBMAC1
      ? 'the request was protected with PBMAC1, which servers such as OpenSSL up to 3.5 do not know: they need --mac pbm'
      : undefined;
  if (error instanceof RemoteError) return pbmac1Hint ? new ExplainedError(error.message, pbmac1Hint, error) : error;
  const secretHint =
    (context.protection === 'PBMAC1' || context.protection === 'PasswordBasedMac') && macResponse
      ? `the secret given for reference '${context.reference ?? ''}' is not the one the server has: check --secret and --ref`
      : undefined;
  return new ExplainedError(
    `the server refused the request: ${describeRefusal(refusal)} (unverified: ${ownReason(error)})`,
    pbmac1Hint ?? secretHint,
    error,
  );
}

/** Core appends the refusal's own text to a ProtectionError of a refusal; the explanation shows that text once. */
function ownReason(error: ProtectionError): string {
  const at = error.message.indexOf("; the server's answer, unverified: ");
  return at < 0 ? error.message : error.message.slice(0, at);
}
