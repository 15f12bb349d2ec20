#!/usr/bin/env node
/* global AbortController */
import { main } from '../dist/main.js';

// SIGINT/SIGTERM stop `cmpkit-server start` gracefully: the listener stops accepting, open
// exchanges finish, the database is closed.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stop.abort(new Error(signal)));

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: stop.signal,
  // `serve` runs in a worker that a primary restarts when it dies.
  supervise: true,
});
