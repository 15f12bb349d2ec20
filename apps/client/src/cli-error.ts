/** An error in what the user asked for (an option, a file): printed as one line, exit status 2. */
export class CliError extends Error {
  override name = 'CliError';
}
