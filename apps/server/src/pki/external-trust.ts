import { readFile } from 'node:fs/promises';
import type { ExternalTrust } from '@cmpkit/core';
import { ConfigError } from '../config/config-error.js';
import type { ExternalAnchorsConfig } from '../config/server-config.js';
import { pemBlocks } from './pem.js';

/**
 * The `externalAnchors` settings as the engine's external trust: each file's root certificates
 * with the request types they are accepted for (a plain file name: ir only). A file that cannot be
 * read or holds no certificate is a configuration error naming it.
 */
export async function loadExternalTrust(entries: readonly ExternalAnchorsConfig[]): Promise<ExternalTrust[]> {
  const trust: ExternalTrust[] = [];
  for (const [i, entry] of entries.entries()) {
    const { file, requests } = typeof entry === 'string' ? { file: entry, requests: ['ir' as const] } : entry;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new ConfigError(`externalAnchors[${i}]: cannot read ${file}: ${(cause as Error).message}`, { cause });
    }
    const anchors = pemBlocks(text, 'CERTIFICATE');
    if (anchors.length === 0) throw new ConfigError(`externalAnchors[${i}]: ${file} holds no CERTIFICATE`);
    trust.push({ anchors, requests });
  }
  return trust;
}
