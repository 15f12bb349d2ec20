import type { DecodedPKIMessage } from '@cmpkit/codec';
import { RequestRejectedError } from '../errors/request-rejected-error.js';
import { toHex } from '../message/bytes.js';
import { resolveRuntime } from '../runtime.js';
import { createServer, type CmpServer } from '../server/create-server.js';
import type { CertificationRequest } from '../server/issuer.js';
import { memoryNonceStore, memoryTransactionStore } from '../server/memory-stores.js';
import type { Requester } from '../server/requester.js';
import { isTransportError } from '../transport-error.js';
import { createNestedBatcher, type NestedBatcher } from './nested-batcher.js';
import type { RaMode, RegistrationAuthorityInit } from './registration-authority-init.js';
import { createUpstreamIssuer } from './upstream-issuer.js';

/**
 * Creates a registration authority (RFC 9483 section 5, STYLE.md P9): the server engine, which
 * authenticates end entities with the RA's own secrets and anchors, checks headers, replays and
 * POP and keeps the RA's transactions, composed with an upstream client towards the CA. A request
 * either passes through (`forward`, `nested`: relayed, the CA's answer goes back unchanged) or is
 * answered by the engine, whose issuer asks the CA with the RA's protection (`reprotect`,
 * `raVerified`, and rr/genm on the end entity's behalf). Follow-up messages (certConf, pollReq)
 * of a transaction the RA answered itself stay with the RA; those of relayed transactions are
 * relayed too.
 *
 * @example
 * ```ts
 * const upstream = createClient({ transport: httpTransport({ url: caUrl }), credential: raCredential, trust });
 * const ra = createRegistrationAuthority({ name: parseName('/CN=Plant RA'), protection: { signer: raCredential, secrets }, upstream });
 * http.createServer(toNodeListener(ra.handle)).listen(8080);
 * ```
 */
export function createRegistrationAuthority(init: RegistrationAuthorityInit): CmpServer {
  const runtime = resolveRuntime(init);
  const transactions = init.stores?.transactions ?? memoryTransactionStore(runtime.clock);
  const nonces = init.stores?.nonces ?? memoryNonceStore(runtime.clock);
  const mode = init.mode ?? 'reprotect';
  const chooseMode = (request: DecodedPKIMessage, requester: Requester): Promise<RaMode> =>
    Promise.resolve(typeof mode === 'function' ? mode(request, requester) : mode);
  const batcher: NestedBatcher | undefined = init.batching
    ? createNestedBatcher({ client: init.upstream, sleep: runtime.sleep, ...init.batching })
    : undefined;

  /** RA policy for a request that passes through: the template may be refused, not amended. */
  async function checkPassingThrough(request: DecodedPKIMessage, requester: Requester): Promise<void> {
    const authorize = init.authorizer?.authorizeCertification;
    const body = request.body;
    if (!authorize || (body.type !== 'ir' && body.type !== 'cr' && body.type !== 'kur' && body.type !== 'ccr')) return;
    for (const msg of body.content) {
      const template = msg.certReq.certTemplate;
      const publicKey = template.publicKey;
      const certification: CertificationRequest = {
        bodyType: body.type,
        certReqId: msg.certReq.certReqId,
        template,
        centralKeyGeneration: !publicKey || publicKey.subjectPublicKey.length === 0,
        requester,
        transactionId: toHex(request.header.transactionID ?? new Uint8Array(0)),
        received: request,
        ...(publicKey ? { publicKey } : {}),
      };
      const amended = await authorize.call(init.authorizer, certification);
      if (amended && amended !== template) {
        throw new RequestRejectedError('badCertTemplate', 'the RA would amend this template, which a forwarded request cannot carry');
      }
    }
  }

  async function passOn(request: DecodedPKIMessage, way: 'forward' | 'nested'): Promise<Uint8Array> {
    try {
      if (way === 'forward') return await init.upstream.forward(request.raw.message);
      const inner = batcher
        ? await batcher.submit(request)
        : (
            await init.upstream.sendNested([request], request.header.transactionID ? { transactionID: request.header.transactionID } : {})
          )[0];
      if (!inner) throw new RequestRejectedError('systemFailure', 'the CA answered the nested message without a response');
      return inner.raw.message;
    } catch (error) {
      if (isTransportError(error)) throw new RequestRejectedError('systemUnavail', 'the CA cannot be reached; try again later', error);
      throw error;
    }
  }

  const issuer = createUpstreamIssuer({
    client: init.upstream,
    runtime,
    raVerified: async (request) =>
      request.received !== undefined && (await chooseMode(request.received, request.requester)) === 'raVerified',
    ...(init.delayedDelivery ? { delayedDelivery: init.delayedDelivery } : {}),
  });

  return createServer({
    name: init.name,
    protection: init.protection,
    issuer,
    ...(init.authorizer ? { authorizer: init.authorizer } : {}),
    stores: { transactions, nonces },
    ...(init.policy ? { policy: init.policy } : {}),
    ...(init.keyDerivation ? { keyDerivation: init.keyDerivation } : {}),
    ...(init.onExchange ? { onExchange: init.onExchange } : {}),
    clock: runtime.clock,
    sleep: runtime.sleep,
    crypto: runtime.crypto,
    logger: runtime.logger,
    relay: async (request, requester) => {
      const transactionID = request.header.transactionID;
      // A follow-up of a transaction the RA answered itself (certConf, pollReq) stays here.
      if (transactionID && (await transactions.get(toHex(transactionID)))) return undefined;
      const way = await chooseMode(request, requester);
      if (way !== 'forward' && way !== 'nested') return undefined;
      await checkPassingThrough(request, requester);
      return passOn(request, way);
    },
  });
}
