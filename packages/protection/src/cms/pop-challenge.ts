import { decodeRand, encodeRand, type AlgorithmIdentifier, type Challenge, type Rand } from '@cmpkit/codec';
import { cryptoOf } from '../crypto-options.js';
import { ProtectionError } from '../errors/protection-error.js';
import { hashOfOid, oidOfHash, type HashName } from './algorithms.js';
import { cmsOids } from './cms-oids.js';
import { equalBytes } from '../internal/bytes.js';
import { createEnvelopedData, openEnvelopedData, type EnvelopeOptions, type OpenEnvelopeOptions } from './enveloped-data.js';
import { bufferOf, guard } from './webcrypto.js';

/** Two's-complement big-endian contents octets of an INTEGER (what X.690 puts after tag and length). */
function integerContents(value: bigint): Uint8Array {
  const bytes: number[] = [];
  let n = value;
  for (;;) {
    const byte = Number(BigInt.asUintN(8, n));
    bytes.unshift(byte);
    n >>= 8n;
    if ((n === 0n && (byte & 0x80) === 0) || (n === -1n && (byte & 0x80) !== 0)) break;
  }
  return Uint8Array.from(bytes);
}

async function witnessOf(crypto: Crypto, hash: HashName, value: bigint): Promise<Uint8Array> {
  const digest = await guard(() => crypto.subtle.digest(hash, bufferOf(integerContents(value))), 'badAlg', `${hash} is not available`);
  return new Uint8Array(digest);
}

/** Options of {@link createPopChallenge}. */
export interface CreatePopChallengeOptions extends EnvelopeOptions {
  /** The one-way function for `witness`. Default `'SHA-256'`. */
  owf?: Exclude<HashName, 'SHA-1'>;
}

/**
 * Builds one Challenge of a popdecc message (RFC 9810 section 5.2.8.3.3) for cmp2021: `rand`
 * encrypted in `encryptedRand` (an EnvelopedData for the end entity's encryption key), `witness`
 * the `owf` hash of `rand.int` (over the INTEGER's contents octets, as NSS computes it), and an
 * empty `challenge`. Keep `rand.int` to compare with the popdecr answer.
 */
export async function createPopChallenge(rand: Rand, options: CreatePopChallengeOptions): Promise<Challenge> {
  const crypto = cryptoOf(options);
  const owf = options.owf ?? 'SHA-256';
  const der = await createEnvelopedData(encodeRand(rand), {
    ...options,
    crypto,
    contentType: cmsOids.id_data,
  });
  return {
    owf: { algorithm: oidOfHash(owf) },
    witness: await witnessOf(crypto, owf, rand.int),
    challenge: new Uint8Array(0),
    encryptedRand: { der },
  };
}

/** Options of {@link decryptPopChallenge}. */
export interface DecryptPopChallengeOptions extends OpenEnvelopeOptions {
  /** The owf of the preceding Challenge, for a Challenge that omits its own. */
  owf?: AlgorithmIdentifier;
}

/**
 * Decrypts the `encryptedRand` of a popdecc Challenge (RFC 9810 section 5.2.8.3.3) with the end
 * entity's private key and checks `witness`. Returns the Rand: answer with `rand.int` in popdecr
 * after checking that `rand.sender` is the PKI entity you talk to. The deprecated `challenge`
 * field (without `encryptedRand`) is not supported (badAlg).
 *
 * @throws ProtectionError badMessageCheck when the key does not open it or the witness does not fit.
 */
export async function decryptPopChallenge(challenge: Challenge, options: DecryptPopChallengeOptions): Promise<Rand> {
  const crypto = cryptoOf(options);
  if (!challenge.encryptedRand) {
    throw new ProtectionError('badAlg', 'only challenges with encryptedRand (cmp2021) are supported');
  }
  const owfAlgorithm = challenge.owf ?? options.owf;
  if (!owfAlgorithm) throw new ProtectionError('badDataFormat', 'the challenge has no owf');
  const owf = hashOfOid(owfAlgorithm.algorithm, 'owf');
  const { content } = await openEnvelopedData(challenge.encryptedRand.der, { ...options, crypto });
  let rand: Rand;
  try {
    rand = decodeRand(content);
  } catch (error) {
    throw new ProtectionError('badMessageCheck', 'the decrypted challenge is not a Rand', error);
  }
  if (!equalBytes(await witnessOf(crypto, owf, rand.int), challenge.witness)) {
    throw new ProtectionError('badMessageCheck', 'the challenge witness does not match the decrypted Rand');
  }
  return rand;
}
