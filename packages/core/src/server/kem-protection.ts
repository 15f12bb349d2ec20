import { decodeBase64, encodeBase64, isCmpError, type DecodedPKIMessage, type KemCiphertextInfo } from '@cmpkit/codec';
import {
  decapsulate,
  encapsulate,
  nameEqual as namesMatch,
  parseCertificate,
  ProtectionError,
  subjectKeyIdentifierOf,
  verifyCertificatePath,
} from '@cmpkit/protection';
import { ProtocolError } from '../errors/protocol-error.js';
import { toHex } from '../message/bytes.js';
import type { ServerContext } from './server-context.js';
import type { TransactionRecord } from './stores.js';

// KEM-based MAC protection in the server engine (RFC 9810 section 5.1.3.4 and Appendix E), both ways:
// - the server owns an ML-KEM key (Figure 4): a request carries a KemCiphertextInfo in generalInfo,
//   the server decapsulates and protects its responses in that transaction with the derived key;
// - the end entity owns an ML-KEM certificate (Figure 3): an unprotected genm asks for a
//   ciphertext, the server encapsulates to the validated certificate and answers in genp; the next
//   requests of that transaction are KEM-MAC protected by the end entity.
// The shared secret lives in the transaction record only, so it dies with the transaction.

/** The KemCiphertextInfo a request carries in generalInfo, if any (Figure 4). */
export function requestKemCiphertext(request: Pick<DecodedPKIMessage, 'header'>): KemCiphertextInfo | undefined {
  for (const itav of request.header.generalInfo ?? []) {
    if (itav.type === 'kemCiphertextInfo' && itav.infoValue) return itav.infoValue;
  }
  return undefined;
}

/** True for the unprotected genm of Figure 3: exactly one KemCiphertextInfo without value, and a certificate. */
export function isKemCiphertextRequest(ctx: ServerContext, request: DecodedPKIMessage): boolean {
  if (!ctx.init.protection.kemClients || request.body.type !== 'genm') return false;
  const items = request.body.content;
  return items.length === 1 && items[0]?.type === 'kemCiphertextInfo' && !items[0].infoValue && (request.extraCerts?.length ?? 0) > 0;
}

async function digestHex(crypto: Crypto, bytes: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.slice())));
}

/**
 * Figure 4: decapsulates the ciphertext of a request with the server's ML-KEM key. A ciphertext
 * seen before (in any transaction) is refused: its shared secret is for one operation only.
 *
 * @throws ProtocolError badMessageCheck on a replayed or undecapsulable ciphertext.
 */
export async function decapsulateRequestCiphertext(ctx: ServerContext, info: KemCiphertextInfo): Promise<Uint8Array> {
  const kem = ctx.init.protection.kem;
  if (!kem) throw new ProtocolError('badAlg', 'the request carries a KEM ciphertext but this server has no KEM key');
  const crypto = ctx.runtime.crypto;
  const fresh = await ctx.nonces.remember(`kemct:${await digestHex(crypto, info.ct)}`, ctx.policy.transactionTtl);
  if (!fresh) throw new ProtocolError('badMessageCheck', 'the KEM ciphertext was used before (replay)');
  try {
    return await decapsulate(info, kem.privateKey, { crypto });
  } catch (error) {
    if (isCmpError(error)) throw new ProtocolError('badMessageCheck', error.message, error);
    throw error;
  }
}

/** The senderKID of KEM-MAC protected responses: the SubjectKeyIdentifier of the server's KEM certificate. */
export function serverKemKeyId(ctx: ServerContext): Uint8Array | undefined {
  const certificate = ctx.init.protection.kem?.certificate;
  return certificate ? subjectKeyIdentifierOf(certificate) : undefined;
}

/**
 * Figure 3: validates the end entity's ML-KEM certificate (first extraCerts entry) against the
 * trust anchors, with keyUsage keyEncipherment and the request's sender as subject, and
 * encapsulates a fresh shared secret to it.
 *
 * @throws ProtectionError signerNotTrusted for a certificate without a valid path, badAlg for a non-KEM key.
 */
export async function encapsulateToRequester(
  ctx: ServerContext,
  request: DecodedPKIMessage,
  now: Date,
): Promise<{ kemCiphertextInfo: KemCiphertextInfo; record: Pick<TransactionRecord, 'kemSecret' | 'kemCertificate'> }> {
  const p = ctx.init.protection;
  const certificate = request.extraCerts![0]!.der;
  const untrusted = [...(request.extraCerts ?? []).slice(1).map((c) => c.der), ...(p.untrusted ?? [])];
  const path = await verifyCertificatePath(certificate, {
    anchors: p.trustAnchors ?? [],
    untrusted,
    requiredKeyUsage: ['keyEncipherment'],
    crypto: ctx.runtime.crypto,
    cache: ctx.cache,
    at: now,
  });
  const sender = request.header.sender;
  const subject = parseCertificate(path.certificates[0] ?? certificate).subject;
  if (sender.type !== 'directoryName' || !namesMatch(sender.value, subject)) {
    throw new ProtectionError('signerNotTrusted', "header.sender is not the KEM certificate's subject");
  }
  const { kemCiphertextInfo, sharedSecret } = await encapsulate(certificate, { crypto: ctx.runtime.crypto });
  return { kemCiphertextInfo, record: { kemSecret: encodeBase64(sharedSecret), kemCertificate: encodeBase64(certificate) } };
}

/** The shared secret a transaction holds, for verifying KEM-MAC requests and protecting responses. */
export function kemSecretOf(record: TransactionRecord | undefined): Uint8Array | undefined {
  return record?.kemSecret ? decodeBase64(record.kemSecret) : undefined;
}
