import { describe, expect, it } from 'vitest';
import { certRequest, ecKey, serialOf } from '../helpers.js';
import { initialised, type CliSetup } from './cli-setup.js';

async function issue(setup: CliSetup, cn: string): Promise<string> {
  const ctx = await setup.context();
  try {
    const { spki } = await ecKey();
    const result = await ctx.issuer.certify(certRequest(spki, { subject: cn }));
    if (result.status !== 'issued') throw new Error('expected issued');
    return serialOf(result.certificate);
  } finally {
    await ctx.close();
  }
}

describe('cmpkit-server cert list', () => {
  it('lists the issued certificates, the revoked ones only with --all, as text or JSON', async () => {
    const setup = await initialised();
    expect((await setup.run('cert', 'list')).stdout).toBe('no certificates (revoked ones: --all)\n');
    const first = await issue(setup, '/CN=device-1');
    setup.clock.advance(1000);
    const second = await issue(setup, '/CN=device-2');
    expect((await setup.run('revoke', '--serial', first)).status).toBe(0);

    const list = await setup.run('cert', 'list');
    expect(list.status).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('serial\tsubject\tstatus\tnotAfter\tprofile');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${second}\\t/CN=device-2\\tissued\\t\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\tdevice$`));

    const all = await setup.run('cert', 'list', '--all');
    expect(
      all.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => l.split('\t').slice(0, 3)),
    ).toEqual([
      [second, '/CN=device-2', 'issued'],
      [first, '/CN=device-1', 'revoked'],
    ]);

    const json = JSON.parse((await setup.run('cert', 'list', '--all', '--json')).stdout) as Array<Record<string, unknown>>;
    expect(json.map((c) => [c.serial, c.status, c.profile])).toEqual([
      [second, 'issued', 'device'],
      [first, 'revoked', 'device'],
    ]);
    expect(json[1]?.revocationReason).toBe(0);
    expect(Date.parse(String(json[0]?.notAfter))).toBeGreaterThan(Date.parse(String(json[0]?.notBefore)));
    expect(JSON.parse((await setup.run('cert', 'list', '--json')).stdout)).toHaveLength(1);
  });

  it('refuses other actions and extra arguments with status 2', async () => {
    const setup = await initialised();
    expect((await setup.run('cert')).status).toBe(2);
    expect((await setup.run('cert', 'show')).stderr).toContain('cert needs list');
    expect((await setup.run('cert', 'list', 'x')).status).toBe(2);
  });
});
