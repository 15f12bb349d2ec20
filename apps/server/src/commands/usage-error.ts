/** A command line the CLI cannot run; answered with the usage text and exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
