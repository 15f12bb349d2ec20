// `bin/cmpkit-server.js` on the sources, bundled by server-process.ts for the tests that run the
// server as separate processes.
import { main } from '../../src/main.js';

const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort(new Error(signal)));

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: stop.signal,
  // `serve` runs in a worker that a primary restarts when it dies.
  supervise: true,
});
