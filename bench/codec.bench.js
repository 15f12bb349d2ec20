// @cmpkit/codec: decode and encode throughput of real OpenSSL messages, against asn1js's generic
// BER parse of the same bytes (the JavaScript baseline) in the same run.
import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import { decodePKIMessage, encodePKIMessage } from '@cmpkit/codec';
import { compare, fmt } from './measure.js';

const vector = (name) => new Uint8Array(readFileSync(new URL(`../fixtures/der/openssl-3.0/${name}`, import.meta.url)));

export function run() {
  const lines = ['## @cmpkit/codec (ops/s, median of interleaved rounds)', ''];
  const rows = [];
  for (const [name, file] of [
    ['ir (624 B)', 'ir.der'],
    ['ip (1811 B, 3 certificates)', 'ip.der'],
  ]) {
    const der = vector(file);
    const decoded = decodePKIMessage(der);
    const r = compare({
      asn1js: () => {
        const result = asn1js.fromBER(der);
        if (result.offset === -1) throw new Error('asn1js failed');
      },
      decode: () => decodePKIMessage(der),
      encode: () => encodePKIMessage(decoded),
    });
    rows.push({ name, ...r, decodeRatio: r.decode / r.asn1js });
  }
  lines.push('| message | asn1js fromBER | decodePKIMessage | decode / asn1js | encodePKIMessage |');
  lines.push('| --- | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    lines.push(`| ${row.name} | ${fmt(row.asn1js)} | ${fmt(row.decode)} | ${row.decodeRatio.toFixed(1)}x | ${fmt(row.encode)} |`);
  }
  lines.push('', 'Targets: decode >= 25x asn1js; encode >= 100,000 messages/s on one core.');
  return lines.join('\n');
}
