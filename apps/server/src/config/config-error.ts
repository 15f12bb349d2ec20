/** A configuration file or option the server cannot use; the message names the setting. */
export class ConfigError extends Error {
  override name = 'ConfigError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(`config: ${message}`, options);
  }
}
