import { constants } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
/**
 * A file given on the command line cannot be read, written or understood; the message names the
 * option and the file. Exit status 1, as for any failure that is not a usage error.
 */
export class FileError extends Error {
  override name = 'FileError';
  /** The file as given. */
  readonly path: string;

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.path = path;
  }
}

/** What went wrong with a file, in words (`no such file`, `permission denied`, ...). */
export function fileProblem(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** The contents of the file `path` that `option` names; a failure says which file and why. */
export async function readInputFile(option: string, path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new FileError(path, `${option} ${path}: cannot read it: ${fileProblem(error)}`, { cause: error });
  }
}

/** Writes `data` to the file `path` that `option` names; a failure says which file and why. */
export async function writeOutputFile(option: string, path: string, data: Uint8Array | string, mode?: number): Promise<void> {
  try {
    await writeFile(path, data, mode === undefined ? {} : { mode });
  } catch (error) {
    throw new FileError(path, `${option} ${path}: cannot write it: ${fileProblem(error)}`, { cause: error });
  }
}

/** Why `path` cannot be written (created or replaced), or undefined when it can. */
async function unwritable(path: string): Promise<string | undefined> {
  try {
    if ((await stat(path)).isDirectory()) return 'it is a directory';
    await access(path, constants.W_OK);
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return fileProblem(error);
  }
  const dir = dirname(resolve(path));
  try {
    if (!(await stat(dir)).isDirectory()) return `${dir} is not a directory`;
    await access(dir, constants.W_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? `the directory ${dir} does not exist` : `the directory ${dir}: ${fileProblem(error)}`;
  }
}

/**
 * Refuses, before anything is sent, output files that could not be written afterwards: a
 * certificate the CA issued (and the client confirmed) or a new key must not be lost to a typo.
 * `outputs` pairs each option with its file; two options naming one file are refused too.
 */
export async function checkOutputFiles(outputs: readonly (readonly [option: string, path: string | undefined])[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const [option, path] of outputs) {
    if (path === undefined) continue;
    const same = seen.get(resolve(path));
    if (same !== undefined) throw new FileError(path, `${same} and ${option} name the same file ${path}`);
    seen.set(resolve(path), option);
    const problem = await unwritable(path);
    if (problem !== undefined) throw new FileError(path, `${option} ${path}: cannot write it: ${problem}`);
  }
}
