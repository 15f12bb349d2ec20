import { isTransportError, TransportError } from '@cmpkit/core';
import { describe, expect, it } from 'vitest';
import { WsTransportError } from '../src/index.js';

describe('WsTransportError', () => {
  it("carries core's TransportError brand and code, and its own", () => {
    const cause = new Error('ECONNRESET');
    const error = new WsTransportError('ws: closed', { cause, closeCode: 1006 });
    expect(isTransportError(error)).toBe(true);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toBeInstanceOf(WsTransportError);
    expect(error.code).toBe('CMP_ERR_TRANSPORT');
    expect(error.name).toBe('WsTransportError');
    expect(error.cause).toBe(cause);
    expect(error.closeCode).toBe(1006);
    expect(new WsTransportError('x').closeCode).toBeUndefined();
    expect(new TransportError('core')).not.toBeInstanceOf(WsTransportError);
  });
});
