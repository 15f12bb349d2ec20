import type { Logger } from './logger.js';

/**
 * The same logger with the transactionID of the exchange being handled (`current()`, the server's
 * exchange scope) on every line written on its behalf, the engine's, the issuer's and the store's
 * included, unless the line names one itself.
 */
export function transactionLogger(logger: Logger, current: () => string | undefined): Logger {
  const at =
    (write: Logger['info']): Logger['info'] =>
    (message, data) => {
      const transactionID = current();
      write(message, transactionID === undefined || data?.transactionID !== undefined ? data : { transactionID, ...data });
    };
  return { debug: at(logger.debug), info: at(logger.info), warn: at(logger.warn), error: at(logger.error) };
}
