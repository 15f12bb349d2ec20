// Helpers of the benchmarks that run cmpkit-server in a child process (not a benchmark itself:
// bench/run.js runs `*.bench.js` and `*.mjs` only).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverBin = fileURLToPath(new URL('../apps/server/bin/cmpkit-server.js', import.meta.url));

/**
 * Starts `cmpkit-server serve` on a free loopback port with `dataDir` and a configuration of
 * `config` (written to `dir`), `--workers` when more than 1, and extra node arguments; resolves
 * once it (every worker) listens, to its port, pid, output so far and a stop function.
 */
export function startCmpkitServer({ dir, dataDir, config = {}, workers = 1, nodeArgs = [] }) {
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const args = [...nodeArgs, serverBin, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--config', configFile];
  if (workers > 1) args.push('--workers', String(workers));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      if (log.length < 200_000) log += chunk.toString();
      const match = /listening url=http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      const ready = workers === 1 || (log.match(/worker listening/g) ?? []).length >= workers;
      if (match && ready) {
        resolve({
          name: 'cmpkit-server',
          port: Number(match[1]),
          pid: child.pid,
          output: () => log,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`cmpkit-server exited early (status ${code}):\n${log}`)));
    setTimeout(() => reject(new Error(`cmpkit-server did not start within 60 s:\n${log}`)), 60_000).unref();
  });
}

/** CPU time (utime + stime, ms) of process `pid`, all its threads; Linux /proc only. */
export function processCpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ 100)
}

/** {@link processCpuMs} of `pid` and every descendant (cluster workers). */
export function treeCpuMs(pid) {
  let ms;
  try {
    ms = processCpuMs(pid);
  } catch {
    return 0;
  }
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
  for (const child of children) ms += treeCpuMs(Number(child));
  return ms;
}
