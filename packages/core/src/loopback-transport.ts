import type { CmpHandler, RequestContext, Transport } from './transport.js';

/**
 * A transport that hands each request straight to a server's handler in the same process: the
 * client and server engines talk without a network (tests, embedding, an RA in front of a local CA).
 * Requests and responses are copied so neither side can see the other's buffers change.
 */
export function loopbackTransport(handle: CmpHandler, context: RequestContext = {}): Transport {
  return {
    async send(request, options) {
      options?.signal?.throwIfAborted();
      const ctx: RequestContext = options?.signal ? { ...context, signal: options.signal } : context;
      const response = await handle(request.slice(), ctx);
      options?.signal?.throwIfAborted();
      return response.slice();
    },
  };
}
