// The README's main job: start the sample CA with its embedded defaults (a development PKI in a
// fresh data directory, HTTP on a free loopback port), then enroll a device with the sample
// client (ir with the shared secret), update its key (kur signed with the certificate) and
// revoke the new certificate (rr signed by its holder). Prints what happens; exits non-zero on
// any failure. Only processes this script starts are stopped.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverReady } from './server-ready.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'cmpkit-demo-'));
const serverBin = join(root, 'apps/server/bin/cmpkit-server.js');
const clientBin = join(root, 'apps/client/bin/cmpkit.js');

console.log(`$ cmpkit-server serve --data-dir ${dataDir} --port 0`);
const server = spawn(process.execPath, [serverBin, 'serve', '--data-dir', dataDir, '--port', '0'], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
const stop = () => {
  if (server.exitCode === null) server.kill('SIGTERM');
};
process.on('exit', stop);

const show = (text) => {
  for (const line of String(text).split('\n')) if (line.trim()) console.log(`  [server] ${line}`);
};
server.stderr.on('data', show);
// The server prints one JSON line on stdout once it listens, with the URL of every listener.
const url = (await serverReady(server, { onText: show })).listeners.http;

function cmpkit(...args) {
  console.log(`\n$ cmpkit ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [clientBin, ...args], { stdio: 'inherit' });
  if (result.status !== 0) {
    stop();
    console.error(`\ndemo failed: cmpkit ${args[0]} exited with status ${result.status}`);
    process.exit(1);
  }
}

const file = (name) => join(dataDir, name);
// --untrusted: the issuing CA, which signed requests send along in extraCerts (RFC 9483 section 3.3).
const common = ['--server', url, '--trusted', file('root-ca.pem'), '--untrusted', file('issuing-ca.pem')];
cmpkit(
  'ir',
  ...common,
  '--ref',
  'demo',
  '--secret',
  'pass:demo-secret-change-me',
  '--newkey',
  'ec:P-256',
  '--newkeyout',
  file('device.key'),
  '--subject',
  '/CN=device-0001',
  '--sans',
  'device-0001.example',
  '--certout',
  file('device.pem'),
);
cmpkit(
  'kur',
  ...common,
  '--cert',
  file('device.pem'),
  '--key',
  file('device.key'),
  '--newkey',
  'ec:P-256',
  '--newkeyout',
  file('device-2.key'),
  '--certout',
  file('device-2.pem'),
);
cmpkit(
  'rr',
  ...common,
  '--cert',
  file('device-2.pem'),
  '--key',
  file('device-2.key'),
  '--oldcert',
  file('device-2.pem'),
  '--revreason',
  '4',
);

console.log(`\ndone: device enrolled, key updated and the new certificate revoked; files in ${dataDir}`);
stop();
