import { type CmpHandler, type Transport, TransportError } from '@cmpkit/core';
import { transportCompliance, type TransportUnderTest } from '../src/index.js';

/**
 * A minimal in-memory transport with the behaviour the suite asks for: size limits both ways, the
 * abort reason unwrapped, a rejecting handler and dropped "connections" as TransportErrors. The
 * suite must pass on it.
 */
function memoryTransport(handler: CmpHandler, maxMessageBytes: number): TransportUnderTest {
  const inFlight = new Set<(error: unknown) => void>();
  const transport: Transport = {
    send(request, options) {
      const signal = options?.signal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (request.byteLength > maxMessageBytes) return Promise.reject(new TransportError('memory: request too large'));
      return new Promise((resolve, reject) => {
        const done = (): void => {
          inFlight.delete(fail);
          signal?.removeEventListener('abort', onAbort);
        };
        const fail = (error: unknown): void => {
          done();
          reject(error);
        };
        const onAbort = (): void => fail(signal?.reason);
        inFlight.add(fail);
        signal?.addEventListener('abort', onAbort, { once: true });
        handler(request.slice(), signal ? { signal } : {}).then(
          (answer) => {
            if (answer.byteLength > maxMessageBytes) return fail(new TransportError('memory: answer too large'));
            done();
            resolve(answer.slice());
          },
          () => fail(new TransportError('memory: the handler failed')),
        );
      });
    },
  };
  return {
    transport,
    dropConnections: () => [...inFlight].forEach((fail) => fail(new TransportError('memory: connection dropped'))),
    close: async () => {},
  };
}

transportCompliance('in-memory reference transport', async (handler, { maxMessageBytes }) => memoryTransport(handler, maxMessageBytes));
