import { isTransportError, TransportError } from '@cmpkit/core';
import { describe, expect, it } from 'vitest';
import { TcpTransportError } from '../src/index.js';

describe('TcpTransportError', () => {
  it("carries core's TransportError brand and code, and its own", () => {
    const cause = new Error('ECONNRESET');
    const error = new TcpTransportError('tcp: reset', { cause, errorCode: 0x0300 });
    expect(isTransportError(error)).toBe(true);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toBeInstanceOf(TcpTransportError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('CMP_ERR_TRANSPORT');
    expect(error.name).toBe('TcpTransportError');
    expect(error.cause).toBe(cause);
    expect(error.errorCode).toBe(0x0300);
    expect(new TcpTransportError('x').errorCode).toBeUndefined();
    expect(new TransportError('core')).not.toBeInstanceOf(TcpTransportError);
  });
});
