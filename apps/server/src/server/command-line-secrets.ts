import type { SecretStore } from '@cmpkit/core';

/** A shared secret given on the command line (`serve --secret REF:pass:TEXT`). */
export interface CommandLineSecret {
  reference: string;
  secret: string;
}

/**
 * The secrets of `serve --secret` in front of the stored ones: a reference given on the command
 * line uses the secret given there for as long as the process runs (nothing is written to the
 * database; `secret add` makes one permanent). References are looked up as the stores do: the
 * senderKID read as UTF-8.
 */
export function withCommandLineSecrets(store: SecretStore, secrets: readonly CommandLineSecret[]): SecretStore {
  if (secrets.length === 0) return store;
  const given = new Map(secrets.map((s) => [s.reference, new TextEncoder().encode(s.secret)]));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return {
    async get(senderKID) {
      let reference: string | undefined;
      try {
        reference = decoder.decode(senderKID);
      } catch {
        reference = undefined;
      }
      return (reference !== undefined ? given.get(reference) : undefined) ?? store.get(senderKID);
    },
  };
}
