import { type GeneralName, type Name } from '@cmpkit/codec';
import {
  createCertificateCache,
  parseCertificate,
  type CertificateCache,
  type ProtectionCredential,
  type ProtectionTrust,
  type VerifyProtectionOptions,
} from '@cmpkit/protection';
import { directoryName, NULL_DN } from '../message/general-names.js';
import { resolveRuntime, type Runtime } from '../runtime.js';
import type { ClientInit } from './client-init.js';

/** A client's settings with every default filled in. */
export interface ClientContext {
  readonly init: ClientInit;
  readonly runtime: Runtime;
  /** Replaced when an automatic renewal (revocationWarning) got a new certificate. */
  credential: ProtectionCredential | undefined;
  /** Extended with the new root when a verified ckuann arrives (only where signatures are trusted). */
  trust: ProtectionTrust;
  /** The anchors for certificates we get; a verified ckuann adds the new root. */
  readonly trustAnchors: Uint8Array[];
  readonly recipient: GeneralName;
  /** The sender name when configured or implied by a signature credential. */
  readonly sender: Name | undefined;
  readonly messageTimeTolerance: number;
  readonly pollTimeoutMs: number;
  /** Parsed certificates, imported keys and verified signatures, reused across exchanges. */
  readonly cache: CertificateCache;
  /** senderNonces (hex) of announcements already received, oldest first, to drop duplicates. */
  readonly announcementNonces: Set<string>;
  /** The renewal a revocationWarning started, while it runs. */
  renewal: Promise<unknown> | undefined;
}

/** How the client verifies what it receives at `at`: its crypto, cache, algorithms, MAC bounds and SHA-1 setting. */
export function verifyOptionsOf(ctx: ClientContext, at: Date): VerifyProtectionOptions {
  const { init } = ctx;
  return {
    crypto: ctx.runtime.crypto,
    cache: ctx.cache,
    at,
    ...(init.algorithms ? { algorithms: init.algorithms } : {}),
    ...(init.macBounds ? { macBounds: init.macBounds } : {}),
    ...(init.allowSha1 ? { allowSha1: true } : {}),
  };
}

/** The default trust: a MAC credential trusts its own secret. */
function defaultTrust(credential: ProtectionCredential | undefined): ProtectionTrust | undefined {
  if (credential && 'secret' in credential) return { mac: { secret: credential.secret } };
  return undefined;
}

export function resolveClientContext(init: ClientInit): ClientContext {
  const runtime = resolveRuntime(init);
  const trust = init.trust ?? defaultTrust(init.credential);
  if (!trust) {
    throw new TypeError('core: createClient needs `trust` to verify responses when the credential is not a shared secret');
  }
  let sender = init.sender;
  if (!sender && init.credential && 'certificate' in init.credential) {
    sender = parseCertificate(init.credential.certificate).subject;
  }
  if (!sender && init.kem) sender = parseCertificate(init.kem.certificate).subject;
  return {
    init,
    runtime,
    credential: init.credential,
    trust,
    recipient: init.recipient ? directoryName(init.recipient) : NULL_DN,
    sender,
    messageTimeTolerance: init.messageTimeTolerance ?? 600,
    pollTimeoutMs: (init.pollTimeout ?? 600) * 1000,
    cache: createCertificateCache(),
    trustAnchors: [...(init.trustAnchors ?? [])],
    announcementNonces: new Set(),
    renewal: undefined,
  };
}
