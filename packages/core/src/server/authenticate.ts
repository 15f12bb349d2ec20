import { decodeBase64, encodeBase64, isCmpError, oids, type DecodedPKIMessage } from '@cmpkit/codec';
import {
  parseCertificate,
  ProtectionError,
  type MacChoice,
  verifyProtection,
  type KemMacCredential,
  type MacCredential,
  type ProtectionTrust,
  type SignatureCredential,
  type VerifyProtectionOptions,
} from '@cmpkit/protection';
import { toHex } from '../message/bytes.js';
import {
  decapsulateRequestCiphertext,
  isKemCiphertextRequest,
  kemSecretOf,
  requestKemCiphertext,
  serverKemKeyId,
} from './kem-protection.js';
import type { TransactionRecord } from './stores.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { isAuthorizedRa } from './authorized-ra.js';
import type { Requester } from './requester.js';
import type { ServerContext } from './server-context.js';
import type { ExternalTrust, ServerProtection } from './server-init.js';

/** How the response to a request is protected. */
export type ResponseProtection =
  | { kind: 'mac'; credential: MacCredential }
  | { kind: 'signature'; credential: SignatureCredential }
  | { kind: 'kemMac'; credential: KemMacCredential }
  | { kind: 'none' };

/** An authenticated request. */
export interface Authenticated {
  requester: Requester;
  /** How the response will be protected. */
  response: ResponseProtection;
  /** The shared secret a MAC-protected request verified with (publicKeyMAC POP, PWRI use it too). */
  secret?: Uint8Array | string;
  /** KEM-based MAC state to keep in the transaction record (RFC 9810 section 5.1.3.4). */
  kem?: Pick<TransactionRecord, 'kemSecret' | 'kemCertificate' | 'kemResponses'>;
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
 * when it already is; a revival when it is on hold) says more than refusing the signer would.
 */
function revokesOnlyItself(request: DecodedPKIMessage, signer: Uint8Array): boolean {
  if (request.body.type !== 'rr') return false;
  const own = parseCertificate(signer).serialNumber;
  return request.body.content.every((d) => d.certDetails.serialNumber === own);
}

/**
 * The original messages an RA passes along in generalInfo origPKIMessage (RFC 9483 section
 * 5.2.3.2, RFC 9810 section 5.1.1.3): the server checks the protection of those it can, and an
 * original whose protection the server can check but that fails it is refused (badMessageCheck).
 * One protected with a secret only the RA knows, or by a signer the server does not trust, is
 * not held against the request: the RA vouches for it.
 */
async function checkOriginalMessages(
  ctx: ServerContext,
  request: DecodedPKIMessage,
  trust: ProtectionTrust,
  options: VerifyProtectionOptions,
): Promise<void> {
  for (const itav of request.header.generalInfo ?? []) {
    if (itav.type !== 'origPKIMessage') continue;
    for (const original of itav.infoValue ?? []) {
      if (!('raw' in original) || !original.protection || !original.header.protectionAlg) continue;
      const alg = original.header.protectionAlg.algorithm;
      const kid = original.header.senderKID;
      const mac = alg === oids.id_PasswordBasedMac || alg === oids.id_PBMAC1;
      if (mac && (!kid || (await ctx.init.protection.secrets?.get(kid)) === undefined)) continue;
      try {
        await verifyProtection(original as DecodedPKIMessage, trust, options);
      } catch (error) {
        if (isCmpError(error) && error.failInfo.includes('badMessageCheck')) {
          throw new ProtectionError('badMessageCheck', 'an original message in origPKIMessage fails its protection check', error);
        }
      }
    }
  }
}

/**
 * The bodies that continue a transaction: accepted under any external anchor, since the
 * transaction rules make sure only the certificate that opened a transaction continues it, and
 * answered under the transaction's KEM-based MAC when it has one.
 */
const FOLLOW_UP_BODIES: ReadonlySet<string> = new Set(['certConf', 'pollReq', 'popdecr', 'error']);

/** The external anchors a request of this body type may chain to (RFC 9483 section 4.1.1 and the configured request types). */
function externalAnchorsFor(p: ServerProtection, body: string): Uint8Array[] {
  const sets: ExternalTrust[] = [
    ...(p.externalAnchors?.length ? [{ anchors: p.externalAnchors, requests: ['ir' as const] }] : []),
    ...(p.externalTrust ?? []),
  ];
  const followUp = FOLLOW_UP_BODIES.has(body);
  return sets.filter((set) => followUp || (set.requests as readonly string[]).includes(body)).flatMap((set) => [...set.anchors]);
}

/**
 * Verifies a request's protection (RFC 9810 5.1.3): MAC with the secret of its senderKID
 * (an unknown reference fails like a wrong secret, after the same work), or a signature with a path to the
 * trust anchors — to the external anchors only for the request types they are configured for
 * (ir for `externalAnchors`) and the follow-ups of their transactions.
 * Unprotected requests pass only with acceptUnprotected.
 *
 * @throws ProtectionError badMessageCheck, wrongIntegrity, badAlg or signerNotTrusted.
 */
export async function authenticate(ctx: ServerContext, request: DecodedPKIMessage, now: Date): Promise<Authenticated> {
  const auth = await authenticateProtection(ctx, request, now);
  return withKemResponses(ctx, request, auth);
}

/**
 * KEM-based MAC responses (RFC 9810 Appendix E Figure 4): a request with a KemCiphertextInfo
 * for the server's KEM key starts them; the follow-ups of such a transaction keep them.
 */
async function withKemResponses(ctx: ServerContext, request: DecodedPKIMessage, auth: Authenticated): Promise<Authenticated> {
  if (!ctx.init.protection.kem) return auth;
  const senderKID = serverKemKeyId(ctx);
  const respond = (secret: Uint8Array): ResponseProtection => ({
    kind: 'kemMac',
    credential: { kemSharedSecret: secret, ...(senderKID ? { senderKID } : {}) },
  });
  const ciphertext = requestKemCiphertext(request);
  if (ciphertext) {
    const secret = await decapsulateRequestCiphertext(ctx, ciphertext);
    return { ...auth, response: respond(secret), kem: { ...auth.kem, kemSecret: encodeBase64(secret), kemResponses: true } };
  }
  if (!FOLLOW_UP_BODIES.has(request.body.type)) return auth;
  const record = await ctx.transactions.get(toHex(request.header.transactionID as Uint8Array));
  const secret = record?.kemResponses ? kemSecretOf(record) : undefined;
  return secret ? { ...auth, response: respond(secret) } : auth;
}

/**
 * The shared secret a KEM-MAC protected request is verified with: the one the server
 * encapsulated to the end entity's KEM certificate (Figure 3). A secret the end entity
 * encapsulated to the server (Figure 4) authenticates nobody, so it verifies no request.
 */
async function requesterKemRecord(ctx: ServerContext, request: DecodedPKIMessage): Promise<TransactionRecord | undefined> {
  const record = await ctx.transactions.get(toHex(request.header.transactionID as Uint8Array));
  return record?.kemCertificate && record.kemSecret ? record : undefined;
}

async function authenticateProtection(ctx: ServerContext, request: DecodedPKIMessage, now: Date): Promise<Authenticated> {
  const p = ctx.init.protection;
  if (!request.protection || !request.header.protectionAlg) {
    if (!ctx.policy.acceptUnprotected && !isKemCiphertextRequest(ctx, request)) {
      throw new ProtectionError('badMessageCheck', 'the request is not protected');
    }
    return { requester: { kind: 'unprotected', sender: request.header.sender }, response: signerResponse(ctx) };
  }
  if (request.header.protectionAlg.algorithm === oids.id_KemBasedMac && p.kemClients) {
    const record = await requesterKemRecord(ctx, request);
    const verified = await verifyProtection(
      request,
      { kem: { sharedSecret: () => kemSecretOf(record) } },
      { crypto: ctx.runtime.crypto, ...(p.algorithms ? { algorithms: p.algorithms } : {}) },
    );
    const certificate = decodeBase64(record!.kemCertificate!);
    return {
      requester: { kind: 'kem', sender: verified.sender, certificate, path: [certificate] },
      response: signerResponse(ctx),
      kem: { kemSecret: record!.kemSecret!, kemCertificate: record!.kemCertificate! },
    };
  }
  const secrets = p.secrets;
  const alg = request.header.protectionAlg.algorithm;
  if ((alg === oids.id_PasswordBasedMac || alg === oids.id_PBMAC1) && request.header.sender.type !== 'directoryName') {
    // RFC 9483 section 3.1: the sender names the originator as a directoryName (the NULL-DN at least).
    throw new ProtectionError('badMessageCheck', `a MAC-protected message needs a directoryName sender, not ${request.header.sender.type}`);
  }
  const trust: ProtectionTrust = {};
  // The secret is looked up once: verification, the answer's MAC and the handlers share it.
  let secret: Uint8Array | string | undefined;
  if (secrets) trust.mac = { secret: async (kid) => (secret = kid ? await secrets.get(kid) : undefined) };
  const external = externalAnchorsFor(p, request.body.type);
  const anchors = [...(p.trustAnchors ?? []), ...external];
  // RFC 9483 section 3.3: the signer sends its chain in extraCerts; the server's own intermediates
  // complete a path only when the policy allows it.
  const untrusted = ctx.policy.requireExtraCertsChain ? undefined : p.untrusted;
  if (anchors.length) trust.signature = { anchors, ...(untrusted ? { untrusted } : {}) };
  const options: VerifyProtectionOptions = {
    crypto: ctx.runtime.crypto,
    cache: ctx.cache,
    keyDeriver: ctx.keyDeriver,
    macKeyCache: ctx.macKeys,
    at: now,
    ...(p.algorithms ? { algorithms: p.algorithms } : {}),
    ...(p.macBounds ? { macBounds: p.macBounds } : {}),
  };
  const verified = await verifyProtection(request, trust, options);
  await checkOriginalMessages(ctx, request, trust, options);
  if (verified.type === 'mac') {
    const kid = verified.senderKID;
    const requester: Requester = { kind: 'mac', sender: verified.sender, ...(kid ? { senderKID: kid } : {}) };
    if (request.body.type === 'kur' && !(await isAuthorizedRa(ctx, requester))) {
      // RFC 9483 section 4.1.3: a kur is signed with the certificate to be updated.
      throw new ProtectionError('wrongIntegrity', 'a kur must be signed with the certificate it updates, not MAC-protected');
    }
    if (secret === undefined) return { requester, response: signerResponse(ctx) };
    if (p.macResponses === 'signature' || !kid) return { requester, response: signerResponse(ctx), secret };
    const mac = responseMac(ctx, request);
    return { requester, response: { kind: 'mac', credential: { secret, senderKID: kid, ...(mac ? { mac } : {}) } }, secret };
  }
  if (verified.type === 'kemMac') {
    throw new ProtectionError('wrongIntegrity', 'KEM-based MAC protection is not expected here');
  }
  if (!request.header.senderKID && ctx.cache.parse(verified.certificate).subjectKeyIdentifier) {
    // RFC 9483 section 3.1: senderKID MUST be the SubjectKeyIdentifier of the CMP protection certificate.
    throw new ProtectionError('badMessageCheck', "senderKID is missing; it must be the signer certificate's SubjectKeyIdentifier");
  }
  const anchor = verified.anchor;
  const isExternal = external.some((e) => e.length === anchor.length && e.every((b, i) => b === anchor[i]));
  if (!isExternal && !revokesOnlyItself(request, verified.certificate) && (await ctx.init.issuer.isRevoked?.(verified.certificate))) {
    throw new ProtocolError('certRevoked', 'the certificate that signed the request is revoked');
  }
  return {
    requester: { kind: 'signature', sender: verified.sender, certificate: verified.certificate, path: verified.path, external: isExternal },
    response: signerResponse(ctx),
  };
}
