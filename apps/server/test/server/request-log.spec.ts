import { describe, expect, it } from 'vitest';
import { decodePKIMessage, encodePKIMessage, PKIStatus, type PKIMessage } from '@cmpkit/codec';
import type { CmpHandler } from '@cmpkit/core';
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
    const response = encodePKIMessage(message({ type: 'pkiconf', content: null }));
    const inner: CmpHandler = async () => {
      clock.advance(12);
      return response;
    };
    const handle = withRequestLog(
      inner,
      lineLogger((l) => lines.push(l), 'info', clock),
      clock,
    );
    const request = encodePKIMessage(message({ type: 'certConf', content: [] }));
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
      async () => error,
      lineLogger((l) => lines.push(l), 'warn', clock),
      clock,
    );
    await handle(Uint8Array.of(1, 2, 3));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('warn  undecodable -> error rejection badDataFormat');
  });
});
