import { constants } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A file named on the command line cannot be read or written; the message names the option and the file. */
export class FileError extends Error {
  override name = 'FileError';
}

const PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

function problemOf(error: unknown): string {
  return PROBLEMS[String((error as NodeJS.ErrnoException).code)] ?? (error as Error).message;
}

/** The contents of `path`, which `option` names. */
export async function readCommandFile(option: string, path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new FileError(`${option} ${path}: cannot read it: ${problemOf(error)}`, { cause: error });
  }
}

/**
 * Refuses `path` (which `option` names) when it could not be written: a command checks before it
 * issues or signs anything, so nothing it made is lost to a typo.
 */
export async function checkWritable(option: string, path: string): Promise<void> {
  const fail = (problem: string): never => {
    throw new FileError(`${option} ${path}: cannot write it: ${problem}`);
  };
  try {
    if ((await stat(path)).isDirectory()) fail('it is a directory');
    await access(path, constants.W_OK);
    return;
  } catch (error) {
    if (error instanceof FileError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') fail(problemOf(error));
  }
  try {
    await access(dirname(path), constants.W_OK);
  } catch (error) {
    fail(`the directory ${dirname(path)}: ${problemOf(error)}`);
  }
}

/** Writes `data` to `path`, which `option` names. */
export async function writeCommandFile(option: string, path: string, data: Uint8Array | string): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (error) {
    throw new FileError(`${option} ${path}: cannot write it: ${problemOf(error)}`, { cause: error });
  }
}
