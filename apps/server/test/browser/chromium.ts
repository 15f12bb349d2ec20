import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no ${CHROMIUM} (install Debian's chromium package)`;
}

/** A headless Chromium this test started, driven through the DevTools protocol by playwright-core. */
export interface HeadlessChromium {
  browser: Browser;
  /** Disconnects, ends the browser process (by its PID) and removes its profile. */
  close(): Promise<void>;
}

/**
 * Starts Chromium headless with a fresh profile and without any network service of its own
 * (no background networking, component updates, sync or QUIC), and connects playwright-core to it.
 */
export async function launchChromium(): Promise<HeadlessChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'cmpkit-chromium-'));
  const child: ChildProcess = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-breakpad',
      `--user-data-dir=${profile}`,
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      'about:blank',
    ],
    // Its own process group: its helper processes (zygote, utility) go with it at close.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.stderr!.setEncoding('utf8').on('data', (text: string) => {
        stderr += text;
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.once('error', reject);
      void exited.then(() => reject(new Error(`chromium exited before it listened:\n${stderr}`)));
    });
    const browser = await chromium.connectOverCDP(endpoint);
    return {
      browser,
      async close() {
        await browser.close().catch(() => {});
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
        endGroup(child, 'SIGKILL');
        removeProfile(profile);
      },
    };
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    endGroup(child, 'SIGKILL');
    removeProfile(profile);
    throw error;
  }
}

/** Ends what is left of the browser's process group (helpers that outlive the main process). */
function endGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already
  }
}

/** Removes the profile; a helper still closing its files makes rmdir fail ENOTEMPTY for a moment, so it retries. */
function removeProfile(profile: string): void {
  rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 200 });
}
