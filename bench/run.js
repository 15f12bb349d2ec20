// Runs every benchmark in this folder (`*.bench.js`, each exporting `run()` that returns a
// Markdown report) and prints the reports. Run through `pnpm bench`, which builds first.
import { readdirSync } from 'node:fs';

const only = process.argv[2];
const files = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.bench.js') && (!only || f.startsWith(only)))
  .sort();
console.log(`# cmpkit benchmarks (node ${process.version}, ${new Date().toISOString()})\n`);
for (const file of files) {
  const { run } = await import(new URL(file, import.meta.url).href);
  console.log(await run());
  console.log('');
}
