import { createHash } from 'node:crypto';
import {
  createAlgorithmRegistry,
  defaultAlgorithmProviders,
  syncDigestProvider,
  type AlgorithmRegistry,
  type SyncHash,
} from '@cmpkit/protection';

const nodeHash: SyncHash = (name, data) => new Uint8Array(createHash(name.replace('-', '').toLowerCase()).update(data).digest());

/**
 * The default algorithms with node:crypto's synchronous SHA-1/SHA-2 next to WebCrypto's: a
 * PasswordBasedMac key (hundreds of chained OWF rounds, four per MAC-protected transaction) is
 * derived without a promise round trip per round.
 */
export const nodeAlgorithms: AlgorithmRegistry = createAlgorithmRegistry([syncDigestProvider(nodeHash), ...defaultAlgorithmProviders]);
