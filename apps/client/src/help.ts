/** The server and protection options of every command that talks to a CMP server. */
const CONNECTION = `server:
  --server URL          http(s)://host:port/path, tcp://host[:port] (829), ws(s)://host:port/path;
                        or host:port with --path P (HTTP, as openssl cmp)
  --path P              the HTTP path with a host:port --server
  --timeout S           bound on one exchange (default 30)
  --totaltimeout S      bound on polling for one request (default 600)
protection of requests (one of):
  --ref REF --secret S  a shared secret (S: pass:TEXT, env:VAR or file:PATH) and its reference
  --mac pbmac1|pbm      the MAC: PBMAC1 (default) or PasswordBasedMac (OpenSSL up to 3.5 knows only pbm)
  --digest sha256       sha256 (default), sha384 or sha512, for the MAC
  --iterations N        MAC iteration count
  --cert F --key F      a certificate and its key (--keypass S when encrypted; --extracerts F)
checking responses:
  --trusted F           trust anchors for signed responses (and for new certificates)
  --untrusted F         intermediate certificates
  --srvcert F           the server's certificate, pinned
  --recipient DN        header.recipient (default the NULL-DN)
  --unprotected-errors  accept refusals without valid protection (they still fail)
recording:
  --reqout F[,F..] --rspout F[,F..]  save the messages sent and received (DER)
  -v, --verbose         print every message on standard error
  -h, --help            show this text
`;

const ENROLL = (command: string, purpose: string, extra: string): string => `usage: cmpkit ${command} --server URL [options]

${purpose}
Progress lines go to standard error while the server makes the client wait and while a slow key
(RSA) is made. Nothing is sent when a new key or an output file could not be kept.

options:
${extra}  --subject DN          the subject, /O=Example/CN=device-1
  --issuer DN           the issuer asked for
  --sans NAMES          subjectAltNames, comma-separated (DNS names, IP addresses, URIs, emails)
  --days N              the validity asked for
  --profile NAME        the certificate profile (certProfile)
  --certout F           write the new certificate (PEM)
  --chainout F          write its chain
  --extracertsout F     write the response's extraCerts
  --cacertsout F        write the response's caPubs
  --out-trusted F       trust anchors for the new certificate (default --trusted, else caPubs)
  --implicit-confirm    ask for implicit confirmation
  --disable-confirm     send no certConf (non-standard)

${CONNECTION}`;

const NEW_KEY = `  --newkey SPEC|F       the new key: ec:P-256, ec:P-384, ec:P-521, rsa:BITS, ed25519 (made here),
                        or a key file (--newkeypass S when encrypted)
  --newkeyout F         write the key made here (required with a key spec)
  --centralkeygen       ask the CA to make the key (--newkey SPEC picks the algorithm; --newkeyout F)
`;

/** The help of each command. */
const HELP: Record<string, string> = {
  ir: ENROLL('ir', 'Initial registration: requests a first certificate (RFC 9810 5.3.1).', NEW_KEY),
  cr: ENROLL('cr', 'Certification request: requests another certificate (RFC 9810 5.3.3).', NEW_KEY),
  kur: ENROLL(
    'kur',
    'Key update: replaces a certificate and its key, signed with the old ones (RFC 9810 5.3.5).',
    `${NEW_KEY}  --oldcert F           the certificate to update (default --cert)\n`,
  ),
  p10cr: ENROLL(
    'p10cr',
    'PKCS#10 request: requests a certificate for a CSR (RFC 9810 5.3.4).',
    `  --csr F               the PKCS#10 request (PEM or DER)\n`,
  ),
  rr: `usage: cmpkit rr --server URL --oldcert F [options]

Asks the CA to revoke a certificate (RFC 9810 5.3.9).

options:
  --oldcert F           the certificate to revoke
  --revreason N         CRLReason code 0..10 (not 7), default 0

${CONNECTION}`,
  genm: `usage: cmpkit genm --server URL [--infotype NAME|OID]... [options]

Sends a general message and prints the answer (RFC 9810 5.3.19).

options:
  --infotype NAME|OID   caCerts, rootCaCert, certReqTemplate, crlStatusList, ... or an OID;
                        repeatable
  --profile NAME        the certificate profile it is about
  --json                print the answer as JSON

${CONNECTION}`,
  cacerts: `usage: cmpkit cacerts --server URL [--cacertsout F] [options]

Gets the CA certificates (RFC 9483 4.3.1).

options:
  --cacertsout F        write them (PEM)

${CONNECTION}`,
  rootupdate: `usage: cmpkit rootupdate --server URL --oldroot F [options]

Gets a root CA key update, verified with the root trusted now (RFC 9483 4.3.2).

options:
  --oldroot F           the root CA certificate trusted now
  --newwithnew F        write the new root
  --newwithold F        write the new root's key certified by the old root
  --oldwithnew F        write the old root's key certified by the new root

${CONNECTION}`,
  template: `usage: cmpkit template --server URL [--profile NAME] [options]

Gets the certificate request template (RFC 9483 4.3.3).

options:
  --profile NAME        the certificate profile
  --json                print it as JSON

${CONNECTION}`,
  crls: `usage: cmpkit crls --server URL --crldp URL [options]

Gets newer CRLs (RFC 9483 4.3.4).

options:
  --crldp URL           the CRL distribution point
  --crlout F            write them (PEM)

${CONNECTION}`,
  listen: `usage: cmpkit listen (--server tcp://...|ws(s)://... | --http-listen [HOST:]PORT) --trusted F [options]

Prints what the CA announces (ckuann, cann, rann, crlann), verified with --trusted. On tcp:// and
ws(s):// it authenticates on the connection (again, with backoff, while the server answers
systemFailure) and reconnects with backoff when it is lost; --http-listen receives announcements
POSTed over HTTP (RFC 9811 3.7) and answers a repeated one as delivered. A ckuann adds the new
root to the --trusted file.

options:
  --http-listen [HOST:]PORT  receive announcements over HTTP
  --json                one JSON object per line for each announcement (and event)
  --count N             stop after N announcements
  --auto-renew          run a kur on a revocationWarning for --cert (written over --cert/--key,
                        or to --certout/--newkeyout; --newkey SPEC, default ec:P-256)
  --certout F --newkeyout F  where --auto-renew writes

${CONNECTION}`,
  verify: `usage: cmpkit verify FILE (--secret S | --trusted F) [options]

Checks the protection of a message in FILE (DER, PEM or base64) and prints the verdict.

options:
  --secret S            the shared secret (pass:TEXT, env:VAR or file:PATH)
  --trusted F           trust anchors for a signature
  --untrusted F         intermediate certificates
  --at TIME             check at this ISO 8601 time instead of now
  -h, --help            show this text
`,
  dump: `usage: cmpkit dump FILE [--json]

Decodes a PKIMessage in FILE (DER, PEM or base64) and prints it as a tree, or as JSON.

options:
  --json                print JSON
  -h, --help            show this text
`,
  bench: `usage: cmpkit bench --server URL --ref REF --secret S [options]

Load test: complete ir enrollments; keys are made before the timing starts.

options:
  --concurrency N       enrollments in flight (default 4)
  --count N             enrollments (default 100), or
  --duration S          seconds to run
  --newkey SPEC         key spec of the enrolled keys (default ec:P-256)
  --implicit-confirm    ask for implicit confirmation

${CONNECTION}`,
};

/** True when the arguments after the command ask for help (`--help` or `-h` before any `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** The help of `command`, or undefined for an unknown one. */
export function commandHelp(command: string): string | undefined {
  return HELP[command];
}

/** Every command that has a help text (for tests). */
export const HELP_TOPICS: readonly string[] = Object.keys(HELP);
