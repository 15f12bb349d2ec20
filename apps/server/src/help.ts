/** The options every command takes, as the help of each command lists them. */
const COMMON = `common options:
  --config F        JSON configuration file (see README); without it the embedded defaults apply
  --data-dir D      data directory (default ./.cmpkit-server)
  --db LOCATION     the database: a SQLite file, or postgres://USER@HOST/DB (default:
                    cmpkit-server.sqlite in the data directory)
  -h, --help        show this text
`;

const SERVE = `usage: cmpkit-server serve [options]     ('start' is an alias)

Serves CMP over HTTP on http.path and on / (OpenSSL's default path), WebSocket on the HTTP port
(or --ws-port), TCP with --tcp-port; creates the CA and the database on first start. Once every
listener is up it prints one JSON line on standard output:
  {"event":"ready","role":"ca","listeners":{"http":URL,"ws":URL,"tcp":URL,"metrics":URL},...}
GET /health (liveness) and GET /ready (database reachable, CA material loaded) answer on the
HTTP port. SIGINT/SIGTERM stop it gracefully.

options:
  --port P              HTTP port (0: a free one)
  --host H              HTTP address (default 127.0.0.1)
  --tcp-port P          also serve CMP over TCP on P
  --ws-port P           serve WebSocket on a port of its own
  --metrics-port P      Prometheus metrics at http://HOST:P/metrics (metrics.host)
  --workers N           N processes behind the same ports (node:cluster)
  --secret REF:SECRET   a shared secret for MAC-protected requests while this process runs, in
                        front of the stored ones; SECRET is pass:TEXT, env:VAR or file:PATH;
                        repeatable
  --log-format F        text (default) or json: one JSON object per line, the transactionID on
                        every line of a transaction
  --role ca|ra          serve as the CA (default) or as a registration authority
  --upstream URL        the CA's CMP URL (role ra)
  --ra-mode M           reprotect (default), raVerified, forward or nested (role ra)
`;

const SECRET = `usage: cmpkit-server secret add REF [--secret pass:TEXT|env:VAR|file:PATH]
       cmpkit-server secret list
       cmpkit-server secret remove REF

Stores, lists (references only, never the secrets) or deletes the shared secrets that
MAC-protected requests use (senderKID REF). 'add' without --secret generates and prints one.
`;

const PENDING = `usage: cmpkit-server pending list [--all]
       cmpkit-server pending approve ID
       cmpkit-server pending reject ID [--reason TEXT] [--fail-info notAuthorized|badCertTemplate]

Requests waiting for an operator (profile requireApproval). 'list --all' shows every waiting,
issued or rejected request, delayed ones too; 'approve' issues at the client's next poll;
'reject' answers its next poll with a rejection carrying the reason.
`;

const CERT = `usage: cmpkit-server cert list [--all] [--json]
       cmpkit-server cert issue --subject DN --pubkey F [--profile P] [--out F]

'list': issued certificates, newest first (--all: revoked ones too; --json: every field).
'issue': issues a certificate for a public key (PEM PUBLIC KEY) without a CMP transaction and
announces it to the holder (cann); --out writes it.
`;

const CA = `usage: cmpkit-server ca certs [--out F] [--root-only]
       cmpkit-server ca rollover [--days N]

'certs': prints or writes the CA certificates (issuing CA, root) for a client's trust settings.
'rollover': root CA key update (RFC 9810 4.4): a new root (valid N days), newWithOld and
oldWithNew, the issuing CA certified again; announced to everyone (ckuann).
`;

const SUBSCRIBER = `usage: cmpkit-server subscriber add URL [--subject DN]
       cmpkit-server subscriber list
       cmpkit-server subscriber remove URL

HTTP push subscribers (RFC 9811 3.7): announcements are POSTed to URL; with --subject those for
that end entity and every broadcast, without only the broadcasts (ckuann, crlann).
`;

/** The help of each command, and of each subcommand where it says more. */
const HELP: Record<string, string> = {
  serve: SERVE,
  start: SERVE,
  init: `usage: cmpkit-server init [--role ca|ra] [--ca-data-dir DIR]

Creates the CA material and the database, then exits. With --role ra: development RA
credentials issued by the CA in --ca-data-dir DIR, and the RA database.
`,
  secret: SECRET,
  'secret add': SECRET,
  'secret list': SECRET,
  'secret remove': SECRET,
  pending: PENDING,
  'pending list': PENDING,
  'pending approve': PENDING,
  'pending reject': PENDING,
  cert: CERT,
  'cert list': CERT,
  'cert issue': CERT,
  revoke: `usage: cmpkit-server revoke --serial HEX [--reason N|NAME]

Revokes a certificate (serial as 'openssl x509 -serial' prints it, colons allowed), publishes a
new CRL, announces the revocation to the holder (rann) and the CRL to everyone (crlann).
`,
  'renew-request': `usage: cmpkit-server renew-request --serial HEX --before TIME

Asks the holder to re-enroll before TIME (ISO 8601, or +N with s, m, h, d): rann with status
revocationWarning and willBeRevokedAt TIME, over TCP/WebSocket or HTTP push.
`,
  crl: `usage: cmpkit-server crl [--out F] [--new]

Prints the current CRL as PEM, or writes it (DER for .der/.crl). Signs a new one when it is past
nextUpdate or with --new, and announces it (crlann).
`,
  ca: CA,
  'ca certs': CA,
  'ca rollover': CA,
  subscriber: SUBSCRIBER,
  'subscriber add': SUBSCRIBER,
  'subscriber list': SUBSCRIBER,
  'subscriber remove': SUBSCRIBER,
  config: `usage: cmpkit-server config

Prints the effective configuration (defaults, the --config file, the options) as JSON; the
initial secret is hidden.
`,
};

/** True when the arguments after the command ask for help (`--help` or `-h` before any `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/**
 * The help of `command` (and of its subcommand, the first of `args` that is one), with the common
 * options; undefined for an unknown command.
 */
export function commandHelp(command: string, args: readonly string[]): string | undefined {
  const sub = args.find((arg) => HELP[`${command} ${arg}`] !== undefined);
  const text = HELP[sub === undefined ? command : `${command} ${sub}`];
  return text === undefined ? undefined : `${text}\n${COMMON}`;
}

/** Every command and subcommand that has a help text (for tests). */
export const HELP_TOPICS: readonly string[] = Object.keys(HELP);
