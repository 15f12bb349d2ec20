import { describe, expect, it } from 'vitest';
import { decodePKIMessage, encodePKIMessage, PKIStatus, type PKIBody, type PKIMessage } from '@cmpkit/codec';
import type { CmpHandler, ServerExchange } from '@cmpkit/core';
import { lineLogger } from '../../src/log/logger.js';
import { transactionLogger } from '../../src/log/transaction-logger.js';
import { createServerMetrics } from '../../src/ops/server-metrics.js';
import { outcomeOf } from '../../src/ops/response-outcome.js';
import { describeResponse } from '../../src/server/describe-response.js';
import { createExchangeObserver } from '../../src/server/exchange-observer.js';
import { createExchangeScope } from '../../src/server/exchange-scope.js';
import { fakeClock } from '../helpers.js';

function message(body: PKIBody): PKIMessage {
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

const rejection = (failInfo: string[]): PKIBody => ({
  type: 'error',
  content: { pKIStatusInfo: { status: PKIStatus.rejection, failInfo: failInfo as never, statusString: ['bad', 'pop'] } },
});

describe('describeResponse and outcomeOf', () => {
  it('names the body and the statuses', () => {
    const ip = message({ type: 'ip', content: { response: [{ certReqId: 0, status: { status: PKIStatus.accepted } }] } });
    expect(describeResponse(ip)).toBe('ip accepted');
    expect(describeResponse(message(rejection(['badPOP'])))).toBe('error rejection badPOP (bad pop)');
    const rp = message({ type: 'rp', content: { status: [{ status: PKIStatus.rejection, failInfo: ['certRevoked'] }] } });
    expect(describeResponse(rp)).toBe('rp rejection certRevoked');
    expect(describeResponse(message({ type: 'pkiconf', content: null }))).toBe('pkiconf');
  });

  it('reduces a response to one PKIStatus name and its sorted failInfo bits', () => {
    expect(outcomeOf(rejection(['badPOP', 'badAlg']))).toEqual({ outcome: 'rejection', failInfo: ['badAlg', 'badPOP'] });
    expect(outcomeOf({ type: 'pkiconf', content: null })).toEqual({ outcome: 'accepted', failInfo: [] });
    expect(outcomeOf({ type: 'pollRep', content: [{ certReqId: 0, checkAfter: 1 }] })).toEqual({ outcome: 'waiting', failInfo: [] });
    const mixed: PKIBody = {
      type: 'cp',
      content: {
        response: [
          { certReqId: 0, status: { status: PKIStatus.accepted } },
          { certReqId: 1, status: { status: PKIStatus.rejection, failInfo: ['badCertTemplate'] } },
        ],
      },
    };
    expect(outcomeOf(mixed)).toEqual({ outcome: 'rejection', failInfo: ['badCertTemplate'] });
  });
});

/** An engine stand-in: reports what it answers through onExchange, as createServer does. */
function engine(onExchange: (e: ServerExchange) => void, answer: PKIMessage, log?: () => void): CmpHandler {
  return async (request) => {
    log?.();
    const decoded = decodePKIMessage(request);
    onExchange({
      request: decoded,
      transactionID: decoded.header.transactionID,
      response: answer,
      requester: undefined,
      relayed: false,
      depth: 0,
      context: {},
    });
    return encodePKIMessage(answer);
  };
}

describe('createExchangeObserver', () => {
  it('writes one line per exchange with the transactionID, which every line of the exchange carries, and counts it', async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const scope = createExchangeScope();
    const logger = transactionLogger(
      lineLogger((l) => lines.push(l), 'info', clock),
      () => scope.current()?.transactionID,
    );
    const metrics = createServerMetrics();
    let ms = 0;
    const observer = createExchangeObserver({ logger, scope, metrics, now: () => ms });
    const answer = message({ type: 'pkiconf', content: null });
    const handle = observer.observe(
      engine(observer.onExchange, answer, () => {
        ms += 12;
        logger.info('issuer: stored');
      }),
    );
    const request = encodePKIMessage(message({ type: 'certConf', content: [] }));
    await handle(request, { remoteAddress: '127.0.0.1:5000', path: '/p/device' });
    logger.info('outside of any exchange');
    const time = clock().toISOString();
    expect(lines).toEqual([
      `${time} info  issuer: stored transactionID=abcd\n`,
      `${time} info  certConf -> pkiconf transactionID=abcd peer=127.0.0.1:5000 path=/p/device ms=12\n`,
      `${time} info  outside of any exchange\n`,
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('cmpkit_requests_total{type="certConf",outcome="accepted",fail_info=""} 1');
    expect(text).toContain('cmpkit_request_duration_seconds_bucket{le="0.025",type="certConf"} 1');
  });

  it('logs undecodable requests and error answers as warnings, and a handler that fails as unanswered', async () => {
    const lines: string[] = [];
    const scope = createExchangeScope();
    const metrics = createServerMetrics();
    const logger = transactionLogger(
      lineLogger((l) => lines.push(l), 'warn', fakeClock()),
      () => scope.current()?.transactionID,
    );
    const observer = createExchangeObserver({ logger, scope, metrics });
    const error = encodePKIMessage(message(rejection(['badDataFormat'])));
    await observer.observe(async () => error)(Uint8Array.of(1, 2, 3));
    expect(lines[0]).toContain('warn  undecodable -> error rejection badDataFormat (bad pop)');

    const lost = observer.observe(async () => {
      throw new Error('the commit was lost');
    });
    await expect(lost(encodePKIMessage(message({ type: 'genm', content: [] })))).rejects.toThrow('the commit was lost');
    expect(lines[1]).toMatch(/error genm -> no answer transactionID=abcd .*error="the commit was lost"/);
    const text = await metrics.registry.metrics();
    expect(text).toContain('cmpkit_requests_total{type="undecodable",outcome="rejection",fail_info="badDataFormat"} 1');
    expect(text).toContain('cmpkit_requests_total{type="genm",outcome="unanswered",fail_info=""} 1');
  });
});
