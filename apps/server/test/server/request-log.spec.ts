import { describe, expect, it } from 'vitest';
import { decodePKIMessage, encodePKIMessage, PKIStatus, type PKIMessage } from '@cmpkit/codec';
import type { ServerExchange } from '@cmpkit/core';
import { lineLogger } from '../../src/log/logger.js';
import { describeResponse, withRequestLog } from '../../src/server/request-log.js';
import { fakeClock } from '../helpers.js';

function message(body: PKIMessage['body']): PKIMessage {
  return {
    header: {
      pvno: 2,
      sender: { type: 'directoryName', value: [] },
      recipient: { type: 'directoryName', value: [] },
      transactionID: Uint8Array.of(0xab, 0xcd),
      senderNonce: new Uint8Array(16),
    },
    body,
  };
}

describe('describeResponse', () => {
  it('names the body and the statuses', () => {
    expect(
      describeResponse(message({ type: 'ip', content: { response: [{ certReqId: 0, status: { status: PKIStatus.accepted } }] } })),
    ).toBe('ip accepted');
    expect(
      describeResponse(
        message({
          type: 'error',
          content: { pKIStatusInfo: { status: PKIStatus.rejection, failInfo: ['badPOP'], statusString: ['bad', 'pop'] } },
        }),
      ),
    ).toBe('error rejection badPOP (bad pop)');
    expect(
      describeResponse(message({ type: 'rp', content: { status: [{ status: PKIStatus.rejection, failInfo: ['certRevoked'] }] } })),
    ).toBe('rp rejection certRevoked');
    expect(describeResponse(message({ type: 'pkiconf', content: null }))).toBe('pkiconf');
  });
});

describe('withRequestLog', () => {
  it('logs one line per exchange with body types, transaction and outcome, and passes the bytes through', async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const reply = message({ type: 'pkiconf', content: null });
    const response = encodePKIMessage(reply);
    const request = encodePKIMessage(message({ type: 'certConf', content: [] }));
    const inner = async (): Promise<ServerExchange> => {
      clock.advance(12);
      return { response, request: decodePKIMessage(request), reply };
    };
    const handle = withRequestLog(
      inner,
      lineLogger((l) => lines.push(l), 'info', clock),
      clock,
    );
    expect(await handle(request, { remoteAddress: '127.0.0.1:5000', path: '/p/device' })).toBe(response);
    expect(lines).toEqual([
      `${new Date(clock().getTime()).toISOString()} info  certConf -> pkiconf transaction=abcd peer=127.0.0.1:5000 path=/p/device ms=12\n`,
    ]);
    expect(decodePKIMessage(response).body.type).toBe('pkiconf');
  });

  it('logs undecodable requests and error answers as warnings', async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const error = encodePKIMessage(
      message({ type: 'error', content: { pKIStatusInfo: { status: PKIStatus.rejection, failInfo: ['badDataFormat'] } } }),
    );
    const handle = withRequestLog(
      async () => ({ response: error, reply: decodePKIMessage(error) }),
      lineLogger((l) => lines.push(l), 'warn', clock),
      clock,
    );
    await handle(Uint8Array.of(1, 2, 3));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('warn  undecodable -> error rejection badDataFormat');
  });

  it('decodes only an answer that came as bytes (relayed), and says so when it does not decode', async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const relayed = encodePKIMessage(message({ type: 'pkiconf', content: null }));
    const request = decodePKIMessage(encodePKIMessage(message({ type: 'certConf', content: [] })));
    const log = lineLogger((l) => lines.push(l), 'info', clock);
    await withRequestLog(async () => ({ response: relayed, request }), log, clock)(relayed);
    await withRequestLog(async () => ({ response: Uint8Array.of(5), request }), log, clock)(relayed);
    expect(lines[0]).toContain('info  certConf -> pkiconf transaction=abcd');
    expect(lines[1]).toContain('warn  certConf -> undecodable response');
  });
});
