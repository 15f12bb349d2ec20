import { encodeSubjectPublicKeyInfo, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import { verifyCertificatePath } from '@cmpkit/protection';
import { ProtocolError } from '../errors/protocol-error.js';
import { bytesEqual } from '../message/bytes.js';
import type { ClientContext } from './client-context.js';

/**
 * The trust anchors for what a response delivers (a new certificate, a KGA's certificate): the
 * configured `trustAnchors`, else the caPubs of a MAC-protected response (RFC 9483 section
 * 4.1.1: only a shared secret makes caPubs trustworthy), else none.
 */
export function anchorsFor(ctx: ClientContext, caPubs: readonly Uint8Array[], macProtected: boolean): readonly Uint8Array[] {
  if (ctx.trustAnchors.length) return ctx.trustAnchors;
  return macProtected ? caPubs : [];
}

/**
 * cmpkit's own checks of a new certificate: it carries the public key we asked for, and it has a
 * path to the trust anchors (see {@link anchorsFor}). Without anchors the path is not checked.
 *
 * @returns the verified path, new certificate first, or undefined when it was not checked.
 */
export async function checkNewCertificate(
  ctx: ClientContext,
  certificate: Uint8Array,
  requestedKey: SubjectPublicKeyInfo | undefined,
  caPubs: readonly Uint8Array[],
  extraCerts: readonly Uint8Array[],
  macProtected: boolean,
): Promise<readonly Uint8Array[] | undefined> {
  const parsed = ctx.cache.parse(certificate);
  if (requestedKey && requestedKey.subjectPublicKey.length > 0) {
    if (!bytesEqual(parsed.subjectPublicKeyInfoDer, encodeSubjectPublicKeyInfo(requestedKey))) {
      throw new ProtocolError('badCertTemplate', 'the new certificate does not carry the public key that was requested');
    }
  }
  const anchors = anchorsFor(ctx, caPubs, macProtected);
  if (anchors.length === 0) {
    ctx.runtime.logger.warn('cmp: no trust anchors: the new certificate path is not checked');
    return undefined;
  }
  const path = await verifyCertificatePath(certificate, {
    anchors,
    untrusted: [...extraCerts, ...caPubs, ...(ctx.init.untrusted ?? [])],
    at: ctx.runtime.clock(),
    crypto: ctx.runtime.crypto,
    cache: ctx.cache,
    ...(ctx.init.algorithms ? { algorithms: ctx.init.algorithms } : {}),
    ...(ctx.init.allowSha1 ? { allowSha1: true } : {}),
  });
  return path.certificates;
}
