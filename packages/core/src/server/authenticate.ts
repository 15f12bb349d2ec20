import { isCmpError, oids, type DecodedPKIMessage } from '@cmpkit/codec';
import {
  parseCertificate,
  ProtectionError,
  type MacChoice,
  verifyProtection,
  type MacCredential,
  type ProtectionTrust,
  type SignatureCredential,
} from '@cmpkit/protection';
import { ProtocolError } from '../errors/protocol-error.js';
import type { Requester } from './requester.js';
import type { ServerContext } from './server-context.js';

/** How the response to a request is protected. */
export type ResponseProtection =
  { kind: 'mac'; credential: MacCredential } | { kind: 'signature'; credential: SignatureCredential } | { kind: 'none' };

/** An authenticated request. */
export interface Authenticated {
  requester: Requester;
  /** How the response will be protected. */
  response: ResponseProtection;
  /** The shared secret a MAC-protected request verified with (publicKeyMAC POP, PWRI use it too). */
  secret?: Uint8Array | string;
}

function signerResponse(ctx: ServerContext): ResponseProtection {
  const signer = ctx.init.protection.signer;
  return signer ? { kind: 'signature', credential: signer } : { kind: 'none' };
}

/**
 * The MAC of responses to a MAC-protected request: the server's configured `protection.mac`, else
 * the request's own algorithm and parameters (RFC 9810 section 5.1.3.1: keep them constant in a
 * transaction). A peer that sent PasswordBasedMac, like OpenSSL 3.0, may know no PBMAC1.
 */
function responseMac(ctx: ServerContext, request: Pick<DecodedPKIMessage, 'header'>, followRequest = true): MacChoice | undefined {
  if (ctx.init.protection.mac) return ctx.init.protection.mac;
  const alg = request.header.protectionAlg;
  return followRequest && alg ? { protectionAlg: alg } : undefined;
}

/**
 * The protection the server would use for a response to `request` when it cannot authenticate it
 * (an error): for a MAC-protected request with a senderKID a MAC with that reference's shared
 * secret (a random one when the reference is unknown), else the signer. The MAC follows the
 * request's unless the request's MAC parameters were what failed (badAlg).
 */
export async function fallbackResponseProtection(
  ctx: ServerContext,
  request: Pick<DecodedPKIMessage, 'header'> | undefined,
  error?: unknown,
): Promise<ResponseProtection> {
  const kid = request?.header.senderKID;
  const alg = request?.header.protectionAlg?.algorithm;
  const isMac = alg === oids.id_PasswordBasedMac || alg === oids.id_PBMAC1;
  if (request && isMac && kid && ctx.init.protection.secrets && ctx.init.protection.macResponses !== 'signature') {
    // An unknown reference gets the same kind of answer as a known one (MAC-protected, with a
    // random secret): the protection of an error must not tell which references exist.
    const secret = (await ctx.init.protection.secrets.get(kid)) ?? ctx.decoySecret;
    const badAlg = isCmpError(error) && error.failInfo.includes('badAlg');
    const mac = responseMac(ctx, request, !badAlg);
    return { kind: 'mac', credential: { secret, senderKID: kid, ...(mac ? { mac } : {}) } };
  }
  return signerResponse(ctx);
}

/**
 * An rr whose every RevDetails names the signer's own certificate: its answer (rp, certRevoked
 * when it already is) says more than refusing the signer would.
 */
function revokesOnlyItself(request: DecodedPKIMessage, signer: Uint8Array): boolean {
  if (request.body.type !== 'rr') return false;
  const own = parseCertificate(signer).serialNumber;
  return request.body.content.every((d) => d.certDetails.serialNumber === own);
}

/**
 * The bodies a manufacturer certificate (external anchor) may protect: the ir, and the messages
 * that continue its transaction (certConf, pollReq, error). The transaction rules make sure only
 * the certificate that opened a transaction continues it.
 */
const EXTERNAL_ANCHOR_BODIES: ReadonlySet<string> = new Set(['ir', 'certConf', 'pollReq', 'error']);

/**
 * Verifies a request's protection (RFC 9810 5.1.3): MAC with the secret of its senderKID
 * (an unknown reference fails like a wrong secret, after the same work), or a signature with a path to the
 * trust anchors — to the external anchors only for an ir and the follow-ups of its transaction.
 * Unprotected requests pass only with acceptUnprotected.
 *
 * @throws ProtectionError badMessageCheck, wrongIntegrity, badAlg or signerNotTrusted.
 */
export async function authenticate(ctx: ServerContext, request: DecodedPKIMessage, now: Date): Promise<Authenticated> {
  const p = ctx.init.protection;
  if (!request.protection || !request.header.protectionAlg) {
    if (!ctx.policy.acceptUnprotected) throw new ProtectionError('badMessageCheck', 'the request is not protected');
    return { requester: { kind: 'unprotected', sender: request.header.sender }, response: signerResponse(ctx) };
  }
  const secrets = p.secrets;
  const trust: ProtectionTrust = {};
  // The secret is looked up once: verification, the answer's MAC and the handlers share it.
  let secret: Uint8Array | string | undefined;
  if (secrets) trust.mac = { secret: async (kid) => (secret = kid ? await secrets.get(kid) : undefined) };
  const external = EXTERNAL_ANCHOR_BODIES.has(request.body.type) ? (p.externalAnchors ?? []) : [];
  const anchors = [...(p.trustAnchors ?? []), ...external];
  if (anchors.length) trust.signature = { anchors, ...(p.untrusted ? { untrusted: p.untrusted } : {}) };
  const verified = await verifyProtection(request, trust, {
    crypto: ctx.runtime.crypto,
    cache: ctx.cache,
    keyDeriver: ctx.keyDeriver,
    macKeyCache: ctx.macKeys,
    at: now,
    ...(p.algorithms ? { algorithms: p.algorithms } : {}),
    ...(p.macBounds ? { macBounds: p.macBounds } : {}),
  });
  if (verified.type === 'mac') {
    const kid = verified.senderKID;
    const requester: Requester = { kind: 'mac', sender: verified.sender, ...(kid ? { senderKID: kid } : {}) };
    if (secret === undefined) return { requester, response: signerResponse(ctx) };
    if (p.macResponses === 'signature' || !kid) return { requester, response: signerResponse(ctx), secret };
    const mac = responseMac(ctx, request);
    return { requester, response: { kind: 'mac', credential: { secret, senderKID: kid, ...(mac ? { mac } : {}) } }, secret };
  }
  const anchor = verified.anchor;
  const isExternal = external.some((e) => e.length === anchor.length && e.every((b, i) => b === anchor[i]));
  if (!isExternal && !revokesOnlyItself(request, verified.certificate) && (await ctx.init.issuer.isRevoked?.(verified.certificate))) {
    throw new ProtocolError(['certRevoked', 'notAuthorized'], 'the certificate that signed the request is revoked');
  }
  return {
    requester: { kind: 'signature', sender: verified.sender, certificate: verified.certificate, path: verified.path, external: isExternal },
    response: signerResponse(ctx),
  };
}
