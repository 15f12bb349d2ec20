import type { SecretStore } from '@cmpkit/core';

/** A shared secret as `secret list` shows it (never the secret itself). */
export interface SecretEntry {
  reference: string;
  createdAt: Date;
}

/**
 * Core's {@link SecretStore} plus what the `secret` command needs. A secret is found by its
 * reference: the senderKID of a MAC-protected request read as UTF-8 (`openssl cmp -ref demo`
 * sends the bytes of `demo`). Secrets are stored as given, because MAC verification needs them.
 */
export interface ServerSecretStore extends SecretStore {
  /** Adds or replaces the secret of `reference`; returns true when it replaced one. */
  add(reference: string, secret: Uint8Array | string): Promise<boolean>;
  /** Every reference, oldest first. */
  list(): Promise<SecretEntry[]>;
  /** Deletes a secret; returns false when there was none. */
  remove(reference: string): Promise<boolean>;
  /** The number of stored secrets. */
  count(): Promise<number>;
}
