import { isTransportError, TransportError } from '@cmpkit/core';
import { describe, expect, it } from 'vitest';
import { HttpTransportError } from '../src/index.js';

describe('HttpTransportError', () => {
  it("carries core's TransportError brand and code", () => {
    const cause = new Error('socket hang up');
    const error = new HttpTransportError('http: it broke', { cause, status: 502 });
    expect(isTransportError(error)).toBe(true);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toBeInstanceOf(HttpTransportError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('CMP_ERR_TRANSPORT');
    expect(error.name).toBe('HttpTransportError');
    expect(HttpTransportError.name).toBe('HttpTransportError');
    expect(error.message).toBe('http: it broke');
    expect(error.status).toBe(502);
    expect(error.cause).toBe(cause);
  });

  it('has no status or cause unless given', () => {
    const error = new HttpTransportError('http: timeout');
    expect(error.status).toBeUndefined();
    expect('cause' in error).toBe(false);
  });

  it("is recognised across copies by its brand, and core's own TransportError is not an HttpTransportError", () => {
    const http = Symbol.for('cmpkit.error.HttpTransportError');
    const transport = Symbol.for('cmpkit.error.TransportError');
    const foreignCopy = { [http]: true, [transport]: true, code: 'CMP_ERR_TRANSPORT' };
    expect(foreignCopy).toBeInstanceOf(HttpTransportError);
    expect(new TransportError('core')).not.toBeInstanceOf(HttpTransportError);
    expect(new Error('plain')).not.toBeInstanceOf(HttpTransportError);
    expect(isTransportError(new Error('plain'))).toBe(false);
  });

  it('lets subclasses use ordinary instanceof', () => {
    class RedirectError extends HttpTransportError {}
    expect(new RedirectError('x')).toBeInstanceOf(RedirectError);
    expect(new HttpTransportError('x')).not.toBeInstanceOf(RedirectError);
  });
});
