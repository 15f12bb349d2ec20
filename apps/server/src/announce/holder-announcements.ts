import { certIdOf, recipientKeyOf, type Delivery, type RevocationAnnouncementStatus } from '@cmpkit/core';
import { parseCertificate } from '@cmpkit/protection';
import type { Logger } from '../log/logger.js';
import type { ServerContext } from '../server/server-context.js';
import { createServerAnnouncer } from './server-announcer.js';

/**
 * Sends a revocation announcement (rann, RFC 9810 section 5.3.15) about `certificate` to its
 * holder (the recipient named by its subject): `revocationWarning` asks for re-enrollment before
 * `at`, `accepted` tells that it was revoked at `at`.
 */
export async function announceRevocation(
  ctx: ServerContext,
  logger: Logger,
  certificate: Uint8Array,
  status: RevocationAnnouncementStatus,
  at: Date,
): Promise<Delivery> {
  const recipient = recipientKeyOf(parseCertificate(certificate).subject);
  return createServerAnnouncer(ctx, logger).announce(recipient, {
    type: 'rann',
    status,
    certId: certIdOf(certificate),
    willBeRevokedAt: at,
    badSinceDate: at,
  });
}
