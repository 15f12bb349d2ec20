import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's softhsm2 package puts the module. */
const SOFTHSM_MODULES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];

/** A SoftHSM2 token in a temporary directory, from {@link createSoftHsmToken}. */
export interface SoftHsmToken {
  /** The PKCS#11 module to load. */
  module: string;
  /** The token label. */
  label: string;
  /** The user PIN. */
  pin: string;
  /** The SoftHSM2 configuration file (`SOFTHSM2_CONF`); set in `process.env` while the token exists. */
  conf: string;
  /** The directory holding the configuration and the token files. */
  dir: string;
  /** Environment variables for a child process that uses the token. */
  env: Record<string, string>;
  /** Removes the directory and restores `SOFTHSM2_CONF`. */
  remove(): void;
}

/**
 * Why SoftHSM2 tests cannot run here (no module or no `softhsm2-util`), or undefined when they
 * can. Under `CI=true` a caller should fail rather than skip.
 */
export function softHsmUnavailable(): string | undefined {
  if (!SOFTHSM_MODULES.some((m) => existsSync(m))) return 'SoftHSM2 is not installed (Debian package softhsm2)';
  try {
    execFileSync('softhsm2-util', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'softhsm2-util is not on the PATH (Debian package softhsm2)';
  }
  return undefined;
}

/**
 * Initialises a fresh SoftHSM2 token in a temporary directory of its own (a `softhsm2.conf`
 * pointing at it, exported as `SOFTHSM2_CONF` for this process), so tests never touch the
 * machine's tokens.
 */
export function createSoftHsmToken(options: { label?: string; pin?: string } = {}): SoftHsmToken {
  const module = SOFTHSM_MODULES.find((m) => existsSync(m));
  if (!module) throw new Error('test-utils: SoftHSM2 is not installed');
  const label = options.label ?? 'cmpkit-test';
  const pin = options.pin ?? '1234';
  const dir = mkdtempSync(join(tmpdir(), 'cmpkit-softhsm-'));
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', `so-${pin}`, '--pin', pin], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    stdio: 'ignore',
  });
  return {
    module,
    label,
    pin,
    conf,
    dir,
    env: { SOFTHSM2_CONF: conf },
    remove() {
      if (previous === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = previous;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
