// One engine under test with its issuer, and a way to send it hand-built requests whose every
// answer is checked to be bound to the request (transactionID, recipNonce) and protected: the
// shape the content specs use, on env.ts's engine.
import type { DecodedPKIMessage, PKIMessage } from '@cmpkit/codec';
import type { CmpServer, ServerPolicy } from '@cmpkit/core';
import { createEnv } from './env.js';
import type { TestPki } from './pki.js';
import type { TestIssuer, TestIssuerOptions } from './test-issuer.js';
import type { RequestInit, ServerSetup } from './wire.js';

/** A request and the decoded answer. */
export interface Exchange {
  request: PKIMessage;
  response: DecodedPKIMessage;
}

export interface WireEnv {
  issuer: TestIssuer;
  server: CmpServer;
  /** Sends a request (MAC-protected unless told otherwise) on the PKI clock's time; checks binding and protection. */
  ask(init: Omit<RequestInit, 'now'>): Promise<Exchange>;
}

export interface WireEnvOptions {
  policy?: ServerPolicy;
  issuer?: TestIssuerOptions;
  init?: ServerSetup['init'];
}

/** The engine on the test PKI; its requests are stamped with the PKI's clock. */
export function wireEnv(pki: TestPki, options: WireEnvOptions = {}): WireEnv {
  const { issuer, server, ask } = createEnv(pki, {
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.init ? { server: { init: options.init } } : {}),
  });
  return { issuer, server, ask };
}
