import type { Announcer, BroadcastResult } from '@cmpkit/core';
import type { ServerContext } from '../server/server-context.js';

/**
 * Announces the current CRL (crlann) to every known recipient, unless it was announced already
 * (by this or another process): the `crl` and `revoke` commands call it after signing, the
 * running server on each delivery tick for CRLs it signed itself (rr over CMP, the expiry sweep).
 * Resolves to how the broadcast went, or undefined when there was nothing new.
 */
export async function announceNewCrl(
  ctx: ServerContext,
  announcer: Announcer,
): Promise<{ crlNumber: bigint; deliveries: BroadcastResult } | undefined> {
  const current = await ctx.store.crls.current();
  if (!current || !(await ctx.store.announcements.claimCrl(current.crlNumber))) return undefined;
  return { crlNumber: current.crlNumber, deliveries: await announcer.broadcast({ type: 'crlann', crls: [current.der] }) };
}
