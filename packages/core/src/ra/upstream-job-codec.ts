import { decodeBase64, encodeBase64, isCmpError, type FailInfo } from '@cmpkit/codec';
import type { EnrollmentState, EnrollResult } from '../client/enroll-options.js';
import { RequestRejectedError } from '../errors/request-rejected-error.js';
import type { UpstreamRequest } from './upstream-request.js';

// The JSON a registration authority keeps with a delayed-delivery job (RaJobStore): bytes as base64.

const b64 = (bytes: Uint8Array | undefined): string | undefined => (bytes ? encodeBase64(bytes) : undefined);
const bytes = (text: string | undefined): Uint8Array | undefined => (text === undefined ? undefined : decodeBase64(text));

/** JSON of an upstream request. */
export function encodeUpstreamRequest(request: UpstreamRequest): string {
  return JSON.stringify({ ...request, received: b64(request.received), csr: b64(request.csr), amended: b64(request.amended) });
}

/** An upstream request from its JSON. */
export function decodeUpstreamRequest(text: string): UpstreamRequest {
  const json = JSON.parse(text) as Record<string, unknown> & { received?: string; csr?: string; amended?: string };
  const { received, csr, amended, ...rest } = json;
  const request = rest as unknown as UpstreamRequest;
  const parts = { received: bytes(received), csr: bytes(csr), amended: bytes(amended) };
  for (const [key, value] of Object.entries(parts)) if (value) Object.assign(request, { [key]: value });
  return request;
}

/** JSON of an enrollment state. */
export function encodeEnrollmentState(state: EnrollmentState): string {
  return JSON.stringify({
    ...state,
    transactionID: b64(state.transactionID),
    recipNonce: b64(state.recipNonce),
    requestedKey: b64(state.requestedKey),
    sender: b64(state.sender),
  });
}

/** An enrollment state from its JSON. */
export function decodeEnrollmentState(text: string): EnrollmentState {
  const json = JSON.parse(text) as Record<string, unknown> & {
    transactionID: string;
    recipNonce: string;
    requestedKey?: string;
    sender: string;
  };
  const { transactionID, recipNonce, requestedKey, sender, ...rest } = json;
  return {
    ...(rest as Omit<EnrollmentState, 'transactionID' | 'recipNonce' | 'requestedKey' | 'sender'>),
    transactionID: decodeBase64(transactionID),
    recipNonce: decodeBase64(recipNonce),
    sender: decodeBase64(sender),
    ...(requestedKey ? { requestedKey: decodeBase64(requestedKey) } : {}),
  };
}

/** How a job ended, as stored: the certificate, or the refusal the end entity gets. */
export type JobOutcome =
  | { issued: { certificate: Uint8Array; extraCerts: Uint8Array[]; caPubs: Uint8Array[]; status: number } }
  | { failed: { failInfo: FailInfo[]; message: string } };

/** The stored outcome of a finished upstream enrollment (`error`: what the end entity is told). */
export function outcomeOf(ending: { result: EnrollResult } | { error: unknown }): JobOutcome {
  if ('result' in ending) {
    const { certificate, extraCerts, caPubs, status } = ending.result;
    return { issued: { certificate, extraCerts: [...extraCerts], caPubs: [...caPubs], status } };
  }
  const error = ending.error;
  if (isCmpError(error))
    return { failed: { failInfo: error.failInfo.length ? [...error.failInfo] : ['systemFailure'], message: error.message } };
  return { failed: { failInfo: ['systemFailure'], message: "the CA's answer could not be used" } };
}

/** JSON of an outcome. */
export function encodeJobOutcome(outcome: JobOutcome): string {
  if ('failed' in outcome) return JSON.stringify(outcome);
  const { certificate, extraCerts, caPubs, status } = outcome.issued;
  return JSON.stringify({
    issued: { certificate: encodeBase64(certificate), extraCerts: extraCerts.map(encodeBase64), caPubs: caPubs.map(encodeBase64), status },
  });
}

/** The result, or the error to throw, of a stored outcome. */
export function decodeJobOutcome(
  text: string,
): { result: Pick<EnrollResult, 'certificate' | 'extraCerts' | 'caPubs' | 'status'> } | { error: RequestRejectedError } {
  const json = JSON.parse(text) as
    | { issued: { certificate: string; extraCerts: string[]; caPubs: string[]; status: number } }
    | { failed: { failInfo: FailInfo[]; message: string } };
  if ('failed' in json) return { error: new RequestRejectedError(json.failed.failInfo, json.failed.message) };
  const { certificate, extraCerts, caPubs, status } = json.issued;
  return {
    result: { certificate: decodeBase64(certificate), extraCerts: extraCerts.map(decodeBase64), caPubs: caPubs.map(decodeBase64), status },
  };
}
