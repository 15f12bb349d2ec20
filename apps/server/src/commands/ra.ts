import { join, resolve } from 'node:path';
import type { CliEnvironment } from '../cli-environment.js';
import type { ServerConfig } from '../config/server-config.js';
import { healthEndpoints } from '../ops/health-endpoints.js';
import { listenMetrics, type MetricsListener } from '../ops/metrics-listener.js';
import { observeStore } from '../ops/observed-store.js';
import { certificatesCheck, databaseCheck } from '../ops/readiness-checks.js';
import { createServerMetrics } from '../ops/server-metrics.js';
import { CA_FILES, isSlowKeyAlgorithm } from '../pki/ca-material.js';
import { issueDevRaMaterial, loadRaMaterial, type RaMaterial } from '../pki/ra-material.js';
import { coapListenerFor, coapUrlsOf } from '../server/coap-listener.js';
import { withCommandLineSecrets } from '../server/command-line-secrets.js';
import { createExchangeObserver } from '../server/exchange-observer.js';
import { listenHttp } from '../server/http-listener.js';
import { serverKeyDerivation } from '../server/key-derivation.js';
import { createRaService, raFilesOf } from '../server/ra-service.js';
import { readyLine } from '../server/ready-line.js';
import { loadExternalTrust } from '../pki/external-trust.js';
import type { ServerStore } from '@cmpkit/issuer';
import { openServerStore } from '../config/open-server-store.js';
import { fileTlsOptions } from '../tls/server-tls.js';
import { runtimeOf } from './command-context.js';
import type { Serving } from './serving.js';
import { UsageError } from './usage-error.js';

function waitForAbort(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return; // runs until the process is killed
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Opens the RA's database (device secrets, transactions, nonces); a new one gets the initial secret. */
async function openRaStore(config: ServerConfig, clock: () => Date, env: CliEnvironment): Promise<ServerStore> {
  const store = await openServerStore(config.database, clock, config.durability);
  if (store.migration.from === 0 && config.initialSecret && (await store.secrets.count()) === 0) {
    const { reference, secret } = config.initialSecret;
    await store.secrets.add(reference, secret);
    env.stdout(`shared secret for MAC-protected devices at the RA: reference '${reference}', secret '${secret}'\n`);
  }
  return store;
}

async function raMaterialOf(config: ServerConfig, crypto: Crypto): Promise<RaMaterial> {
  const files = raFilesOf(config);
  const material = await loadRaMaterial(files, crypto);
  if (!material) {
    throw new UsageError(
      `no RA credentials (${files.certificate}); run 'cmpkit-server init --role ra --ca-data-dir <CA data dir>' ` +
        'or set ra.certificate, ra.key and ra.trustAnchors',
    );
  }
  return material;
}

/**
 * `cmpkit-server init --role ra --ca-data-dir DIR`: development RA credentials issued by the CA in
 * DIR (profile ra, id-kp-cmcRA) and the RA database. Without --ca-data-dir only the database is
 * created (the credentials are then given as files).
 */
export async function initRa(config: ServerConfig, caDataDir: string | undefined, env: CliEnvironment): Promise<number> {
  const { clock, crypto, cwd } = runtimeOf(env);
  const files = raFilesOf(config);
  if (await loadRaMaterial(files, crypto)) {
    env.stdout(`${config.dataDir} already holds RA credentials (${files.certificate})\n`);
  } else if (caDataDir !== undefined) {
    const dir = resolve(cwd, caDataDir);
    if (isSlowKeyAlgorithm(config.ra.keyAlgorithm)) env.stderr(`generating the RA key (${config.ra.keyAlgorithm})...\n`);
    await issueDevRaMaterial(dir, config.ra, files, config.dataDir, { crypto, clock });
    env.stdout(
      `created RA credentials in ${config.dataDir}, issued by the CA in ${dir} (${join(dir, CA_FILES.issuingCertificate)}):\n` +
        `  RA certificate and chain  ${files.certificate}\n` +
        `  RA private key            ${files.key}\n` +
        `  CA root                   ${files.trustAnchors}\n`,
    );
  } else {
    throw new UsageError(
      'init --role ra needs --ca-data-dir (the CA that issues the RA certificate), or RA credential files in ra.certificate/ra.key/ra.trustAnchors',
    );
  }
  await (await openRaStore(config, clock, env)).close();
  return 0;
}

/**
 * `cmpkit-server serve --role ra --upstream URL`: the registration authority in front of the CA at
 * URL, until `env.signal` aborts.
 */
export async function startRa(config: ServerConfig, env: CliEnvironment, serving: Serving): Promise<number> {
  const upstream = config.ra.upstream;
  if (!upstream) throw new UsageError('--role ra needs --upstream URL (or ra.upstream in the configuration)');
  const { logger, scope } = serving;
  const { clock, crypto } = runtimeOf(env);
  const material = await raMaterialOf(config, crypto);
  const externalTrust = await loadExternalTrust(config.externalAnchors);
  const metrics = config.metrics.port === null ? undefined : createServerMetrics();
  const opened = await openRaStore(config, clock, env);
  const store = metrics ? observeStore(opened, metrics.store) : opened;
  let metricsListener: MetricsListener | undefined;
  const keyDerivation = serverKeyDerivation();
  try {
    const observer = createExchangeObserver({ logger, scope, ...(metrics ? { metrics } : {}) });
    const service = createRaService({
      config,
      material,
      store,
      upstream,
      externalTrust,
      clock,
      crypto,
      logger,
      secrets: withCommandLineSecrets(store.secrets, serving.secrets),
      onExchange: observer.onExchange,
      keyDerivation,
    });
    let stopping = false;
    const route = healthEndpoints({
      checks: [databaseCheck(() => store.secrets.count()), certificatesCheck('raCredentials', () => ({ RA: material.certificate }), clock)],
      stopping: () => stopping,
    });
    const handle = observer.observe(service.handle);
    const { tls: httpTls, ...httpConfig } = config.http;
    const http = await listenHttp(handle, {
      ...httpConfig,
      logger,
      route,
      ...(httpTls ? { tls: await fileTlsOptions(config.tls) } : {}),
    });
    const closeOnFailure = async (error: unknown): Promise<never> => {
      await http.close(0);
      throw error;
    };
    // Devices on CoAP, the CA on HTTP (or any transport): the CoAP-to-HTTP proxy case of RFC 9482 section 4.
    const coap = config.coap.port === null ? undefined : await coapListenerFor(handle, config, http, logger).catch(closeOnFailure);
    if (metrics && config.metrics.port !== null) {
      metricsListener = await listenMetrics({ ...config.metrics, port: config.metrics.port, collect: metrics.collect, logger }).catch(
        async (error: unknown) => {
          await coap?.close();
          return closeOnFailure(error);
        },
      );
    }
    const sweep = setInterval(() => {
      service.expireTransactions().catch((error: unknown) => logger.error('expiring transactions failed', { error }));
    }, config.expirySweepSeconds * 1000);
    sweep.unref();
    logger.info('RA listening', { url: http.url, ...coapUrlsOf(coap), upstream, mode: config.ra.mode, dataDir: config.dataDir });
    const address = {
      host: http.host,
      port: http.port,
      url: http.url,
      ...coapUrlsOf(coap),
      ...(metricsListener ? { metricsUrl: metricsListener.url } : {}),
    };
    env.stdout(readyLine('ra', address, config.dataDir));
    env.onListening?.(address);
    await waitForAbort(env.signal);
    stopping = true;
    logger.info('shutting down');
    clearInterval(sweep);
    await metricsListener?.close();
    await coap?.close();
    await http.close();
    logger.info('stopped');
    return 0;
  } finally {
    await keyDerivation.deriver.close();
    await store.close();
  }
}
