import {
  decodePKIMessage,
  PKIStatus,
  pkiStatusName,
  type CertId,
  type DecodedPKIMessage,
  type Extensions,
  type RootCaKeyUpdateContent,
} from '@cmpkit/codec';
import {
  nameEqual,
  parseCertificate,
  ProtectionError,
  verifyCertificatePath,
  verifyProtection,
  type ProtectionTrust,
} from '@cmpkit/protection';
import { ProtocolError } from '../errors/protocol-error.js';
import { bytesEqual, toHex } from '../message/bytes.js';
import { verifyOptionsOf, type ClientContext } from './client-context.js';
import { enroll } from './enroll.js';
import type { EnrollResult } from './enroll-options.js';
import { verifyRootCaKeyUpdate, type RootCaUpdate } from './general-message.js';

/** Fields every announcement event has. */
interface AnnouncementEventBase {
  /** The verified message. */
  message: DecodedPKIMessage;
}

/**
 * A verified announcement (RFC 9810 sections 5.3.13 to 5.3.16), by body type:
 *
 * - `ckuann`: a root CA key update, checked against a trust anchor and already applied (the new
 *   root is a trust anchor of the client from now on);
 * - `cann`: a certificate for us, its path checked when the client has trust anchors;
 * - `rann`: a revocation (status `accepted`) or a warning of one (`revocationWarning`);
 *   `ownCertificate` says whether it names the certificate of the client's signature credential,
 *   and `renewal` is the kur that `autoRenew` started;
 * - `crlann`: CRLs (DER), as sent.
 */
export type AnnouncementEvent =
  | (AnnouncementEventBase & { type: 'ckuann'; update: RootCaUpdate })
  | (AnnouncementEventBase & { type: 'cann'; certificate: Uint8Array })
  | (AnnouncementEventBase & {
      type: 'rann';
      status: number;
      /** The status's name (`revocationWarning`, `accepted`, ...). */
      statusName: string;
      certId: CertId;
      willBeRevokedAt: Date;
      badSinceDate: Date;
      crlDetails?: Extensions;
      ownCertificate: boolean;
      renewal?: Promise<EnrollResult>;
    })
  | (AnnouncementEventBase & { type: 'crlann'; crls: Uint8Array[] });

const ANNOUNCEMENT_BODIES: ReadonlySet<string> = new Set(['ckuann', 'cann', 'rann', 'crlann']);
/** How many senderNonces are remembered to drop duplicates (delivery is at least once). */
const REMEMBERED_NONCES = 1024;

/** Every anchor the client trusts: the signature trust's and the certificate anchors. */
function allAnchors(ctx: ClientContext): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const anchor of [...(ctx.trust.signature?.anchors ?? []), ...ctx.trustAnchors]) {
    if (!out.some((a) => bytesEqual(a, anchor))) out.push(anchor);
  }
  return out;
}

/**
 * Announcements come unasked, so they are trusted only as signed by a certificate with a path to
 * the client's anchors (or MACed with the client's own secret).
 */
function announcementTrust(ctx: ClientContext): ProtectionTrust {
  const anchors = allAnchors(ctx);
  const trust: ProtectionTrust = {};
  if (ctx.trust.mac) trust.mac = ctx.trust.mac;
  if (anchors.length) {
    const untrusted = [...(ctx.trust.signature?.untrusted ?? []), ...(ctx.init.untrusted ?? [])];
    trust.signature = { anchors, ...(untrusted.length ? { untrusted } : {}) };
  }
  return trust;
}

function rootCaKeyUpdateOf(message: DecodedPKIMessage): RootCaKeyUpdateContent {
  if (message.body.type !== 'ckuann') throw new ProtocolError('badRequest', 'not a ckuann');
  // CAKeyUpdAnnContent (v2) has the same three certificates, all present.
  return message.body.content.value;
}

/** Tries the update against each anchor; the first the new root's link certificate verifies under wins. */
async function applyCaKeyUpdate(ctx: ClientContext, content: RootCaKeyUpdateContent): Promise<RootCaUpdate> {
  let failure: unknown;
  for (const oldRoot of allAnchors(ctx)) {
    try {
      const update = await verifyRootCaKeyUpdate(ctx, content, oldRoot);
      const newRoot = update.newWithNew;
      if (!ctx.trustAnchors.some((a) => bytesEqual(a, newRoot))) ctx.trustAnchors.push(newRoot);
      const signature = ctx.trust.signature;
      if (signature && !signature.anchors.some((a) => bytesEqual(a, newRoot))) {
        ctx.trust = { ...ctx.trust, signature: { ...signature, anchors: [...signature.anchors, newRoot] } };
      }
      ctx.runtime.logger.info('cmp: new root CA trusted (ckuann)');
      return update;
    } catch (error) {
      failure = error;
    }
  }
  throw new ProtectionError('signerNotTrusted', 'the CA key update does not verify under any trust anchor', failure);
}

/** True when `certId` names the certificate of the client's signature credential. */
function namesOwnCertificate(ctx: ClientContext, certId: CertId): boolean {
  const credential = ctx.credential;
  if (!credential || !('certificate' in credential)) return false;
  const own = parseCertificate(credential.certificate);
  return certId.serialNumber === own.serialNumber && certId.issuer.type === 'directoryName' && nameEqual(certId.issuer.value, own.issuer);
}

/** The kur of `autoRenew`; one at a time. Afterwards the client signs with the new certificate. */
function renew(ctx: ClientContext): Promise<EnrollResult> {
  if (ctx.renewal) return ctx.renewal as Promise<EnrollResult>;
  const options = ctx.init.autoRenew;
  const credential = ctx.credential;
  if (!options || !credential || !('certificate' in credential))
    return Promise.reject(new TypeError('core: autoRenew needs a signature credential'));
  const run = (async () => {
    const keyPair = await options.newKeyPair();
    const result = await enroll(ctx, { ...options.enroll, bodyType: 'kur', keyPair, oldCertificate: credential.certificate });
    ctx.credential = { ...credential, privateKey: keyPair.privateKey, certificate: result.certificate };
    ctx.runtime.logger.info('cmp: renewed after a revocation warning');
    return result;
  })();
  ctx.renewal = run;
  const done = (): void => {
    ctx.renewal = undefined;
  };
  run.then(done, (error: unknown) => {
    done();
    ctx.runtime.logger.error('cmp: automatic renewal failed', { error: String(error) });
  });
  return run;
}

/**
 * Verifies an announcement the CA pushed and acts on it (STYLE.md: believe nothing unverified):
 * the body must be ckuann, cann, rann or crlann; its protection must verify under the client's
 * anchors; its messageTime must be within `messageTimeTolerance`; a senderNonce seen before is a
 * duplicate. A ckuann is checked against a trust anchor and then trusted; a revocationWarning
 * for our own certificate starts `autoRenew`.
 *
 * @throws DerError, ProtectionError (badMessageCheck, signerNotTrusted, ...) or ProtocolError
 *   (badRequest: not an announcement; badTime; badSenderNonce: a duplicate).
 */
export async function receiveAnnouncement(ctx: ClientContext, der: Uint8Array): Promise<AnnouncementEvent> {
  const { runtime, init } = ctx;
  const message = decodePKIMessage(der, { maxBytes: init.maxResponseBytes ?? 1 << 20 });
  const type = message.body.type;
  if (!ANNOUNCEMENT_BODIES.has(type)) throw new ProtocolError('badRequest', `a ${type} message is not an announcement`);
  if (!message.protection) throw new ProtectionError('badMessageCheck', `the ${type} announcement is not protected`);
  const trust = announcementTrust(ctx);
  if (!trust.mac && !trust.signature)
    throw new ProtectionError('signerNotTrusted', 'the client has no trust anchors to verify announcements with');
  const now = runtime.clock();
  await verifyProtection(message, trust, verifyOptionsOf(ctx, now));
  const time = message.header.messageTime;
  if (time && Math.abs(time.getTime() - now.getTime()) > ctx.messageTimeTolerance * 1000) {
    throw new ProtocolError('badTime', `the ${type} announcement's messageTime is too far from our clock`);
  }
  const nonce = message.header.senderNonce ? toHex(message.header.senderNonce) : undefined;
  if (nonce !== undefined) {
    if (ctx.announcementNonces.has(nonce)) throw new ProtocolError('badSenderNonce', `the ${type} announcement was received before`);
    ctx.announcementNonces.add(nonce);
    if (ctx.announcementNonces.size > REMEMBERED_NONCES) {
      const oldest = ctx.announcementNonces.values().next().value;
      if (oldest !== undefined) ctx.announcementNonces.delete(oldest);
    }
  }

  const body = message.body;
  switch (body.type) {
    case 'ckuann':
      return { type: 'ckuann', message, update: await applyCaKeyUpdate(ctx, rootCaKeyUpdateOf(message)) };
    case 'cann': {
      const certificate = body.content.der;
      if (ctx.trustAnchors.length) {
        await verifyCertificatePath(certificate, {
          anchors: ctx.trustAnchors,
          untrusted: [...(message.extraCerts ?? []).map((c) => c.der), ...(init.untrusted ?? [])],
          at: now,
          crypto: runtime.crypto,
          ...(init.algorithms ? { algorithms: init.algorithms } : {}),
        });
      }
      return { type: 'cann', message, certificate };
    }
    case 'rann': {
      const content = body.content;
      const ownCertificate = namesOwnCertificate(ctx, content.certId);
      const event: AnnouncementEvent = {
        type: 'rann',
        message,
        status: content.status,
        statusName: pkiStatusName(content.status),
        certId: content.certId,
        willBeRevokedAt: content.willBeRevokedAt,
        badSinceDate: content.badSinceDate,
        ...(content.crlDetails ? { crlDetails: content.crlDetails } : {}),
        ownCertificate,
      };
      if (content.status === PKIStatus.revocationWarning && ownCertificate && init.autoRenew && now < content.willBeRevokedAt) {
        event.renewal = renew(ctx);
      }
      return event;
    }
    case 'crlann':
      return { type: 'crlann', message, crls: body.content.map((c) => c.der) };
    default:
      throw new ProtocolError('badRequest', `a ${type} message is not an announcement`);
  }
}
