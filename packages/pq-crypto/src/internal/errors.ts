/**
 * The DOMExceptions WebCrypto throws, so callers see the same error names whichever
 * implementation ran (WebCrypto section 18.5 and the Modern Algorithms draft).
 */
function domException(name: string, message: string): Error {
  return new DOMException(`pq-crypto: ${message}`, name);
}

export const dataError = (message: string): Error => domException('DataError', message);
export const notSupported = (message: string): Error => domException('NotSupportedError', message);
export const invalidAccess = (message: string): Error => domException('InvalidAccessError', message);
export const operationError = (message: string): Error => domException('OperationError', message);
export const syntaxError = (message: string): Error => domException('SyntaxError', message);
