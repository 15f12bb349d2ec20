// Browser bundle sizes: each public entry point bundled by esbuild the way an application's
// bundler would (ESM, minified, for browsers: transport-ws through its `browser` condition, with
// all dependencies), and what typical browser clients carry. Sizes, not speed: the figures do not
// depend on the machine. Needs the packages built (`pnpm bench` builds first).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const packagesDir = fileURLToPath(new URL('../packages/', import.meta.url));

/** Every package as an application installs it: node_modules/@cmpkit/<name> in a scratch folder. */
function scratchProject() {
  const dir = mkdtempSync(join(tmpdir(), 'cmpkit-bundle-bench-'));
  mkdirSync(join(dir, 'node_modules/@cmpkit'), { recursive: true });
  for (const folder of readdirSync(packagesDir)) symlinkSync(join(packagesDir, folder), join(dir, 'node_modules/@cmpkit', folder), 'dir');
  return dir;
}

const everything = (name) => `export * from '${name}';`;

const PACKAGES = [
  ['@cmpkit/codec', everything('@cmpkit/codec')],
  ['@cmpkit/protection', everything('@cmpkit/protection')],
  ['@cmpkit/ca', everything('@cmpkit/ca')],
  ['@cmpkit/core', everything('@cmpkit/core')],
  ['@cmpkit/transport-http', everything('@cmpkit/transport-http')],
  ['@cmpkit/transport-ws (browser)', everything('@cmpkit/transport-ws')],
];

const CLIENTS = [
  ['decode only', "import { decodePKIMessage } from '@cmpkit/codec'; globalThis.out = decodePKIMessage;"],
  [
    'MAC protection only: protect and verify with a shared secret',
    "import { protectWithMac, verifyMacProtection } from '@cmpkit/protection'; globalThis.out = [protectWithMac, verifyMacProtection];",
  ],
  [
    'message protection (MAC and signature): protect, verifyProtection',
    "import { protect, verifyProtection } from '@cmpkit/protection'; globalThis.out = [protect, verifyProtection];",
  ],
  [
    'EE client over HTTP: createClient, httpTransport',
    "import { createClient } from '@cmpkit/core'; import { httpTransport } from '@cmpkit/transport-http'; globalThis.out = [createClient, httpTransport];",
  ],
  [
    'EE client over WebSocket: createClient, wsTransport',
    "import { createClient } from '@cmpkit/core'; import { wsTransport } from '@cmpkit/transport-ws'; globalThis.out = [createClient, wsTransport];",
  ],
];

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

async function measure(dir, contents) {
  const result = await build({
    stdin: { contents, resolveDir: dir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  // Where the minified bytes come from: cmpkit's own packages, or their dependencies.
  let own = 0;
  for (const [input, { bytesInOutput }] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
    if (!input.includes('node_modules/.pnpm/') && input.startsWith('packages/')) own += bytesInOutput;
    else if (/node_modules\/@cmpkit\//.test(input)) own += bytesInOutput;
  }
  return { min: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength, own };
}

export async function run() {
  const dir = scratchProject();
  try {
    const lines = ['## Browser bundle sizes (esbuild, ESM, minified; gzip -9)', ''];
    for (const [title, cases] of [
      ['each package, everything it exports, with its dependencies', PACKAGES],
      ['what browser clients carry (tree-shaken)', CLIENTS],
    ]) {
      lines.push(`### ${title}`, '', '| bundle | minified | gzip | of which cmpkit (minified) |', '| --- | ---: | ---: | ---: |');
      for (const [name, contents] of cases) {
        try {
          const size = await measure(dir, contents);
          lines.push(`| ${name} | ${kb(size.min)} | ${kb(size.gzip)} | ${kb(size.own)} |`);
        } catch (error) {
          lines.push(`| ${name} | failed: ${String(error.message ?? error).split('\n')[0]} | | |`);
        }
      }
      lines.push('');
    }
    lines.push('The rest of each bundle is dependencies: @peculiar/asn1-* and asn1js for certificates and CMS, pvtsutils, tslib.');
    return lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
