import { parseName } from '@cmpkit/codec';
import { createClient, type ClientInit, type CmpClient } from '@cmpkit/core';
import { createNodeCrypto } from '@cmpkit/node-crypto';
import { withPostQuantum } from '@cmpkit/pq-crypto';
import type { MacChoice, ProtectionCredential, ProtectionTrust } from '@cmpkit/protection';
import { issuerChainOf, readCertificate, readCertificates } from './certificates.js';
import type { CmpOptionValues } from './cmp-options.js';
import { explainFailure } from './explain-failure.js';
import { checkOutputFiles } from './files.js';
import type { Io } from './io.js';
import { readKeyPair } from './keys.js';
import { pollProgress } from './progress.js';
import { recordingTransport } from './recording-transport.js';
import { CliError } from './cli-error.js';
import { readSecret } from './secrets.js';
import { clientTlsOf } from './transport/client-tls.js';
import { transportForUrl, type ClosableTransport, type TransportOptions } from './transport/transport-for-url.js';

/**
 * WebCrypto with synchronous node:crypto signatures and digests (no thread-pool hop per
 * operation), and ML-DSA/ML-KEM: the runtime's own where it has them, else pure JS.
 */
export const nodeCrypto = withPostQuantum(createNodeCrypto());

type Sha2 = 'SHA-256' | 'SHA-384' | 'SHA-512';

function digestOf(value: string | undefined): Sha2 {
  const d = (value ?? 'sha256').toLowerCase().replace('-', '');
  const map: Record<string, Sha2> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };
  const digest = map[d];
  if (!digest) throw new CliError(`--digest '${value}' must be sha256, sha384 or sha512`);
  return digest;
}

function macChoiceOf(values: CmpOptionValues): MacChoice {
  const digest = digestOf(values.digest);
  const iterationCount = values.iterations ? Number(values.iterations) : undefined;
  if (iterationCount !== undefined && !(Number.isInteger(iterationCount) && iterationCount > 0)) {
    throw new CliError(`--iterations '${values.iterations}' is not a positive integer`);
  }
  switch ((values.mac ?? 'pbmac1').toLowerCase()) {
    case 'pbmac1':
      return { algorithm: 'PBMAC1', prf: digest, mac: digest, ...(iterationCount ? { iterationCount } : {}) };
    case 'pbm':
      return { algorithm: 'PasswordBasedMac', owf: digest, mac: digest, ...(iterationCount ? { iterationCount } : {}) };
    default:
      throw new CliError(`--mac '${values.mac}' must be pbmac1 or pbm`);
  }
}

/**
 * The CMP server URL: a full URL (`http(s)://`, `tcp://`, `ws(s)://`, `coap(+tcp|+ws)://`), or host:port plus --path
 * (as with openssl cmp, HTTP).
 */
export function serverUrl(values: CmpOptionValues): string {
  if (!values.server) throw new CliError('--server is required (e.g. http://127.0.0.1:8080/.well-known/cmp)');
  const base = /^[a-z][a-z0-9+.-]*:\/\//i.test(values.server) ? values.server : `http://${values.server}`;
  if (!values.path) return base;
  const url = new URL(base);
  url.pathname = values.path.startsWith('/') ? values.path : `/${values.path}`;
  return url.toString();
}

/** Our protection credential from --secret/--ref or --cert/--key. */
async function credentialOf(values: CmpOptionValues): Promise<ProtectionCredential | undefined> {
  if (values.cert || values.key) {
    if (!values.cert || !values.key) throw new CliError('--cert and --key go together');
    const { privateKey } = await readKeyPair(
      '--key',
      values.key,
      values.keypass ? await readSecret(values.keypass, '--keypass') : undefined,
    );
    const certificate = await readCertificate('--cert', values.cert);
    // --extracerts as given, else the certificate's chain out of --untrusted (as openssl cmp does).
    const chain = values.extracerts
      ? await readCertificates('--extracerts', values.extracerts)
      : values.untrusted
        ? issuerChainOf(certificate, await readCertificates('--untrusted', values.untrusted))
        : [];
    return { privateKey, certificate, chain };
  }
  if (values.secret) {
    if (!values.ref) throw new CliError('--secret needs --ref (the reference the server knows the secret by)');
    return { secret: await readSecret(values.secret), senderKID: values.ref, mac: macChoiceOf(values) };
  }
  return undefined;
}

/** The ML-KEM certificate and key of --kem-cert/--kem-key (requests under KEM-based MAC, RFC 9810 Appendix E Figure 3). */
async function kemCredentialOf(values: CmpOptionValues): Promise<ClientInit['kem']> {
  const cert = values['kem-cert'];
  const key = values['kem-key'];
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new CliError('--kem-cert and --kem-key go together');
  const { privateKey } = await readKeyPair('--kem-key', key, values.keypass ? await readSecret(values.keypass, '--keypass') : undefined);
  return {
    privateKey,
    certificate: await readCertificate('--kem-cert', cert),
    ...(values.untrusted ? { chain: await readCertificates('--untrusted', values.untrusted) } : {}),
  };
}

/** How responses are verified: the shared secret, and/or --srvcert / --trusted anchors. */
async function trustOf(values: CmpOptionValues): Promise<ProtectionTrust> {
  const trust: ProtectionTrust = {};
  if (values.secret) trust.mac = { secret: await readSecret(values.secret) };
  const anchors = [
    ...(values.srvcert ? [await readCertificate('--srvcert', values.srvcert)] : []),
    ...(values.trusted ? await readCertificates('--trusted', values.trusted) : []),
  ];
  if (anchors.length) {
    trust.signature = {
      anchors,
      ...(values.untrusted ? { untrusted: await readCertificates('--untrusted', values.untrusted) } : {}),
      ...(values.srvcert ? { signerCertificate: await readCertificate('--srvcert', values.srvcert) } : {}),
    };
  }
  if (!trust.mac && !trust.signature && !values['srv-kem-cert']) {
    throw new CliError('nothing to verify responses with: give --secret, --srvcert or --trusted');
  }
  return trust;
}

/** A CMP client of the command line, with the transport it owns. */
export interface CliClient {
  client: CmpClient;
  transport: ClosableTransport;
  /** Closes the transport's connections (TCP, WebSocket); the command calls it when done. */
  close(): Promise<void>;
  /**
   * The failure of an exchange in the user's words where the library's would puzzle (a refusal
   * that does not verify, PBMAC1 unknown to the server, https:// to a plain HTTP port); anything
   * else unchanged. Commands rethrow what it returns.
   */
  explain(error: unknown): unknown;
}

/** How requests are protected, for explaining failures. */
function protectionOf(values: CmpOptionValues): 'PBMAC1' | 'PasswordBasedMac' | 'signature' | 'none' {
  if (values.cert || values.key) return 'signature';
  if (!values.secret) return 'none';
  return (values.mac ?? 'pbmac1').toLowerCase() === 'pbm' ? 'PasswordBasedMac' : 'PBMAC1';
}

/**
 * A CMP client configured from the command line; `transportOptions` add push handling for
 * `listen`, `extraInit.transport` replaces the server's (the client then builds without sending).
 */
export async function clientFromOptions(
  values: CmpOptionValues,
  io: Io,
  transportOptions: Omit<TransportOptions, 'timeoutMs'> = {},
  extraInit: Partial<Pick<ClientInit, 'autoRenew' | 'implicitConfirm' | 'transport'>> = {},
): Promise<CliClient> {
  const timeout = values.timeout ? Number(values.timeout) : 30;
  const url = serverUrl(values);
  const secure = /^(https|wss|tcps):/i.test(url);
  const inner = transportForUrl(url, {
    ...transportOptions,
    timeoutMs: timeout * 1000,
    ...(secure ? { tls: await clientTlsOf(values) } : {}),
  });
  const transport = recordingTransport(
    inner,
    {
      ...(values.reqout ? { reqout: values.reqout.split(',') } : {}),
      ...(values.rspout ? { rspout: values.rspout.split(',') } : {}),
      ...(values.verbose ? { verbose: true } : {}),
    },
    io,
  );
  try {
    const credential = await credentialOf(values);
    const kem = await kemCredentialOf(values);
    // Newly enrolled certificates are checked against --out-trusted (openssl cmp -out_trusted),
    // else against --trusted when the CA and the CMP server share a PKI.
    const outTrusted = values['out-trusted'] ?? values.trusted;
    const { transport: replacement, ...moreInit } = extraInit;
    const init: ClientInit = {
      transport: replacement ?? transport,
      crypto: nodeCrypto,
      trust: await trustOf(values),
      ...(credential ? { credential } : {}),
      ...(kem ? { kem } : {}),
      ...(values['srv-kem-cert'] ? { serverKemCertificate: await readCertificate('--srv-kem-cert', values['srv-kem-cert']) } : {}),
      ...(values.recipient ? { recipient: parseName(values.recipient) } : {}),
      ...(outTrusted ? { trustAnchors: await readCertificates(values['out-trusted'] ? '--out-trusted' : '--trusted', outTrusted) } : {}),
      ...(values.untrusted ? { untrusted: await readCertificates('--untrusted', values.untrusted) } : {}),
      ...(values['implicit-confirm'] ? { implicitConfirm: true } : {}),
      ...(values['unprotected-errors'] ? { unprotectedErrors: true } : {}),
      ...(values.totaltimeout ? { pollTimeout: Number(values.totaltimeout) } : {}),
      onWaiting: pollProgress(io),
      ...moreInit,
    };
    const protection = protectionOf(values);
    return {
      client: createClient(init),
      transport: inner,
      close: () => inner.close(),
      explain: (error) => explainFailure(error, { url, lastResponse: transport.lastResponse(), protection, reference: values.ref }),
    };
  } catch (error) {
    await inner.close();
    throw error;
  }
}

/**
 * Runs `work` with a client of the command line: output files are checked before anything is
 * sent, a failure is explained (see {@link CliClient.explain}), and the transport is closed.
 */
export async function withClient<T>(
  values: CmpOptionValues,
  io: Io,
  outputs: readonly (readonly [option: string, path: string | undefined])[],
  work: (client: CmpClient) => Promise<T>,
): Promise<T> {
  await checkOutputFiles([
    ...outputs,
    ...(values.reqout ?? '')
      .split(',')
      .filter(Boolean)
      .map((f) => ['--reqout', f] as const),
    ...(values.rspout ?? '')
      .split(',')
      .filter(Boolean)
      .map((f) => ['--rspout', f] as const),
  ]);
  const cli = await clientFromOptions(values, io);
  try {
    return await work(cli.client).catch((error: unknown) => {
      throw cli.explain(error);
    });
  } finally {
    await cli.close();
  }
}
