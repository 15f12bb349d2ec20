import { parseArgs } from 'node:util';
import { isCmpError } from '@cmpkit/codec';
import { dump } from './commands/dump.js';
import type { Io } from './io.js';

const USAGE = `usage: cmpkit <command> [options]

commands:
  dump FILE [--json]     decode a PKIMessage (DER, PEM or base64) and print it
  help                   show this text
`;

/** Runs the `cmpkit` command line; resolves to the process exit status. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'dump': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { json: { type: 'boolean', default: false } },
          allowPositionals: true,
        });
        if (positionals.length !== 1) throw new UsageError('dump needs exactly one FILE');
        return await dump({ file: positionals[0] as string, json: values.json }, io);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    io.stderr(`cmpkit: ${describeError(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

class UsageError extends Error {
  override name = 'UsageError';
}

function describeError(error: unknown): string {
  if (isCmpError(error)) return error.message;
  if (error instanceof UsageError) return `${error.message}\n${USAGE}`;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${error.message}` : error.message;
  }
  return String(error);
}
