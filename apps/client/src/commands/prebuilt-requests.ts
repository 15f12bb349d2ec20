import { decodePKIMessage, pkiStatusName } from '@cmpkit/codec';
import type { CmpClient, EnrollOptions, Transport } from '@cmpkit/core';

/** Thrown by the capturing transport once it holds a request: nothing is sent. */
class Captured extends Error {
  constructor(readonly request: Uint8Array) {
    super('captured');
  }
}

/** A transport that sends nothing: it keeps the request and ends the exchange. */
export const capturingTransport: Transport = {
  send: (request) => Promise.reject(new Captured(request)),
};

/**
 * The first message of an enrollment as `client` builds and protects it (header, template, POP,
 * MAC or signature), without sending it. `client` must be made with {@link capturingTransport}.
 */
export async function prebuildEnrollment(client: CmpClient, options: EnrollOptions): Promise<Uint8Array> {
  try {
    await client.enroll(options);
  } catch (error) {
    if (error instanceof Captured) return error.request;
    throw error;
  }
  throw new Error('bench: the enrollment finished without sending a request');
}

/** How the answer to a pre-built ir with implicitConfirm went. */
export interface PrebuiltOutcome {
  /** implicitConfirm was granted (the transaction is complete). */
  implicitConfirm: boolean;
}

/**
 * Checks the answer to a pre-built ir: an ip whose one response is accepted (or granted with
 * modifications) with a certificate. Neither protection nor certificate is verified: the
 * pre-built mode measures the server, and the normal mode checks the whole exchange.
 *
 * @throws Error naming what was answered instead.
 */
export function checkPrebuiltAnswer(der: Uint8Array): PrebuiltOutcome {
  const message = decodePKIMessage(der);
  const body = message.body;
  if (body.type === 'error') {
    const info = body.content.pKIStatusInfo;
    const bits = info.failInfo?.length ? ` ${info.failInfo.join(',')}` : '';
    throw new Error(`error ${pkiStatusName(info.status)}${bits}: ${info.statusString?.join(' ') ?? ''}`.trim());
  }
  if (body.type !== 'ip') throw new Error(`expected ip, got ${body.type}`);
  const [response] = body.content.response;
  const status = response?.status.status;
  if (response === undefined || (status !== 0 && status !== 1) || !response.certifiedKeyPair) {
    throw new Error(`ip ${status === undefined ? 'without a response' : pkiStatusName(status)}`);
  }
  return { implicitConfirm: message.header.generalInfo?.some((i) => i.type === 'implicitConfirm') ?? false };
}
