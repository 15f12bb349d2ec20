// What the browser test runs in the page, bundled by esbuild from the public entry points of the
// packages (transport-ws through its `browser` export): decode, a MAC check, and enrollment over
// HTTP (fetch, cross-origin) and WebSocket (the browser's own WebSocket).
import { decodePKIMessage, parseName } from '@cmpkit/codec';
import { createClient, type Transport } from '@cmpkit/core';
import { ProtectionError, verifyProtection } from '@cmpkit/protection';
import { httpTransport } from '@cmpkit/transport-http';
import { wsTransport } from '@cmpkit/transport-ws';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const utf8 = (text: string) => new TextEncoder().encode(text);

/** What the test calls through `page.evaluate`; bytes travel as arrays of numbers. */
export interface PageApi {
  decode(der: number[]): { body: string; transactionID: string };
  verifyMac(der: number[], secret: string): Promise<{ algorithm: string } | { failInfo: readonly string[] }>;
  enroll(server: { kind: 'http' | 'ws'; url: string; reference: string; secret: string; subject: string }): Promise<number[]>;
}

async function enrollOver(transport: Transport, reference: string, secret: string, subject: string): Promise<number[]> {
  const client = createClient({ transport, credential: { secret: utf8(secret), senderKID: utf8(reference) } });
  const keyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const { certificate } = await client.enroll({ keyPair, subject: parseName(subject) });
  return Array.from(certificate);
}

const api: PageApi = {
  decode(der) {
    const message = decodePKIMessage(new Uint8Array(der));
    return { body: message.body.type, transactionID: hex(message.header.transactionID ?? new Uint8Array(0)) };
  },
  async verifyMac(der, secret) {
    try {
      const verified = await verifyProtection(decodePKIMessage(new Uint8Array(der)), { mac: { secret: utf8(secret) } });
      return { algorithm: verified.algorithm };
    } catch (error) {
      if (error instanceof ProtectionError) return { failInfo: error.failInfo };
      throw error;
    }
  },
  async enroll({ kind, url, reference, secret, subject }) {
    if (kind === 'http') return enrollOver(httpTransport({ url }), reference, secret, subject);
    const transport = wsTransport({ url });
    try {
      return await enrollOver(transport, reference, secret, subject);
    } finally {
      await transport.close();
    }
  },
};

(globalThis as { cmpkit?: PageApi }).cmpkit = api;
