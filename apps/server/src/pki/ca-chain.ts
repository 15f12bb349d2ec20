import { parseCertificate, verifyCertificatePath } from '@cmpkit/protection';
import { ConfigError } from '../config/config-error.js';

/** Where {@link caChainOf} reads from, for messages: the settings and files the certificates came from. */
export interface ChainSource {
  /** E.g. `ca.certificate /etc/pki/ca.pem`. */
  certificate: string;
  /** E.g. `ca.chain /etc/pki/root.pem`. */
  chain: string;
}

function isSelfSigned(der: Uint8Array): boolean {
  const cert = parseCertificate(der);
  const a = cert.issuerDer;
  const b = cert.subjectDer;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The certificates above `certificate` (issuer first, up to and including a self-signed root),
 * found among `candidates` and verified: signatures, validity at `at`, basicConstraints cA and
 * keyCertSign of every CA on the path, the target included (it must be able to issue). Empty
 * when the certificate is a self-signed root itself.
 *
 * @throws ConfigError naming the settings and files when no such path exists.
 */
export async function caChainOf(
  certificate: Uint8Array,
  candidates: readonly Uint8Array[],
  options: { source: ChainSource; crypto: Crypto; at: Date },
): Promise<Uint8Array[]> {
  const target = parseCertificate(certificate);
  if (!target.basicConstraints?.cA)
    throw new ConfigError(`${options.source.certificate}: the certificate is not a CA certificate (basicConstraints cA is not set)`);
  if (target.keyUsage && !target.keyUsage.includes('keyCertSign'))
    throw new ConfigError(`${options.source.certificate}: the CA certificate's keyUsage lacks keyCertSign`);
  const all = [certificate, ...candidates];
  const roots = all.filter(isSelfSigned);
  if (roots.length === 0)
    throw new ConfigError(`${options.source.chain}: no self-signed root certificate among the CA's chain (give the root too)`);
  try {
    const path = await verifyCertificatePath(certificate, {
      anchors: roots,
      untrusted: all.filter((c) => !isSelfSigned(c)),
      crypto: options.crypto,
      at: options.at,
    });
    return path.certificates.slice(1).map((c) => new Uint8Array(c));
  } catch (cause) {
    throw new ConfigError(
      `${options.source.certificate} does not chain to a root in ${options.source.chain}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/**
 * Checks that the CMP protection certificate was issued on the CA's path and may sign
 * (digitalSignature when keyUsage is present).
 *
 * @throws ConfigError naming `source`.
 */
export async function checkCmpCertificate(
  certificate: Uint8Array,
  caPath: { ca: Uint8Array; chain: readonly Uint8Array[] },
  options: { source: string; crypto: Crypto; at: Date },
): Promise<void> {
  const root = caPath.chain.at(-1) ?? caPath.ca;
  try {
    await verifyCertificatePath(certificate, {
      anchors: [root],
      untrusted: [caPath.ca, ...caPath.chain],
      requiredKeyUsage: ['digitalSignature'],
      crypto: options.crypto,
      at: options.at,
    });
  } catch (cause) {
    throw new ConfigError(`${options.source}: not a CMP signing certificate of this CA: ${(cause as Error).message}`, { cause });
  }
}
