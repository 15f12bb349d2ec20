import { main, type CliEnvironment } from '../src/main.js';

/** The outcome of one in-process CLI run. */
export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process and captures what it prints. */
export async function runCli(env: Partial<CliEnvironment>, ...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, {
    ...env,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { status, stdout, stderr };
}
