import type { Logger } from '../log/logger.js';
import type { CommandLineSecret } from '../server/command-line-secrets.js';
import type { ExchangeScope } from '../server/exchange-scope.js';

/** What `serve` gives the process that serves (CA, RA, or a cluster worker). */
export interface Serving {
  /** The configured logger, with the transactionID of the exchange being handled on every line. */
  logger: Logger;
  /** The exchange each piece of work belongs to. */
  scope: ExchangeScope;
  /** `--secret REF:...`: shared secrets of this process, in front of the stored ones. */
  secrets: readonly CommandLineSecret[];
}
