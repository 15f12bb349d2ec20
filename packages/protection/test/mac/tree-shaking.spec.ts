// A MAC-only application must not carry the certificate stack: bundle the MAC entry points of
// the package's public entry as a bundler would (ESM, browser, tree-shaken) and look at what went in.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

async function bundledInputs(names: string[]): Promise<string[]> {
  const result = await build({
    stdin: {
      contents: `import { ${names.join(', ')} } from ${JSON.stringify(entry)}; globalThis.out = [${names.join(', ')}];`,
      loader: 'js',
      resolveDir: process.cwd(),
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    minify: true,
    logLevel: 'silent',
    // @cmpkit/codec is a package of its own; only protection's own modules matter here.
    external: ['@cmpkit/codec'],
  });
  // The modules that put code into the bundle (metafile.inputs also lists what was parsed and dropped).
  const [output] = Object.values(result.metafile.outputs);
  return Object.entries(output!.inputs)
    .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
    .map(([input]) => input);
}

describe('tree shaking', () => {
  it('protectWithMac and verifyMacProtection bundle no certificate, signature or CMS code and no @peculiar package', async () => {
    const inputs = await bundledInputs(['protectWithMac', 'verifyMacProtection']);
    expect(inputs.some((i) => i.includes('/mac/'))).toBe(true);
    expect(inputs.filter((i) => /\/(x509|cms|pop|pkcs10|keys)\/|@peculiar|asn1js|\/(ecdsa|eddsa|rsa-pss|rsa-pkcs1)\.ts$/.test(i))).toEqual(
      [],
    );
  });

  it('protect and verifyProtection do bundle the certificate stack (the signature branch)', async () => {
    const inputs = await bundledInputs(['protect', 'verifyProtection']);
    expect(inputs.some((i) => i.includes('/x509/'))).toBe(true);
  });
});
