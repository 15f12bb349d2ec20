// Runs every benchmark in this folder and prints its report: `*.bench.js` modules (each exports
// `run()` returning Markdown) in this process, `*.mjs` scripts as their own processes. Run through
// `pnpm bench`, which builds first; `pnpm bench codec` runs only the ones whose name starts so.
// The fleet-scale fanout bench takes minutes and thousands of sockets: it runs only when named.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const only = process.argv[2];
const NAMED_ONLY = new Set(['fanout.mjs']);
const here = new URL('.', import.meta.url);
const files = readdirSync(here)
  .filter((f) => (f.endsWith('.bench.js') || f.endsWith('.mjs')) && (only ? f.startsWith(only) : !NAMED_ONLY.has(f)))
  .sort();
console.log(`# cmpkit benchmarks (node ${process.version}, ${new Date().toISOString()})\n`);
for (const file of files) {
  if (file.endsWith('.bench.js')) {
    const { run } = await import(new URL(file, here).href);
    console.log(await run());
  } else {
    const result = spawnSync(process.execPath, [fileURLToPath(new URL(file, here))], { stdio: 'inherit' });
    if (result.status !== 0) process.exitCode = 1;
  }
  console.log('');
}
