// externalAnchors: the manufacturer roots of the configuration reach the server context, and a
// file without a certificate is a configuration error naming it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSelfSignedCa } from '@cmpkit/ca';
import { encodePem } from '@cmpkit/codec';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { lineLogger } from '../../src/log/logger.js';
import { openServerContext } from '../../src/server/server-context.js';
import { fakeClock, tempDir } from '../helpers.js';

describe('externalAnchors', () => {
  it('loads every certificate of the configured PEM files', async () => {
    const clock = fakeClock();
    const dir = tempDir();
    const a = await createSelfSignedCa({ subject: '/CN=Manufacturer A', clock });
    const b = await createSelfSignedCa({ subject: '/CN=Manufacturer B', clock });
    writeFileSync(join(dir, 'a.pem'), encodePem('CERTIFICATE', a.certificate));
    writeFileSync(join(dir, 'b.pem'), encodePem('CERTIFICATE', b.certificate));
    writeFileSync(
      join(dir, 'server.json'),
      JSON.stringify({ externalAnchors: ['a.pem', { file: 'b.pem', requests: ['cr', 'p10cr', 'genm', 'rr'] }] }),
    );
    const config = await loadConfig({ cwd: dir, configFile: 'server.json' });
    const ctx = await openServerContext(config, { clock, crypto, logger: lineLogger(() => {}, 'silent', clock) });
    try {
      expect(ctx.externalTrust).toEqual([
        { anchors: [a.certificate], requests: ['ir'] },
        { anchors: [b.certificate], requests: ['cr', 'p10cr', 'genm', 'rr'] },
      ]);
    } finally {
      await ctx.close();
    }
  });

  it('refuses a file without a certificate, and a missing file', async () => {
    const clock = fakeClock();
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.pem'), 'no PEM here\n');
    const logger = lineLogger(() => {}, 'silent', clock);
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ externalAnchors: ['empty.pem'] }));
    const open = async () => openServerContext(await loadConfig({ cwd: dir, configFile: 'server.json' }), { clock, crypto, logger });
    await expect(open()).rejects.toThrow(ConfigError);
    await expect(open()).rejects.toThrow(/externalAnchors\[0\]: .*empty\.pem holds no CERTIFICATE/);
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ externalAnchors: ['missing.pem'] }));
    await expect(open()).rejects.toThrow(/externalAnchors\[0\]: cannot read .*missing\.pem/);
  });
});
