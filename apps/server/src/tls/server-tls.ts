import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import { defineProfile, parseIpAddress } from '@cmpkit/ca';
import {
  decodePem,
  decodeSubjectPublicKeyInfo,
  encodeGeneralNames,
  encodePem,
  nameToString,
  oids,
  parseName,
  type GeneralName,
} from '@cmpkit/codec';
import { serialHex } from '@cmpkit/issuer';
import { parseCertificate } from '@cmpkit/protection';
import { ConfigError } from '../config/config-error.js';
import type { TlsConfig } from '../config/server-config.js';
import type { Logger } from '../log/logger.js';
import { generateKeyPair } from '../pki/ca-material.js';
import { certificatesPem, pemBlocks } from '../pki/pem.js';
import type { ServerContext } from '../server/server-context.js';

/** The file of the TLS credential the CA issues to its own server: key, certificate, chain (mode 0600). */
export const TLS_SERVER_FILE = 'tls-server.pem';

/** A listener's server whose certificate can be replaced while it runs. */
export interface SecureContextHolder {
  setSecureContext(options: SecureContextOptions): void;
}

/** The TLS side of the server's listeners, from {@link openServerTls}. */
export interface ServerTls {
  /** `node:tls` options for a listener: certificate, key and the client-certificate policy. */
  options(): TlsOptions;
  /** Where the certificate comes from (a file), for logs. */
  readonly source: string;
  /** The current certificate's notAfter. */
  notAfter(): Date;
  /** Gives `server` every renewed or reloaded certificate. */
  attach(server: SecureContextHolder): void;
  /**
   * Renews the issued certificate when less than `tls.renewBeforeDays` are left (only where
   * `renew` was set: one process of a cluster), or loads the files again when another process or
   * the operator replaced them; the attached servers get the new certificate.
   */
  refresh(): Promise<'renewed' | 'reloaded' | undefined>;
}

interface Credential {
  key: string;
  cert: string;
  notAfter: Date;
  modified: number;
}

const DAY_MS = 86_400_000;

/** subjectAltName entries (`DNS:name`, `IP:address`) as GeneralNames. */
export function tlsSubjectAltNames(names: readonly string[]): GeneralName[] {
  return names.map((name): GeneralName => {
    if (name.startsWith('DNS:')) return { type: 'dNSName', value: name.slice(4) };
    const ip = parseIpAddress(name.slice(3));
    if (!name.startsWith('IP:') || !ip) throw new ConfigError(`tls.subjectAltNames: '${name}' is not DNS:name or IP:address`);
    return { type: 'iPAddress', value: ip };
  });
}

async function readCredential(certificateFile: string, keyFile: string): Promise<Credential> {
  const read = async (file: string, setting: string): Promise<string> => {
    try {
      return await readFile(file, 'utf8');
    } catch (cause) {
      throw new ConfigError(`${setting}: cannot read ${file}: ${(cause as Error).message}`, { cause });
    }
  };
  const certText = await read(certificateFile, 'tls.certificate');
  const keyText = keyFile === certificateFile ? certText : await read(keyFile, 'tls.key');
  const certificates = pemBlocks(certText, 'CERTIFICATE');
  if (certificates.length === 0) throw new ConfigError(`tls.certificate: ${certificateFile} holds no CERTIFICATE`);
  const keyBlock = decodePem(keyText).find((b) => /PRIVATE KEY$/.test(b.label));
  if (!keyBlock) throw new ConfigError(`tls.key: ${keyFile} holds no PRIVATE KEY`);
  return {
    key: encodePem(keyBlock.label, keyBlock.der),
    cert: certificatesPem(certificates),
    notAfter: parseCertificate(certificates[0]!).notAfter,
    modified: (await stat(certificateFile)).mtimeMs,
  };
}

/**
 * The TLS credential of the server's listeners: the files of `tls.certificate` and `tls.key`, or
 * (both unset) a certificate issued by the server's own CA (profile tlsServer: serverAuth, the
 * `tls.subjectAltNames`) into `tls-server.pem` in the data directory on first use, renewed
 * before it expires. Client certificates (`tls.clientCertificates`) are verified against
 * `tls.clientTrustAnchors`, or the CA's roots.
 */
export async function openServerTls(ctx: ServerContext, options: { renew: boolean; logger: Logger }): Promise<ServerTls> {
  const config: TlsConfig = ctx.config.tls;
  const issued = config.certificate === null;
  const certificateFile = config.certificate ?? join(ctx.config.dataDir, TLS_SERVER_FILE);
  const keyFile = config.key ?? certificateFile;
  const attached: SecureContextHolder[] = [];

  const issue = async (): Promise<void> => {
    const keys = await generateKeyPair('ec:P-256', ctx.crypto);
    const publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await ctx.crypto.subtle.exportKey('spki', keys.publicKey)));
    const sans = tlsSubjectAltNames(config.subjectAltNames);
    const dns = config.subjectAltNames.find((n) => n.startsWith('DNS:'))?.slice(4) ?? 'cmpkit-server';
    const result = await ctx.ca.issue({
      template: {
        subject: parseName(`/CN=${dns}`),
        ...(sans.length ? { extensions: [{ extnID: oids.id_ce_subjectAltName, extnValue: encodeGeneralNames(sans) }] } : {}),
      },
      publicKey,
      profile: defineProfile({
        name: 'tlsServer',
        validityDays: config.validityDays,
        keyUsage: ['digitalSignature'],
        extendedKeyUsage: [oids.id_kp_serverAuth],
        subjectAltNameTypes: ['dNSName', 'iPAddress'],
        keyAlgorithms: ['ec:P-256'],
      }),
    });
    // Like every certificate of the CA: recorded (listed by `cert list`, revocable by serial).
    const serial = serialHex(result.serialNumber);
    await ctx.store.certificates.insert({
      serial,
      issuer: nameToString(parseCertificate(ctx.material.issuing.certificate).subject),
      subject: nameToString(result.subject),
      der: result.certificate,
      notBefore: result.notBefore,
      notAfter: result.notAfter,
      profile: 'tlsServer',
      requester: 'server:tls',
      issuedAt: ctx.clock(),
    });
    await ctx.store.certificates.confirm(serial);
    const pkcs8 = new Uint8Array(await ctx.crypto.subtle.exportKey('pkcs8', keys.privateKey));
    const chain = ctx.material.issuing.chain.filter((c) => !ctx.material.links.includes(c));
    // One file, renamed into place: a reader sees the old or the new key and certificate, never a mix.
    const temporary = `${certificateFile}.${process.pid}.tmp`;
    await writeFile(
      temporary,
      encodePem('PRIVATE KEY', pkcs8) + certificatesPem([result.certificate, ctx.material.issuing.certificate, ...chain]),
      {
        mode: 0o600,
      },
    );
    await rename(temporary, certificateFile);
  };

  const exists = async (): Promise<boolean> =>
    stat(certificateFile).then(
      () => true,
      () => false,
    );
  if (issued && !(await exists())) {
    await issue();
    options.logger.info('issued the TLS server certificate', { file: certificateFile, subjectAltNames: config.subjectAltNames.join(',') });
  }
  let current = await readCredential(certificateFile, keyFile);
  const clientCa =
    config.clientCertificates === 'none'
      ? undefined
      : config.clientTrustAnchors === null
        ? // The issuing CA and the intermediates too: most devices send their own certificate only.
          certificatesPem([
            ctx.material.root.certificate,
            ...ctx.material.previousRoots,
            ctx.material.issuing.certificate,
            ...ctx.material.issuing.chain,
          ])
        : await readFile(config.clientTrustAnchors, 'utf8').catch((cause: Error) => {
            throw new ConfigError(`tls.clientTrustAnchors: cannot read ${config.clientTrustAnchors}: ${cause.message}`, { cause });
          });

  const apply = (): void => {
    for (const server of attached) server.setSecureContext({ key: current.key, cert: current.cert, ...(clientCa ? { ca: clientCa } : {}) });
  };

  return {
    source: certificateFile,
    notAfter: () => current.notAfter,
    options: () => ({
      key: current.key,
      cert: current.cert,
      ...(clientCa ? { ca: clientCa, requestCert: true, rejectUnauthorized: config.clientCertificates === 'required' } : {}),
    }),
    attach(server) {
      attached.push(server);
    },
    async refresh() {
      if (issued && options.renew && current.notAfter.getTime() - ctx.clock().getTime() < config.renewBeforeDays * DAY_MS) {
        await issue();
        current = await readCredential(certificateFile, keyFile);
        apply();
        return 'renewed';
      }
      const modified = (await stat(certificateFile)).mtimeMs;
      if (modified === current.modified) return undefined;
      current = await readCredential(certificateFile, keyFile);
      apply();
      return 'reloaded';
    },
  };
}

/** How often the listeners' certificate is checked for renewal or replacement. */
const REFRESH_INTERVAL_MS = 3_600_000;

/**
 * Checks the TLS credential now and every hour (renewal when due, reload when the files
 * changed), logging what happened; returns the function that stops it.
 */
export function keepTlsFresh(tls: ServerTls, logger: Logger): () => void {
  let running: Promise<void> | undefined;
  const check = (): void => {
    running ??= tls
      .refresh()
      .then((outcome) => {
        if (outcome) logger.info(`${outcome} the TLS server certificate`, { file: tls.source, notAfter: tls.notAfter().toISOString() });
      })
      .catch((error: unknown) => logger.error('renewing the TLS server certificate failed', { error }))
      .finally(() => {
        running = undefined;
      });
  };
  check();
  const timer = setInterval(check, REFRESH_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * TLS options from the `tls.certificate` and `tls.key` files only (a server without a CA of its
 * own, the RA): client certificates are checked against `tls.clientTrustAnchors`.
 *
 * @throws ConfigError when the files are not set or unreadable.
 */
export async function fileTlsOptions(config: TlsConfig): Promise<TlsOptions> {
  if (config.certificate === null || config.key === null)
    throw new ConfigError('TLS without a CA of its own needs tls.certificate and tls.key');
  const credential = await readCredential(config.certificate, config.key);
  if (config.clientCertificates !== 'none' && config.clientTrustAnchors === null) {
    throw new ConfigError('tls.clientCertificates needs tls.clientTrustAnchors here');
  }
  const ca = config.clientTrustAnchors === null ? undefined : await readFile(config.clientTrustAnchors, 'utf8');
  return {
    key: credential.key,
    cert: credential.cert,
    ...(ca ? { ca, requestCert: true, rejectUnauthorized: config.clientCertificates === 'required' } : {}),
  };
}
