// pnpm release:check: checks what `pnpm publish` would ship, the way a user gets it. Packs every
// public package with pnpm (workspace: ranges become versions), then for each tarball:
//   - no `workspace:` range is left in its package.json;
//   - publint --strict (warnings fail; suggestions are printed);
//   - are-the-types-wrong (every resolution mode: node10, node16 CJS and ESM, bundler);
// and installs all tarballs into a fresh npm project in a temporary folder (npm, not pnpm; the
// cmpkit packages from the tarballs only, their dependencies from the registry), where each
// package is loaded with `import` and with `require` (the same export names both ways), and the
// README's CA service (examples/ca-service.mjs) runs and a device enrolls with it
// (examples/enroll-device.mjs: ir, kur, rr).
//
// Run after `pnpm build` (the `release:check` script builds first). `--keep` keeps the folder.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'cmpkit-release-check-'));
const tarballs = join(work, 'tarballs');
const project = join(work, 'project');
const failures = [];

function step(title) {
  console.log(`\n== ${title}`);
}

function fail(message) {
  failures.push(message);
  console.log(`FAIL ${message}`);
}

/** pnpm as this script was started by (`pnpm release:check`), else the pinned one through npx. */
function pnpm(args, cwd) {
  const execPath = process.env.npm_execpath ?? '';
  const [command, prefix] = /pnpm/.test(execPath)
    ? [process.execPath, [execPath]]
    : [process.platform === 'win32' ? 'npx.cmd' : 'npx', ['--yes', 'pnpm@10.34.8']];
  return execFileSync(command, [...prefix, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function run(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

const packages = readdirSync(join(root, 'packages'))
  .map((folder) => ({ folder, json: JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')) }))
  .filter(({ json }) => json.private !== true)
  .map(({ folder, json }) => ({ folder, name: json.name, version: json.version }));

step(`pack ${packages.length} public packages`);
mkdirSync(tarballs, { recursive: true });
for (const pkg of packages) {
  const before = new Set(readdirSync(tarballs));
  pnpm(['pack', '--pack-destination', tarballs], join(root, 'packages', pkg.folder));
  const file = readdirSync(tarballs).find((f) => !before.has(f));
  if (!file) throw new Error(`pnpm pack wrote no tarball for ${pkg.name}`);
  pkg.tarball = join(tarballs, file);
  const manifest = run('tar', ['-xOzf', pkg.tarball, 'package/package.json']);
  if (manifest.includes('workspace:')) fail(`${pkg.name}: the packed package.json still has a workspace: range`);
  for (const field of ['repository', 'homepage', 'bugs', 'license']) {
    if (JSON.parse(manifest)[field] === undefined) fail(`${pkg.name}: package.json has no ${field}`);
  }
  const files = run('tar', ['-tzf', pkg.tarball]).trim().split('\n');
  console.log(`${pkg.name}@${pkg.version}: ${file} (${files.length} files)`);
}

step('publint --strict');
for (const pkg of packages) {
  const tarball = readFileSync(pkg.tarball);
  const { messages, pkg: manifest } = await publint({
    pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
    strict: true,
    level: 'suggestion',
  });
  for (const message of messages) {
    const text = `${pkg.name}: ${message.type}: ${formatMessage(message, manifest)}`;
    if (message.type === 'suggestion') console.log(text);
    else fail(text);
  }
  if (!messages.some((m) => m.type !== 'suggestion')) console.log(`${pkg.name}: clean`);
}

step('are-the-types-wrong');
const attw = join(root, 'node_modules/.bin/attw');
for (const pkg of packages) {
  try {
    run(attw, [pkg.tarball, '--format', 'ascii']);
    console.log(`${pkg.name}: clean`);
  } catch (error) {
    fail(`${pkg.name}: are-the-types-wrong found problems:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
}

step('install the tarballs into a fresh npm project');
mkdirSync(project);
const fromTarballs = Object.fromEntries(packages.map((pkg) => [pkg.name, `file:${pkg.tarball}`]));
writeFileSync(
  join(project, 'package.json'),
  JSON.stringify(
    // overrides: every @cmpkit dependency of a tarball is the tarball too, never the registry's.
    { name: 'cmpkit-release-check', private: true, type: 'module', dependencies: fromTarballs, overrides: fromTarballs },
    null,
    2,
  ),
);
run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, stdio: ['ignore', 'inherit', 'inherit'] });
console.log(`installed ${packages.length} packages with npm ${run('npm', ['--version']).trim()}`);

step('import and require every package');
const names = JSON.stringify(packages.map((pkg) => pkg.name));
writeFileSync(
  join(project, 'load-esm.mjs'),
  `const out = {};\nfor (const name of ${names}) out[name] = Object.keys(await import(name)).sort();\nconsole.log(JSON.stringify(out));\n`,
);
writeFileSync(
  join(project, 'load-cjs.cjs'),
  `const out = {};\nfor (const name of ${names}) out[name] = Object.keys(require(name)).filter((k) => k !== 'default').sort();\nconsole.log(JSON.stringify(out));\n`,
);
const esm = JSON.parse(run(process.execPath, ['load-esm.mjs'], { cwd: project }));
const cjs = JSON.parse(run(process.execPath, ['load-cjs.cjs'], { cwd: project }));
for (const pkg of packages) {
  const a = esm[pkg.name] ?? [];
  const b = cjs[pkg.name] ?? [];
  if (a.length === 0) fail(`${pkg.name}: import gave no exports`);
  else if (JSON.stringify(a) !== JSON.stringify(b)) fail(`${pkg.name}: import and require export different names`);
  else console.log(`${pkg.name}: ${a.length} exports, the same with import and require`);
}

step("the README's CA service, and a device enrolling with it");
for (const file of ['ca-service.mjs', 'enroll-device.mjs']) copyFileSync(join(root, 'examples', file), join(project, file));
writeFileSync(
  join(project, 'enroll.mjs'),
  [
    "import { readFileSync } from 'node:fs';",
    "import { decodePemBlock } from '@cmpkit/codec';",
    "import { enrollDevice } from './enroll-device.mjs';",
    "const caCertificate = decodePemBlock(readFileSync('ca.pem', 'utf8'), 'CERTIFICATE');",
    "const { first, updated } = await enrollDevice({ url: process.argv[2], caCertificate, secret: 'release-check' });",
    'console.log(`enrolled (${first.length} bytes), updated (${updated.length} bytes) and revoked`);',
    '',
  ].join('\n'),
);
const service = spawn(process.execPath, ['ca-service.mjs'], {
  cwd: project,
  env: { ...process.env, PORT: '0', DEVICE_SECRET: 'release-check' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
service.stdout.setEncoding('utf8').on('data', (text) => (output += text));
service.stderr.setEncoding('utf8').on('data', (text) => (output += text));
const exited = new Promise((resolve) => service.once('exit', (code) => resolve(code)));
try {
  const url = await Promise.race([
    new Promise((resolve) => {
      service.stdout.on('data', () => {
        const match = /CMP on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
    }),
    exited.then((code) => {
      throw new Error(`the CA service exited (${code}) before listening:\n${output}`);
    }),
  ]);
  console.log(`the CA service listens on ${url}`);
  console.log(run(process.execPath, ['enroll.mjs', url], { cwd: project }).trim());
  service.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) fail(`the CA service exited with ${code} on SIGTERM:\n${output}`);
  else console.log('the CA service stopped on SIGTERM');
} catch (error) {
  fail(`the CA example: ${error.stdout ?? ''}${error.stderr ?? ''}${error.message}\n${output}`);
} finally {
  if (service.exitCode === null && service.signalCode === null) service.kill('SIGKILL');
}

if (keep) console.log(`\nkept ${work}`);
else rmSync(work, { recursive: true, force: true });
if (failures.length > 0) {
  console.log(`\nrelease check FAILED: ${failures.length} problem(s)`);
  process.exitCode = 1;
} else {
  console.log(`\nrelease check passed: ${packages.length} packages`);
}
