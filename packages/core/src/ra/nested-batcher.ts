import type { DecodedPKIMessage } from '@cmpkit/codec';
import type { CmpClient } from '../client/create-client.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { toHex } from '../message/bytes.js';
import type { Sleep } from '../runtime.js';

/** Construction input of {@link createNestedBatcher}. */
export interface NestedBatcherInit {
  /** The upstream client; its credential protects every nested message. */
  client: CmpClient;
  /** Send when this many messages are waiting. Default 10. */
  maxBatchSize?: number;
  /** Send at the latest this long after the first message of a batch arrived, ms. Default 50. */
  maxDelayMs?: number;
  /** Waits for maxDelayMs. */
  sleep: Sleep;
}

/** Collects messages of different end entities into nested messages (RFC 9483 section 5.2.2.2). */
export interface NestedBatcher {
  /** Adds a message to the next batch; resolves to its inner response from the nested answer. */
  submit(message: DecodedPKIMessage): Promise<DecodedPKIMessage>;
  /** Sends what is waiting now. */
  flush(): Promise<void>;
}

interface Waiting {
  message: DecodedPKIMessage;
  resolve(response: DecodedPKIMessage): void;
  reject(error: unknown): void;
}

/**
 * Creates a batcher: messages wait until `maxBatchSize` of them are there or `maxDelayMs` has
 * passed since the first, then go upstream as one nested message with a fresh transactionID.
 * Each inner response goes back to the request whose transactionID it carries.
 */
export function createNestedBatcher(init: NestedBatcherInit): NestedBatcher {
  const maxBatchSize = init.maxBatchSize ?? 10;
  const maxDelayMs = init.maxDelayMs ?? 50;
  if (!(maxBatchSize >= 1)) throw new RangeError('core: maxBatchSize must be at least 1');
  let queue: Waiting[] = [];
  let timer: AbortController | undefined;

  async function send(batch: Waiting[]): Promise<void> {
    try {
      const responses = await init.client.sendNested(batch.map((w) => w.message));
      const byTransaction = new Map<string, DecodedPKIMessage>();
      for (const response of responses) {
        if (response.header.transactionID) byTransaction.set(toHex(response.header.transactionID), response);
      }
      for (const w of batch) {
        const response = w.message.header.transactionID ? byTransaction.get(toHex(w.message.header.transactionID)) : undefined;
        if (response) w.resolve(response);
        else w.reject(new ProtocolError('badRequest', 'the nested answer holds no response for this transaction'));
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  function flush(): Promise<void> {
    timer?.abort();
    timer = undefined;
    const batch = queue;
    queue = [];
    return batch.length ? send(batch) : Promise.resolve();
  }

  return {
    submit(message) {
      return new Promise<DecodedPKIMessage>((resolve, reject) => {
        queue.push({ message, resolve, reject });
        if (queue.length >= maxBatchSize) {
          void flush();
        } else if (!timer) {
          const controller = new AbortController();
          timer = controller;
          init.sleep(maxDelayMs, controller.signal).then(
            () => {
              if (timer === controller) void flush();
            },
            () => {},
          );
        }
      });
    },
    flush,
  };
}
