import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialised } from './cli-setup.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('cmpkit-server secret', () => {
  it('adds secrets given as pass:, file: and env:, lists references only, removes them', async () => {
    const setup = await initialised();
    expect((await setup.run('secret', 'add', 'alpha', '--secret', 'pass:first')).stdout).toBe("added secret 'alpha'\n");
    writeFileSync(join(setup.dir, 'pw.txt'), 'from-file\nignored\n');
    expect((await setup.run('secret', 'add', 'beta', '--secret', 'file:pw.txt')).status).toBe(0);
    process.env.CMPKIT_TEST_SECRET = 'from-env';
    expect((await setup.run('secret', 'add', 'gamma', '--secret', 'env:CMPKIT_TEST_SECRET')).status).toBe(0);
    delete process.env.CMPKIT_TEST_SECRET;
    expect((await setup.run('secret', 'add', 'alpha', '--secret', 'pass:second')).stdout).toBe("replaced secret 'alpha'\n");

    const list = await setup.run('secret', 'list');
    expect(
      list.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]),
    ).toEqual(['alpha', 'beta', 'demo', 'gamma']); // same clock: by reference
    expect(list.stdout).not.toMatch(/first|second|from-file|from-env|demo-secret/);

    const ctx = await setup.context();
    try {
      expect(await ctx.store.secrets.get(utf8('alpha'))).toEqual(utf8('second'));
      expect(await ctx.store.secrets.get(utf8('beta'))).toEqual(utf8('from-file'));
      expect(await ctx.store.secrets.get(utf8('gamma'))).toEqual(utf8('from-env'));
    } finally {
      await ctx.close();
    }

    expect((await setup.run('secret', 'remove', 'beta')).stdout).toBe("removed secret 'beta'\n");
    const missing = await setup.run('secret', 'remove', 'beta');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no secret 'beta'");
  });

  it('generates and prints a secret when none is given', async () => {
    const setup = await initialised();
    const result = await setup.run('secret', 'add', 'device-7');
    expect(result.status).toBe(0);
    const secret = /secret: (\S+)/.exec(result.stdout)?.[1];
    expect(secret).toMatch(/^[a-zA-Z2-9]{24}$/);
    const ctx = await setup.context();
    try {
      expect(await ctx.store.secrets.get(utf8('device-7'))).toEqual(utf8(secret!));
    } finally {
      await ctx.close();
    }
  });

  it.each([
    [['secret'], 'secret needs add, list or remove'],
    [['secret', 'add'], 'secret add needs REF'],
    [['secret', 'add', 'x', '--secret', 'plain'], '--secret must be pass:TEXT, env:VAR or file:PATH'],
    [['secret', 'add', 'x', '--secret', 'env:CMPKIT_NOT_SET_ANYWHERE'], 'environment variable CMPKIT_NOT_SET_ANYWHERE is not set'],
    [['secret', 'add', 'x', '--secret', 'pass:'], 'the secret must not be empty'],
  ])('refuses %j with a usage error', async (argv, message) => {
    const setup = await initialised();
    const result = await setup.run(...argv);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
