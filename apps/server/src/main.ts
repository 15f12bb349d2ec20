import { parseArgs } from 'node:util';
import { isCmpError } from '@cmpkit/codec';
import type { CliEnvironment } from './cli-environment.js';
import { announcements } from './commands/announcements.js';
import { ca } from './commands/ca.js';
import { caCsr } from './commands/ca-csr.js';
import { cert } from './commands/cert.js';
import { certIssue } from './commands/cert-issue.js';
import { FileError } from './commands/command-files.js';
import { COMMON_OPTIONS } from './commands/command-context.js';
import { crl } from './commands/crl.js';
import { init } from './commands/init.js';
import { pending } from './commands/pending.js';
import { renewRequest } from './commands/renew-request.js';
import { revoke } from './commands/revoke.js';
import { parseServeSecret, secret } from './commands/secret.js';
import { showConfig } from './commands/show-config.js';
import { subscriber } from './commands/subscriber.js';
import { start } from './commands/start.js';
import { UsageError } from './commands/usage-error.js';
import { ConfigError } from './config/config-error.js';
import { RA_MODES } from './config/ra-config.js';
import { commandHelp, wantsHelp } from './help.js';
import { LOG_FORMATS } from './log/logger.js';
import { versionText } from './version.js';

export type { CliEnvironment } from './cli-environment.js';

const USAGE = `usage: cmpkit-server <command> [options]

commands:
  serve [--port P] [--host H]            serve CMP over HTTP (creates the CA on first start);
        [--tcp-port P] [--ws-port P]     also on / (OpenSSL's default path); 'start' is an alias;
        [--coap-port P]                  WebSocket on the HTTP port (ws.path) unless --ws-port;
                                         TCP only with --tcp-port (or tcp.port); CoAP (RFC 9482)
                                         on UDP and TCP port P and coap+ws on the HTTP port
                                         only with --coap-port (or coap.port);
        [--workers N]                    N worker processes behind the same ports, restarted when
                                         they die (node:cluster; default 1; 0: serve in this process)
        [--metrics-port P]               Prometheus metrics; GET /health and /ready on HTTP;
        [--secret REF:pass:TEXT]...      shared secrets of this process; prints a JSON ready line
        [--log-format text|json]
        [--tls]                          HTTPS, WSS and TLS for TCP (tcps://): the CA issues the
                                         server's certificate (tls-server.pem) unless tls.certificate
  init                                   create the CA material and the database, then exit
  init --import --ca-cert F --ca-key F|pkcs11:URI [--ca-chain F] [--cmp-cert F --cmp-key F|URI]
                                         use an existing CA (made with openssl or another CA):
                                         checked, copied to the ca.* files; a CMP certificate is
                                         issued by it unless given (or ca.cmpCredential "ca")
  serve --role ra --upstream URL         serve as a registration authority in front of the CA at URL
        [--ra-mode M]                    reprotect (default), raVerified, forward or nested
  init --role ra --ca-data-dir DIR       create development RA credentials issued by the CA in DIR
       [--ca-db LOCATION]                (recorded in the CA's database: DIR's SQLite file, or LOCATION)
  secret add REF [--secret pass:TEXT|env:VAR|file:PATH]
                                         store a shared secret (a random one when not given)
  secret list | secret remove REF        show or delete shared secrets
  pending list [--all]                   requests waiting for approval (--all: every one)
  pending approve ID                     issue the certificate at the client's next poll
  pending reject ID [--reason TEXT] [--fail-info notAuthorized|badCertTemplate]
  cert list [--all] [--json]             issued certificates (--all: revoked ones too)
  cert issue --subject DN --pubkey F [--profile P] [--out F]
                                         issue out of band and announce it to the holder (cann)
  revoke --serial HEX [--reason N|NAME]  revoke a certificate and publish a new CRL; announces the
                                         revocation to the holder (rann) and the CRL (crlann)
  renew-request --serial HEX --before T  ask the holder to re-enroll before T (ISO time or +N[smhd]):
                                         rann revocationWarning over TCP/WebSocket or HTTP push
  crl [--out F] [--new]                  print or write the current CRL (a new one is announced)
  ca certs [--out F] [--root-only]       print or write the CA certificates (issuing CA, root)
  ca csr --key F|pkcs11:URI --subject DN [--generate ec:P-256] [--out F]
                                         a PKCS#10 request for a CA key (generated first, on the
                                         token for a pkcs11: URI), for the parent CA to sign
  ca rollover [--days N]                 new root CA key (oldWithNew, newWithOld, newWithNew),
                                         served by genm rootCaCert and announced (ckuann)
  subscriber add URL [--subject DN]      POST announcements to URL (RFC 9811 3.7): for DN, or
                                         broadcasts (ckuann, crlann) only without --subject
  subscriber list | subscriber remove URL
  announcements [status]                 recipients, deliveries waiting, dead letters
  announcements dead-letter list [--json]
                                         announcements moved aside after their failed tries
  announcements dead-letter retry ID|--all [--subject DN]
                                         queue them again (and try at once)
  announcements dead-letter drop ID|--all [--subject DN]
  config                                 print the effective configuration as JSON
  help                                   show this text ('COMMAND --help': that command's)
  --version                              show the versions of cmpkit-server, its packages and Node.js

options of every command:
  --config F       JSON configuration file (see README); without it the embedded defaults apply
  --data-dir D     data directory (default ./.cmpkit-server)
  --db LOCATION    the database: a SQLite file, or postgres://USER@HOST/DB shared by several
                   instances (default: cmpkit-server.sqlite in the data directory)
`;

function portOf(text: string | undefined, option = '--port'): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`${option} must be a number from 0 to 65535, not '${text}'`);
  return Number(text);
}

function oneOf<T extends string>(text: string, allowed: readonly T[], option: string): T {
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`${option} must be ${allowed.join(', ')}, not '${text}'`);
  return text as T;
}

function workersOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 256)
    throw new UsageError(`--workers must be a number from 0 (no supervising primary) to 256, not '${text}'`);
  return Number(text);
}

/** Runs the `cmpkit-server` command line; resolves to the process exit status. */
export async function main(argv: readonly string[], env: CliEnvironment): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V' || command === 'version') {
    env.stdout(versionText('cmpkit-server'));
    return 0;
  }
  const help = command !== undefined && wantsHelp(rest) ? commandHelp(command, rest) : undefined;
  if (help !== undefined) {
    env.stdout(help);
    return 0;
  }
  try {
    switch (command) {
      case 'serve':
      case 'start': {
        const { values } = parseArgs({
          args: rest,
          options: {
            ...COMMON_OPTIONS,
            port: { type: 'string' },
            host: { type: 'string' },
            'tcp-port': { type: 'string' },
            'ws-port': { type: 'string' },
            'coap-port': { type: 'string' },
            workers: { type: 'string' },
            role: { type: 'string' },
            upstream: { type: 'string' },
            tls: { type: 'boolean' },
            'ra-mode': { type: 'string' },
            secret: { type: 'string', multiple: true },
            'log-format': { type: 'string' },
            'metrics-port': { type: 'string' },
          },
        });
        const {
          port: portText,
          'tcp-port': tcpText,
          'ws-port': wsText,
          'coap-port': coapText,
          'metrics-port': metricsText,
          workers: workersText,
          'ra-mode': raMode,
          'log-format': logFormat,
          secret: secretArgs,
          ...others
        } = values;
        const port = portOf(portText);
        const tcpPort = portOf(tcpText, '--tcp-port');
        const wsPort = portOf(wsText, '--ws-port');
        const coapPort = portOf(coapText, '--coap-port');
        const metricsPort = portOf(metricsText, '--metrics-port');
        const workers = workersOf(workersText);
        return await start(
          {
            ...others,
            ...(port === undefined ? {} : { port }),
            ...(tcpPort === undefined ? {} : { tcpPort }),
            ...(wsPort === undefined ? {} : { wsPort }),
            ...(coapPort === undefined ? {} : { coapPort }),
            ...(metricsPort === undefined ? {} : { metricsPort }),
            ...(workers === undefined ? {} : { workers }),
            ...(raMode === undefined ? {} : { raMode: oneOf(raMode, RA_MODES, '--ra-mode') }),
            ...(logFormat === undefined ? {} : { logFormat: oneOf(logFormat, LOG_FORMATS, '--log-format') }),
            ...(secretArgs ? { secrets: await Promise.all(secretArgs.map((arg) => parseServeSecret(arg, env))) } : {}),
          },
          env,
        );
      }
      case 'init': {
        const { values } = parseArgs({
          args: rest,
          options: {
            ...COMMON_OPTIONS,
            role: { type: 'string' },
            'ca-data-dir': { type: 'string' },
            'ca-db': { type: 'string' },
            'key-algorithm': { type: 'string' },
            import: { type: 'boolean' },
            'ca-cert': { type: 'string' },
            'ca-key': { type: 'string' },
            'ca-chain': { type: 'string' },
            'cmp-cert': { type: 'string' },
            'cmp-key': { type: 'string' },
          },
        });
        return await init(values, env);
      }
      case 'secret': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { ...COMMON_OPTIONS, secret: { type: 'string' } },
          allowPositionals: true,
        });
        const [action, ...args] = positionals;
        return await secret(action, args, values, env);
      }
      case 'pending': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { ...COMMON_OPTIONS, all: { type: 'boolean' }, reason: { type: 'string' }, 'fail-info': { type: 'string' } },
          allowPositionals: true,
        });
        const [action, ...args] = positionals;
        return await pending(action, args, values, env);
      }
      case 'cert': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: {
            ...COMMON_OPTIONS,
            all: { type: 'boolean' },
            json: { type: 'boolean' },
            subject: { type: 'string' },
            pubkey: { type: 'string' },
            profile: { type: 'string' },
            out: { type: 'string' },
          },
          allowPositionals: true,
        });
        const [action, ...args] = positionals;
        if (action === 'issue') {
          if (args.length) throw new UsageError(`cert issue takes no arguments, not '${args[0]}'`);
          return await certIssue(values, env);
        }
        return await cert(action, args, values, env);
      }
      case 'revoke': {
        const { values } = parseArgs({
          args: rest,
          options: { ...COMMON_OPTIONS, serial: { type: 'string' }, reason: { type: 'string' } },
        });
        return await revoke(values, env);
      }
      case 'renew-request': {
        const { values } = parseArgs({
          args: rest,
          options: { ...COMMON_OPTIONS, serial: { type: 'string' }, before: { type: 'string' } },
        });
        return await renewRequest(values, env);
      }
      case 'subscriber': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { ...COMMON_OPTIONS, subject: { type: 'string' } },
          allowPositionals: true,
        });
        const [action, ...args] = positionals;
        return await subscriber(action, args, values, env);
      }
      case 'announcements': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { ...COMMON_OPTIONS, subject: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' } },
          allowPositionals: true,
        });
        const [action, ...args] = positionals;
        return await announcements(action, args, values, env);
      }
      case 'crl': {
        const { values } = parseArgs({ args: rest, options: { ...COMMON_OPTIONS, out: { type: 'string' }, new: { type: 'boolean' } } });
        return await crl(values, env);
      }
      case 'ca': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: {
            ...COMMON_OPTIONS,
            out: { type: 'string' },
            'root-only': { type: 'boolean' },
            days: { type: 'string' },
            key: { type: 'string' },
            generate: { type: 'string' },
            subject: { type: 'string' },
          },
          allowPositionals: true,
        });
        if (positionals.length !== 1) throw new UsageError('ca needs certs, csr or rollover');
        if (positionals[0] === 'csr') return await caCsr(values, env);
        return await ca(positionals[0], values, env);
      }
      case 'config': {
        const { values } = parseArgs({ args: rest, options: COMMON_OPTIONS });
        return await showConfig(values, env);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        env.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    env.stderr(`cmpkit-server: ${describeError(error)}\n`);
    return error instanceof UsageError || isParseArgsError(error) ? 2 : 1;
  }
}

function isParseArgsError(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    (error as NodeJS.ErrnoException).code!.startsWith('ERR_PARSE_ARGS')
  );
}

function describeError(error: unknown): string {
  if (error instanceof UsageError || isParseArgsError(error)) return `${(error as Error).message}\n${USAGE}`;
  if (isCmpError(error) || error instanceof ConfigError || error instanceof FileError || error instanceof Error) return error.message;
  return String(error);
}
