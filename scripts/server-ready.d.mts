import type { ChildProcess } from 'node:child_process';

/** The ready line `cmpkit-server serve` prints on standard output once every listener is up. */
export interface ServerReadyLine {
  event: 'ready';
  role: string;
  pid: number;
  dataDir: string;
  /** Every listener's URL by kind: `http`, `ws`, `tcp`, `metrics`, ... */
  listeners: Record<string, string>;
  healthUrl: string;
  readyUrl: string;
}

/** Resolves to the ready line of `child` (stdout piped); rejects when it exits first or after `timeoutMs`. */
export function serverReady(
  child: ChildProcess,
  options?: { timeoutMs?: number; onText?: (text: string) => void },
): Promise<ServerReadyLine>;
