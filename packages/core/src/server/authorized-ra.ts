import { oids } from '@cmpkit/codec';
import type { Requester } from './requester.js';
import type { ServerContext } from './server-context.js';

/**
 * Whether the requester is a registration authority the server trusts to act for end entities
 * (nested messages, raVerified POP, kur and rr on their behalf): the authorizer's
 * `authorizeRegistrationAuthority` when given, else a signature whose certificate has the extended
 * key usage id-kp-cmcRA (RFC 9483 section 5, RFC 6402 section 2.10). A shared secret never makes
 * an RA by default: it does not say who holds it.
 */
export async function isAuthorizedRa(ctx: ServerContext, requester: Requester): Promise<boolean> {
  const decide = ctx.init.authorizer?.authorizeRegistrationAuthority;
  if (decide) return decide.call(ctx.init.authorizer, requester);
  if (requester.kind !== 'signature') return false;
  return ctx.cache.parse(requester.certificate).extKeyUsage?.includes(oids.id_kp_cmcRA) ?? false;
}
