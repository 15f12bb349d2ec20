import { loadConfig } from '../../src/config/load-config.js';
import { lineLogger } from '../../src/log/logger.js';
import { openServerContext, type ServerContext } from '../../src/server/server-context.js';
import { runCli, type CliRun } from '../run-cli.js';
import { fakeClock, tempDir, type FakeClock } from '../helpers.js';

/** A data directory initialised with `cmpkit-server init`, and a runner for further commands in it. */
export interface CliSetup {
  dir: string;
  clock: FakeClock;
  init: CliRun;
  run(...argv: string[]): Promise<CliRun>;
  /** Opens the server context on the same data directory (as a running server would). */
  context(): Promise<ServerContext>;
}

export async function initialised(): Promise<CliSetup> {
  const dir = tempDir();
  const clock = fakeClock();
  const run = (...argv: string[]) => runCli({ cwd: dir, clock }, ...argv);
  const init = await run('init');
  if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
  return {
    dir,
    clock,
    init,
    run,
    context: async () =>
      openServerContext(await loadConfig({ cwd: dir }), { clock, crypto, logger: lineLogger(() => {}, 'silent', clock) }),
  };
}
