import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProtocolError, RemoteError, type AnnouncementEvent, type CmpClient } from '@cmpkit/core';
import { toAnnouncementNodeListener } from '@cmpkit/transport-http';
import { writeCertificates } from '../certificates.js';
import { clientFromOptions, serverUrl } from '../client-setup.js';
import type { CmpOptionValues } from '../cmp-options.js';
import { checkOutputFiles } from '../files.js';
import { announcementJson, certificateJson } from '../format/announcement-json.js';
import { describeCertificate } from '../format/describe-certificate.js';
import type { Io } from '../io.js';
import { generateKeyPair, isKeySpec, writePrivateKey } from '../keys.js';
import { CliError } from '../cli-error.js';

/** parseArgs descriptions of the options `cmpkit listen` adds to the CMP options. */
export const LISTEN_OPTIONS = {
  'http-listen': { type: 'string' },
  'auto-renew': { type: 'boolean' },
  count: { type: 'string' },
} as const;

/** The options `cmpkit listen` adds to the CMP options. */
export interface ListenValues {
  'http-listen'?: string;
  'auto-renew'?: boolean;
  count?: string;
}

/** The server could not take the authentication now (e.g. its store was busy) and says to try again. */
function isSystemFailure(error: unknown): boolean {
  return error instanceof RemoteError && error.failInfo.includes('systemFailure');
}

/** The first wait before authenticating again after a systemFailure; it doubles up to {@link MAX_AUTH_RETRY_MS}. */
const FIRST_AUTH_RETRY_MS = 1000;
const MAX_AUTH_RETRY_MS = 60_000;

/** A repeated announcement: the client saw its senderNonce before (core's receiveAnnouncement). */
function isDuplicate(error: unknown): boolean {
  return error instanceof ProtocolError && error.failInfo.includes('badSenderNonce');
}

function hex(value: bigint): string {
  return value.toString(16);
}

/** One line for a verified announcement. */
function describeEvent(event: AnnouncementEvent): string {
  switch (event.type) {
    case 'ckuann':
      return `ckuann: new root CA ${describeCertificate(event.update.newWithNew) ?? ''} (newWithOld verified with the old root), now trusted`;
    case 'cann':
      return `cann: certificate ${describeCertificate(event.certificate) ?? ''}`;
    case 'rann':
      return (
        `rann: ${event.statusName} serial=${hex(event.certId.serialNumber)} willBeRevokedAt=${event.willBeRevokedAt.toISOString()}` +
        `${event.ownCertificate ? ' (our certificate)' : ''}`
      );
    case 'crlann':
      return `crlann: ${event.crls.length} CRL(s)`;
  }
}

/** `host:port`, `:port` or `port` of --http-listen; the host defaults to 127.0.0.1. */
function listenAddress(text: string): { host: string; port: number } {
  const match = /^(?:(.*):)?(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || !(port >= 0 && port <= 65535)) throw new CliError(`--http-listen '${text}' must be [HOST:]PORT`);
  const host = (match[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '127.0.0.1' : host, port };
}

/**
 * `cmpkit listen`: waits for what the CA announces (RFC 9810 5.3.13 to 5.3.16) and prints each
 * verified announcement on stdout (refused ones on stderr). On `tcp://`, `ws(s)://` and CoAP
 * (`coap://`, `coap+tcp://`, `coap+ws://`: after observing the announcements) it authenticates on
 * the connection first (a protected genm caCerts), so the server knows where to
 * push; `--http-listen [HOST:]PORT` receives announcements POSTed over HTTP (RFC 9811 section 3.7).
 * An announcement received before (its senderNonce seen: the answer to the first delivery was
 * lost) is acknowledged as delivered and not acted on again. `--json` prints one JSON object per
 * line instead of text (see {@link announcementJson}). Over TCP and WebSocket a lost connection is
 * re-established with backoff, and the client authenticates on it again; an authentication the
 * server refuses with systemFailure (it could not record where to push) is tried again with backoff.
 * A verified ckuann adds the new root to the `--trusted` file. `--auto-renew` answers a
 * revocationWarning for our certificate (`--cert`) with a kur and writes the new certificate and
 * key over `--cert`/`--key` (or to `--certout`/`--newkeyout`). Runs until interrupted, or until
 * `--count N` announcements were handled.
 */
export async function listenCommand(values: CmpOptionValues & ListenValues, io: Io): Promise<number> {
  const url = serverUrl(values);
  const json = values.json === true;
  /** One line on stdout: the text, or with --json the JSON object. */
  const report = (text: string, object: Record<string, unknown>): void => io.stdout(`${json ? JSON.stringify(object) : text}\n`);
  /** A refused announcement on stderr; a repeated one (delivery is at least once) is no fault. */
  const refused = (error: unknown): void =>
    io.stderr(
      isDuplicate(error)
        ? `cmpkit: an announcement received before came again (${(error as Error).message}); acknowledged, not acted on\n`
        : `cmpkit: announcement refused: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  const pushCapable = /^(tcp|wss?|coap|coap\+tcp|coap\+ws):/i.test(url);
  if (!pushCapable && values['http-listen'] === undefined) {
    throw new CliError(
      'listen needs a tcp://, ws(s)://, coap://, coap+tcp:// or coap+ws:// --server, or --http-listen [HOST:]PORT for announcements pushed over HTTP',
    );
  }
  if (!values.trusted) throw new CliError('listen needs --trusted (announcements are believed only when signed under a trust anchor)');
  const trustedFile = values.trusted;
  const count = values.count === undefined ? undefined : Number(values.count);
  if (count !== undefined && !(Number.isInteger(count) && count > 0))
    throw new CliError(`--count '${values.count}' is not a positive integer`);
  const autoRenew = values['auto-renew'] === true;
  if (autoRenew && (!values.cert || !values.key))
    throw new CliError('--auto-renew needs --cert and --key (the certificate to renew, and the key that signs the kur)');
  const keySpec = values.newkey ?? 'ec:P-256';
  if (autoRenew && !isKeySpec(keySpec))
    throw new CliError(`--auto-renew makes its key from --newkey ec:P-256|rsa:2048|ed25519, not '${keySpec}'`);
  // What a ckuann or a renewal writes must be writable before anything arrives.
  await checkOutputFiles([
    ['--trusted', trustedFile],
    ...(autoRenew
      ? ([
          [values.certout ? '--certout' : '--cert', values.certout ?? values.cert],
          [values.newkeyout ? '--newkeyout' : '--key', values.newkeyout ?? values.key],
        ] as const)
      : []),
  ]);

  // The transport's push callback is made before the client exists.
  const late: { client?: CmpClient } = {};
  let hello: (() => void) | undefined;
  let newKey: CryptoKeyPair | undefined;
  const cli = await clientFromOptions(
    values,
    io,
    pushCapable ? { onPush: (message) => late.client?.receivePush(message), onConnect: () => hello?.(), reconnect: true } : {},
    autoRenew
      ? {
          autoRenew: {
            newKeyPair: async () => (newKey = await generateKeyPair(keySpec)),
          },
        }
      : {},
  );
  const client = cli.client;
  late.client = client;
  let http: Server | undefined;
  try {
    let handled = 0;
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const done = (): void => {
      handled++;
      if (count !== undefined && handled >= count) finish();
    };
    const work = new Set<Promise<void>>();
    const track = (promise: Promise<void>): void => {
      work.add(promise);
      void promise.finally(() => work.delete(promise));
    };

    client.onAnnouncement((event) => {
      report(describeEvent(event), announcementJson(event));
      if (event.type === 'ckuann') {
        track(
          writeCertificates('--trusted', trustedFile, client.trustAnchors())
            .then(() => report(`trust anchors written to ${trustedFile}`, { event: 'trustAnchorsWritten', file: trustedFile }))
            .catch((error: unknown) => io.stderr(`cmpkit: ${(error as Error).message}\n`))
            .finally(done),
        );
        return;
      }
      if (event.type === 'rann' && event.renewal) {
        const renewal = event.renewal;
        track(
          renewal
            .then(async (result) => {
              const certout = values.certout ?? values.cert!;
              const keyout = values.newkeyout ?? values.key!;
              await writeCertificates(values.certout ? '--certout' : '--cert', certout, [result.certificate]);
              if (newKey) await writePrivateKey(values.newkeyout ? '--newkeyout' : '--key', keyout, newKey.privateKey);
              report(`kur: renewed ${describeCertificate(result.certificate) ?? ''}; written to ${certout} and ${keyout}`, {
                event: 'renewed',
                certificate: certificateJson(result.certificate),
                certificateFile: certout,
                keyFile: keyout,
              });
            })
            .catch((error: unknown) => io.stderr(`cmpkit: automatic renewal failed: ${(error as Error).message}\n`))
            .finally(done),
        );
        return;
      }
      done();
    }, refused);

    if (values['http-listen'] !== undefined) {
      const { host, port } = listenAddress(values['http-listen']);
      const receiver = toAnnouncementNodeListener(
        async (message) => {
          try {
            await client.receiveAnnouncement(message);
            return 'stored';
          } catch (error) {
            refused(error);
            // RFC 9811 3.7: a repeat means our answer to the first delivery was lost. It was
            // delivered: say so, or the CA keeps retrying it and holds back what follows.
            return isDuplicate(error) ? 'accepted' : 'rejected';
          }
        },
        { basePath: '/' },
      );
      const server = createServer(receiver);
      http = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const hostText = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const listening = `http://${hostText}:${address.port}/`;
      report(`listening for announcements pushed over HTTP on ${listening}`, { event: 'listening', url: listening });
    }

    if (pushCapable) {
      // A protected request on the connection makes us reachable there; again after a reconnection.
      // A systemFailure (the server could not record where we are) is tried again with backoff:
      // answered or not, only an accepted request makes the server push to us.
      let connection = 0;
      const authenticate = async (): Promise<void> => {
        const mine = connection;
        for (let wait = FIRST_AUTH_RETRY_MS; ; wait = Math.min(wait * 2, MAX_AUTH_RETRY_MS)) {
          try {
            await client!.getCaCertificates();
            return;
          } catch (error) {
            if (!isSystemFailure(error) || io.signal?.aborted || mine !== connection) throw error;
            io.stderr(`cmpkit: cannot authenticate on ${url}: ${(error as Error).message}; trying again in ${wait / 1000} s\n`);
          }
          // Resolves after `wait`; an abort (stop) ends the wait early, checked below.
          await sleep(wait, undefined, io.signal ? { signal: io.signal } : {}).catch(() => {});
          // Stopped, or a newer connection authenticates itself.
          if (io.signal?.aborted || mine !== connection) return;
        }
      };
      let connected = false;
      hello = () => {
        connection++;
        if (connected)
          track(
            authenticate().catch((error: unknown) => io.stderr(`cmpkit: cannot authenticate on ${url}: ${(error as Error).message}\n`)),
          );
      };
      await cli.transport.connect();
      await authenticate();
      connected = true;
      report(`listening for announcements on ${url}`, { event: 'listening', url });
    }

    const stopped = new Promise<void>((resolve) => {
      if (io.signal?.aborted) resolve();
      io.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([finished, stopped]);
    while (work.size) await Promise.allSettled([...work]);
    return 0;
  } finally {
    if (http) {
      const server = http;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    }
    await cli.close();
  }
}
