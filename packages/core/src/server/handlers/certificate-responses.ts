import { isCmpError, oids, type CertResponse } from '@cmpkit/codec';
import { envelopePrivateKey, parseCertificate, type CmsRecipient } from '@cmpkit/protection';
import { RequestRejectedError } from '../../errors/request-rejected-error.js';
import type { HandlerInput } from '../handler-input.js';

/** A CertResponse refusing one request: a CmpError's bits and text, else systemFailure (logged). */
export function rejection(certReqId: number, error: unknown, input: HandlerInput): CertResponse {
  if (!isCmpError(error)) {
    input.ctx.runtime.logger.error('cmp: issuer failed', {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  return {
    certReqId,
    status: isCmpError(error)
      ? { status: 2, failInfo: error.failInfo.length ? [...error.failInfo] : ['badRequest'], statusString: [error.message] }
      : { status: 2, failInfo: ['systemFailure'], statusString: ['internal error'] },
  };
}

/**
 * The recipient of a centrally generated key (RFC 9483 section 4.1.6): the requester's shared
 * secret (also when responses are signed, `macResponses: 'signature'`), or the requester's
 * certificate, whose keyUsage, when present, must allow keyEncipherment (RSA, key transport) or
 * keyAgreement (EC, key agreement).
 *
 * @throws RequestRejectedError notAuthorized (no usable secret or certificate), badAlg (a
 *   certificate key that can neither transport nor agree a key).
 */
export async function keyRecipient(input: HandlerInput): Promise<CmsRecipient> {
  const { auth, ctx } = input;
  if (auth.response.kind === 'mac') {
    const secret = auth.response.credential.secret;
    return { type: 'pwri', password: secret };
  }
  if (auth.requester.kind === 'mac') {
    const kid = auth.requester.senderKID;
    const secret = kid ? await ctx.init.protection.secrets?.get(kid) : undefined;
    if (secret === undefined)
      throw new RequestRejectedError('notAuthorized', 'central key generation needs the shared secret of the requester');
    return { type: 'pwri', password: secret };
  }
  if (auth.requester.kind === 'signature') {
    const parsed = parseCertificate(auth.requester.certificate);
    const algorithm = parsed.subjectPublicKeyInfo.algorithm.algorithm;
    const technique =
      algorithm === oids.rsaEncryption
        ? ({ type: 'ktri', usage: 'keyEncipherment' } as const)
        : algorithm === oids.id_ecPublicKey
          ? ({ type: 'kari', usage: 'keyAgreement' } as const)
          : undefined;
    if (!technique) throw new RequestRejectedError('badAlg', 'central key generation needs an RSA or EC certificate to encrypt the key to');
    if (parsed.keyUsage && !parsed.keyUsage.includes(technique.usage)) {
      throw new RequestRejectedError(
        'notAuthorized',
        `central key generation: the requester's certificate lacks keyUsage ${technique.usage}, so the key cannot be delivered to it`,
      );
    }
    return { type: technique.type, certificate: auth.requester.certificate };
  }
  throw new RequestRejectedError('notAuthorized', 'central key generation needs an authenticated requester');
}

/**
 * Envelopes a centrally generated private key for the requester, signed by the server (RFC 9483
 * 4.1.6). When that fails the certificate cannot be delivered: the issuer is told it was rejected
 * (so it is revoked) before the error goes on.
 */
export async function envelopeIssued(input: HandlerInput, pkcs8: Uint8Array, certificate: Uint8Array): Promise<Uint8Array> {
  try {
    const signer = input.ctx.init.protection.signer;
    if (!signer) throw new RequestRejectedError('systemUnavail', 'central key generation is not available: the server has no signing key');
    const enveloped = await envelopePrivateKey(pkcs8, {
      crypto: input.ctx.runtime.crypto,
      recipient: await keyRecipient(input),
      signer: { privateKey: signer.privateKey, certificate: signer.certificate, ...(signer.chain ? { chain: signer.chain } : {}) },
    });
    return enveloped.value.der;
  } catch (error) {
    await input.ctx.init.issuer.confirm(certificate, false, 'the centrally generated key could not be delivered');
    throw error;
  }
}
