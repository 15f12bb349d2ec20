#!/usr/bin/env node
/* global AbortController */
import { main } from '../dist/main.js';

// SIGINT/SIGTERM end `cmpkit listen` cleanly (connections closed, exit status 0).
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stop.abort(new Error(signal)));

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: stop.signal,
});
