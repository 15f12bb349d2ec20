// Reads the ready line of a `cmpkit-server serve` child process: the one JSON line it prints on
// standard output once every listener is up ({"event":"ready","listeners":{"http":URL,...}}).

/**
 * Resolves to the ready line (parsed) of `child` (spawned with its stdout piped), or rejects when
 * it exits first or `timeoutMs` pass. `onText` sees everything it writes on stdout, as it comes.
 *
 * @param {import('node:child_process').ChildProcess} child
 * @param {{ timeoutMs?: number, onText?: (text: string) => void }} [options]
 * @returns {Promise<{ event: 'ready', role: string, pid: number, dataDir: string, listeners: Record<string, string>, healthUrl: string, readyUrl: string }>}
 */
export function serverReady(child, options = {}) {
  const { timeoutMs = 60_000, onText } = options;
  return new Promise((resolve, reject) => {
    let pending = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text) => {
      onText?.(text);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line);
        if (parsed.event === 'ready') resolve(parsed);
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`cmpkit-server exited (${code ?? signal}) before it was ready`)));
    setTimeout(() => reject(new Error(`cmpkit-server was not ready within ${timeoutMs / 1000} s`)), timeoutMs).unref();
  });
}
