import { parseArgs } from 'node:util';
import { isCmpError } from '@cmpkit/codec';
import { CMP_OPTIONS, type CmpOptionValues } from './cmp-options.js';
import { BENCH_OPTIONS, benchCommand, type BenchValues } from './commands/bench.js';
import { dump } from './commands/dump.js';
import { enrollCommand } from './commands/enroll.js';
import { caCertsCommand, crlsCommand, genmCommand, rootUpdateCommand, templateCommand } from './commands/general-message.js';
import { LISTEN_OPTIONS, listenCommand, type ListenValues } from './commands/listen.js';
import { revokeCommand } from './commands/revoke.js';
import { verifyCommand } from './commands/verify.js';
import { CliError } from './cli-error.js';
import { ExplainedError } from './explain-failure.js';
import { FileError } from './files.js';
import { commandHelp, wantsHelp } from './help.js';
import { versionText } from './version.js';
import type { Io } from './io.js';

const USAGE = `usage: cmpkit <command> [options]

commands:
  ir | cr | kur | p10cr  request a certificate (--newkey, --newkeypass, --subject, --issuer, --sans,
                         --days, --csr, --oldcert)
  rr                     revoke a certificate (--oldcert, --revreason)
  genm                   send a general message (--infotype NAME|OID, repeatable)
  cacerts                get the CA certificates (--cacertsout)
  rootupdate             get a root CA update (--oldroot, --newwithnew, --newwithold, --oldwithnew)
  template               get the certificate request template (--profile)
  crls                   get newer CRLs (--crldp URL, --crlout)
  listen                 print what the CA announces (ckuann, cann, rann, crlann), verified with
                         --trusted: --server tcp://|ws(s)://|coap(+tcp|+ws):// (authenticates on the connection)
                         and/or --http-listen [HOST:]PORT (RFC 9811 3.7 push); a ckuann adds the
                         new root to the --trusted file; --auto-renew: kur on a revocationWarning
                         (--cert/--key, --newkey ec:P-256, --certout, --newkeyout); --count N
  verify FILE            check a message's protection (--secret, --trusted, --untrusted, --at)
  dump FILE [--json]     decode a PKIMessage (DER, PEM or base64) and print it
  bench                  load test: full ir enrollments (--concurrency N (4), --count N (100) |
                         --duration S, --implicit-confirm, --newkey ec:P-256); keys made before timing;
                         --prebuilt: every ir (implicitConfirm) built and protected before timing,
                         then only sent, so the figure is the server's
  help                   show this text ('COMMAND --help': that command's options)
  --version              show the versions of cmpkit, its packages and Node.js

server and protection (as in openssl cmp):
  --server URL (http(s)://host:port/path, tcp(s)://host[:port] (829), ws(s)://host:port/path, coap(+tcp|+ws)://host[:port][/path] (5683))  --path P  --ref REF --secret pass:S|env:VAR|file:F  --mac pbmac1|pbm  --digest sha256
  --tls-trusted F (roots of the server's TLS certificate; default the system's)  --tls-cert F --tls-key F
  (client certificate for mutual TLS)  --tls-host NAME (name checked in the server's certificate)
  --iterations N (MAC iteration count)
  --cert F --key F --keypass S --extracerts F  --srvcert F --trusted F --untrusted F  --recipient DN
  --out-trusted F (anchors for new certificates; default --trusted, else caPubs of a MAC response)
  --kem-cert F --kem-key F (protect with KEM-based MAC from this ML-KEM certificate, RFC 9810 5.1.3.4)
  --srv-kem-cert F (the server's ML-KEM certificate: its responses come under KEM-based MAC)
  --certout F --chainout F --extracertsout F --cacertsout F --newkeyout F  --implicit-confirm
  --disable-confirm  --centralkeygen [--newkey ec:P-256|rsa:2048|ed25519|ml-dsa-65]  --unprotected-errors
  --profile NAME  --reqout F[,F..] --rspout F[,F..]  --verbose  --timeout S  --totaltimeout S
`;

function cmpArgs(args: readonly string[]): { values: CmpOptionValues; positionals: string[] } {
  const { values, positionals } = parseArgs({ args: [...args], options: CMP_OPTIONS, allowPositionals: true, strict: true });
  return { values: values as CmpOptionValues, positionals };
}

/** Runs the `cmpkit` command line; resolves to the process exit status. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V' || command === 'version') {
    io.stdout(versionText('cmpkit'));
    return 0;
  }
  const help = command !== undefined && wantsHelp(rest) ? commandHelp(command) : undefined;
  if (help !== undefined) {
    io.stdout(help);
    return 0;
  }
  try {
    switch (command) {
      case 'dump': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { json: { type: 'boolean', default: false } },
          allowPositionals: true,
        });
        if (positionals.length !== 1) throw new UsageError('dump needs exactly one FILE');
        return await dump({ file: positionals[0] as string, json: values.json }, io);
      }
      case 'ir':
      case 'cr':
      case 'kur':
      case 'p10cr':
        return await enrollCommand(command, noPositionals(cmpArgs(rest)), io);
      case 'rr':
        return await revokeCommand(noPositionals(cmpArgs(rest)), io);
      case 'genm':
        return await genmCommand(noPositionals(cmpArgs(rest)), io);
      case 'cacerts':
        return await caCertsCommand(noPositionals(cmpArgs(rest)), io);
      case 'rootupdate':
        return await rootUpdateCommand(noPositionals(cmpArgs(rest)), io);
      case 'template':
        return await templateCommand(noPositionals(cmpArgs(rest)), io);
      case 'crls':
        return await crlsCommand(noPositionals(cmpArgs(rest)), io);
      case 'bench': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          options: { ...CMP_OPTIONS, ...BENCH_OPTIONS },
          allowPositionals: true,
          strict: true,
        });
        if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
        return await benchCommand(values as CmpOptionValues & BenchValues, io);
      }
      case 'listen': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          options: { ...CMP_OPTIONS, ...LISTEN_OPTIONS },
          allowPositionals: true,
          strict: true,
        });
        if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
        return await listenCommand(values as CmpOptionValues & ListenValues, io);
      }
      case 'verify': {
        const { values, positionals } = cmpArgs(rest);
        if (positionals.length !== 1) throw new UsageError('verify needs exactly one FILE');
        return await verifyCommand(positionals[0] as string, values, io);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    io.stderr(`cmpkit: ${describeError(error)}\n`);
    if (error instanceof ExplainedError && error.hint) io.stderr(`cmpkit: hint: ${error.hint}\n`);
    const parseError = String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');
    return error instanceof UsageError || error instanceof CliError || parseError ? 2 : 1;
  }
}

class UsageError extends Error {
  override name = 'UsageError';
}

function noPositionals(parsed: { values: CmpOptionValues; positionals: string[] }): CmpOptionValues {
  if (parsed.positionals.length) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
  return parsed.values;
}

function describeError(error: unknown): string {
  if (isCmpError(error) || error instanceof ExplainedError || error instanceof FileError) return error.message;
  if (error instanceof UsageError) return `${error.message}\n${USAGE}`;
  if (error instanceof Error) {
    // One line: the message, then whatever the chain of causes adds (say `connect ECONNREFUSED`).
    let text = error.message;
    for (let cause = error.cause, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
      if (cause.message && !text.includes(cause.message)) text += ` (${cause.message})`;
    }
    return text.replace(/\s*\n\s*/g, ' ');
  }
  return String(error);
}
