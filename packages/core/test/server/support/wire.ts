// Hand-built requests and wire-level checks: the codec and `protect` build exactly the message a
// test wants (hostile or not); responses are decoded and checked as a peer would see them.
import {
  decodePKIMessage,
  encodePKIMessage,
  encodeProtectedPart,
  type DecodedPKIMessage,
  type FailInfoBit,
  type GeneralName,
  type InfoTypeAndValue,
  type PKIBody,
  type PKIHeader,
  type PKIMessage,
} from '@cmpkit/codec';
import { createServer, memorySecretStore, type CmpServer, type Logger, type ServerInit, type ServerPolicy } from '@cmpkit/core';
import {
  defaultAlgorithms,
  parseCertificate,
  protect,
  verifyProtection,
  type MacBounds,
  type ProtectionCredential,
  type ProtectionTrust,
} from '@cmpkit/protection';
import { expect } from 'vitest';
import type { TestPki } from './pki.js';
import type { TestIssuer } from './test-issuer.js';

export const SECRET = 'perf-test-secret';
export const REF = '3078';
export const MAC: ProtectionCredential = { secret: SECRET, senderKID: REF };
export const PBM: ProtectionCredential = { secret: SECRET, senderKID: REF, mac: { algorithm: 'PasswordBasedMac', iterationCount: 500 } };

export const NULL_DN: GeneralName = { type: 'directoryName', value: [] };

/** A deterministic byte pattern of `length` bytes starting at `seed` (transactionIDs, nonces). */
export function bytes(seed: number, length = 16): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed + i * 7) & 0xff);
}

let counter = 0;
/** A fresh 16-byte value: distinct per call, the same sequence in every run. */
export function fresh(): Uint8Array {
  counter += 1;
  const out = bytes(counter * 13, 16);
  out[0] = counter & 0xff;
  out[1] = (counter >> 8) & 0xff;
  out[15] = 0xa5;
  return out;
}

/** Records every log line, to assert what reaches the log and not the wire. */
export interface CapturingLogger extends Logger {
  lines: { level: string; message: string; data?: Record<string, unknown> }[];
  text(): string;
}

export function capturingLogger(): CapturingLogger {
  const lines: CapturingLogger['lines'] = [];
  const at = (level: string) => (message: string, data?: Record<string, unknown>) => {
    lines.push({ level, message, ...(data ? { data } : {}) });
  };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () => lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.data ?? {})}`).join('\n'),
  };
}

export interface ServerSetup {
  pki: TestPki;
  issuer: TestIssuer;
  policy?: ServerPolicy;
  logger?: Logger;
  crypto?: Crypto;
  protection?: Partial<ServerInit['protection']>;
  init?: Partial<ServerInit>;
}

/** The engine under test: MAC secret 3078, signer = the test CMP server, anchors = test root, external = manufacturer root. */
export function makeServer(setup: ServerSetup): CmpServer {
  const { pki } = setup;
  return createServer({
    name: pki.serverName,
    protection: {
      signer: pki.server.credential,
      secrets: memorySecretStore({ [REF]: SECRET, other: 'another secret' }),
      trustAnchors: [pki.root.certificate],
      externalAnchors: [pki.manufacturerRoot.certificate],
      ...setup.protection,
    },
    issuer: setup.issuer,
    clock: pki.clock,
    ...(setup.crypto ? { crypto: setup.crypto } : {}),
    ...(setup.logger ? { logger: setup.logger } : {}),
    ...(setup.policy ? { policy: setup.policy } : {}),
    ...setup.init,
  });
}

export interface RequestInit {
  body: PKIBody;
  protection?: ProtectionCredential | 'none';
  pvno?: number;
  sender?: GeneralName;
  transactionID?: Uint8Array | null;
  senderNonce?: Uint8Array | null;
  recipNonce?: Uint8Array;
  messageTime?: Date | null;
  generalInfo?: InfoTypeAndValue[];
  /** Bounds for building a MAC outside the default ones (hostile parameters). */
  macBounds?: Partial<MacBounds>;
  now: Date;
}

/** A request as a test wants it; the defaults are a well-formed, MAC-protected message. */
export async function buildRequest(init: RequestInit): Promise<{ message: PKIMessage; bytes: Uint8Array }> {
  const credential = init.protection ?? MAC;
  const sender: GeneralName =
    init.sender ??
    (credential !== 'none' && 'certificate' in credential
      ? { type: 'directoryName', value: parseCertificate(credential.certificate).subject }
      : NULL_DN);
  const header: PKIHeader = { pvno: init.pvno ?? 2, sender, recipient: NULL_DN };
  const messageTime = init.messageTime === undefined ? new Date(Math.floor(init.now.getTime() / 1000) * 1000) : init.messageTime;
  if (messageTime) header.messageTime = messageTime;
  const transactionID = init.transactionID === undefined ? fresh() : init.transactionID;
  if (transactionID) header.transactionID = transactionID;
  const senderNonce = init.senderNonce === undefined ? fresh() : init.senderNonce;
  if (senderNonce) header.senderNonce = senderNonce;
  if (init.recipNonce) header.recipNonce = init.recipNonce;
  if (init.generalInfo) header.generalInfo = init.generalInfo;
  let message: PKIMessage = { header, body: init.body };
  if (credential !== 'none') message = await protect(message, credential, init.macBounds ? { macBounds: init.macBounds } : {});
  return { message, bytes: encodePKIMessage(message) };
}

/**
 * A signature-protected message whose header is changed after `protect` (say, without senderKID),
 * signed again so that the signature itself verifies: the server must refuse it for the header.
 */
export async function resignWithHeader(
  message: PKIMessage,
  privateKey: CryptoKey,
  change: (header: PKIHeader) => PKIHeader,
): Promise<Uint8Array> {
  const header = change({ ...message.header });
  const algorithm = defaultAlgorithms.signature(header.protectionAlg!);
  const protection = await algorithm.sign(globalThis.crypto, privateKey, encodeProtectedPart({ header, body: message.body }));
  return encodePKIMessage({ ...message, header, protection });
}

/** Sends bytes to the engine and decodes the answer (which must always be DER). */
export async function exchangeRaw(server: CmpServer, request: Uint8Array): Promise<DecodedPKIMessage> {
  const answer = await server.handle(request, {});
  return decodePKIMessage(answer);
}

/** Builds, sends, decodes. */
export async function send(server: CmpServer, init: RequestInit): Promise<{ request: PKIMessage; response: DecodedPKIMessage }> {
  const { message, bytes: der } = await buildRequest(init);
  return { request: message, response: await exchangeRaw(server, der) };
}

/** Every response carries the request's transactionID and recipNonce = the request's senderNonce. */
export function expectBoundTo(response: DecodedPKIMessage, request: PKIMessage): void {
  expect(response.header.transactionID).toEqual(request.header.transactionID);
  expect(response.header.recipNonce).toEqual(request.header.senderNonce);
  expect(response.header.senderNonce?.length).toBeGreaterThanOrEqual(16);
}

/** The response is an error body: rejection with exactly these failInfo bits. */
export function expectErrorBody(response: DecodedPKIMessage, failInfo: readonly FailInfoBit[]): string {
  expect(response.body.type).toBe('error');
  if (response.body.type !== 'error') throw new Error('unreachable');
  const info = response.body.content.pKIStatusInfo;
  expect(info.status).toBe(2);
  expect([...(info.failInfo ?? [])].sort()).toEqual([...failInfo].sort());
  return (info.statusString ?? []).join('; ');
}

/** The response is an rp whose one status is rejection with exactly these failInfo bits; returns its text. */
export function expectRpRejection(response: DecodedPKIMessage, failInfo: readonly FailInfoBit[]): string {
  expect(response.body.type).toBe('rp');
  if (response.body.type !== 'rp') throw new Error('unreachable');
  const status = response.body.content.status;
  expect(status).toHaveLength(1);
  expect(status[0]!.status).toBe(2);
  expect([...(status[0]!.failInfo ?? [])].sort()).toEqual([...failInfo].sort());
  return (status[0]!.statusString ?? []).join('; ');
}

/** The response is an rp whose one status is accepted; returns its text. */
export function expectRpAccepted(response: DecodedPKIMessage): string {
  expect(response.body.type).toBe('rp');
  if (response.body.type !== 'rp') throw new Error('unreachable');
  expect(response.body.content.status).toHaveLength(1);
  expect(response.body.content.status[0]!.status).toBe(0);
  expect(response.body.content.status[0]!.failInfo).toBeUndefined();
  return (response.body.content.status[0]!.statusString ?? []).join('; ');
}

/** Verifies the response's protection as the client would (MAC with the shared secret, or the server signature). */
export async function verifyResponse(response: DecodedPKIMessage, pki: TestPki): Promise<'mac' | 'signature' | 'kemMac'> {
  expect(response.protection, 'the response is protected').toBeDefined();
  const secrets: Record<string, string> = { [REF]: SECRET, other: 'another secret' };
  const trust: ProtectionTrust = {
    mac: { secret: (kid) => (kid ? secrets[new TextDecoder().decode(kid)] : undefined) },
    signature: { anchors: [pki.root.certificate] },
  };
  const verified = await verifyProtection(response, trust, { at: pki.clock() });
  return verified.type;
}

/** A recorded exchange of the client with the engine. */
export interface Recorded {
  request: DecodedPKIMessage;
  response: DecodedPKIMessage;
}

/**
 * A loopback transport that records each exchange and checks that every response, success or
 * error, carries the request's transactionID and recipNonce = the request's senderNonce.
 */
export function recordingTransport(server: CmpServer): {
  transport: { send(request: Uint8Array): Promise<Uint8Array> };
  log: Recorded[];
  types(): string[];
} {
  const log: Recorded[] = [];
  return {
    log,
    types: () => log.map((r) => `${r.request.body.type}>${r.response.body.type}`),
    transport: {
      async send(request) {
        const answer = await server.handle(request.slice(), {});
        const entry = { request: decodePKIMessage(request), response: decodePKIMessage(answer) };
        expectBoundTo(entry.response, entry.request);
        log.push(entry);
        return answer.slice();
      },
    },
  };
}
