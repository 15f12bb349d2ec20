import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // ESM keeps one file per module: a bundler then drops the modules an application does not
    // use, and with them their imports of @peculiar/asn1-* (packages that declare no sideEffects,
    // so an import of them in one bundled file would keep them whatever is used).
    entry: ['src/**/*.ts'],
    bundle: false,
    format: ['esm'],
    dts: { entry: { index: 'src/index.ts' } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'neutral',
  },
  {
    // CommonJS (require) stays one file.
    entry: ['src/index.ts'],
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    platform: 'neutral',
  },
]);
