// libcoap's client (Debian libcoap3-bin: coap-client-notls) against createCoapServer: block-wise
// POST with each block under a new Token (as libcoap sends them), Block2 answers, TCP, and the
// refusals of RFC 9482. Skipped with a printed reason when the binary is missing (.ci/run installs it).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoapServer, type CoapServer } from '../../src/index.js';
import { coapClientBinary, runCoapClient } from '../support/libcoap.js';

const binary = coapClientBinary();
if (binary === undefined)
  console.warn('transport-coap interop: coap-client-notls not found (apt-get install libcoap3-bin); libcoap tests skipped');

describe.skipIf(binary === undefined)('libcoap coap-client-notls against createCoapServer', () => {
  let server: CoapServer;
  let udp: number;
  let tcp: number;
  const seen: number[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'cmpkit-libcoap-'));
  const request = new Uint8Array(3000).map((_, i) => (i * 7 + 3) & 0xff);
  writeFileSync(join(dir, 'request.der'), request);

  beforeAll(async () => {
    server = createCoapServer({
      maxMessageBytes: 8000,
      handle: async (body) => {
        seen.push(body.byteLength);
        const answer = new Uint8Array(body.byteLength * 2);
        answer.set(body, 0);
        answer.set(body, body.byteLength);
        return answer;
      },
    });
    udp = (await server.listenUdp(0, '127.0.0.1')).port;
    tcp = (await server.listenTcp(0, '127.0.0.1')).port;
  });
  afterAll(() => server.close());

  const expectDoubled = (file: string): void => {
    const answer = new Uint8Array(readFileSync(file));
    expect(answer.byteLength).toBe(6000);
    expect(answer.subarray(0, 3000)).toEqual(request);
    expect(answer.subarray(3000)).toEqual(request);
  };

  it.each([64, 1024])('POSTs 3000 octets over UDP in blocks of %i and reads the 6000-octet answer block by block', async (size) => {
    seen.length = 0;
    const out = join(dir, `answer-${size}.der`);
    const result = await runCoapClient(binary!, [
      '-m',
      'post',
      '-b',
      String(size),
      '-t',
      '259',
      '-f',
      join(dir, 'request.der'),
      '-o',
      out,
      `coap://127.0.0.1:${udp}/.well-known/cmp`,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expectDoubled(out);
    expect(seen).toEqual([3000]);
  });

  it('POSTs over TCP (RFC 8323)', async () => {
    const out = join(dir, 'answer-tcp.der');
    const result = await runCoapClient(binary!, [
      '-m',
      'post',
      '-t',
      '259',
      '-f',
      join(dir, 'request.der'),
      '-o',
      out,
      `coap+tcp://127.0.0.1:${tcp}/.well-known/cmp/p/device`,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expectDoubled(out);
  });

  it('is refused 4.15 for another Content-Format and 4.05 for GET', async () => {
    const wrongFormat = await runCoapClient(binary!, ['-m', 'post', '-t', '42', '-e', 'x', `coap://127.0.0.1:${udp}/.well-known/cmp`]);
    expect(wrongFormat.stdout + wrongFormat.stderr).toContain('4.15');
    const get = await runCoapClient(binary!, ['-m', 'get', `coap://127.0.0.1:${udp}/.well-known/cmp`]);
    expect(get.stdout + get.stderr).toContain('4.05');
  });

  it('is refused 4.13 for a body above maxMessageBytes', async () => {
    writeFileSync(join(dir, 'large.der'), new Uint8Array(9000));
    const result = await runCoapClient(binary!, [
      '-m',
      'post',
      '-b',
      '1024',
      '-t',
      '259',
      '-f',
      join(dir, 'large.der'),
      `coap://127.0.0.1:${udp}/.well-known/cmp`,
    ]);
    expect(result.stdout + result.stderr).toContain('4.13');
  });

  it('finds the CMP resource by discovery (rt="ace.cmp")', async () => {
    const result = await runCoapClient(binary!, ['-m', 'get', `coap://127.0.0.1:${udp}/.well-known/core`]);
    expect(result.stdout).toContain('</.well-known/cmp>;rt="ace.cmp";ct=259');
  });
});
