import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `@cmpkit/<folder>` -> the package's `src/index.ts`, as the vitest projects resolve them; for
 * browsers `src/browser.ts` where a package has one (what its `browser` export condition names).
 */
function workspaceSource(specifier: string, platform: 'node' | 'browser'): string | undefined {
  const match = /^@cmpkit\/([a-z0-9-]+)$/.exec(specifier);
  if (!match || !readdirSync(packagesDir).includes(match[1]!)) return undefined;
  const browser = `${packagesDir}${match[1]}/src/browser.ts`;
  return platform === 'browser' && existsSync(browser) ? browser : `${packagesDir}${match[1]}/src/index.ts`;
}

/** Options of {@link bundleFromSources}. */
export interface SourceBundleOptions {
  /** `node` (default): an ES module for Node; `browser`: an ES module for a page's `<script type="module">`. */
  platform?: 'node' | 'browser';
  /**
   * Packages left as imports (database drivers; native ones must be; `@cmpkit/` packages too),
   * resolved at run time from
   * the output file's folder: put it under a `node_modules/.cache` of a package depending on them.
   */
  external?: readonly string[];
}

/**
 * Bundles `entry` (a script or module of the repository) into `outfile`, with the workspace
 * packages taken from their sources: tests run the current code as real processes, or in a real
 * browser, without building every package first. Resolves to `outfile`.
 */
export async function bundleFromSources(entry: string, outfile: string, options: SourceBundleOptions = {}): Promise<string> {
  const platform = options.platform ?? 'node';
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform,
    format: 'esm',
    target: platform === 'node' ? 'node20' : 'es2022',
    logLevel: 'silent',
    external: [...(options.external ?? [])],
    // The CommonJS parts of a Node bundle get a `require`.
    ...(platform === 'node'
      ? { banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } }
      : {}),
    plugins: [
      {
        name: 'workspace-sources',
        setup(b) {
          b.onResolve({ filter: /^@cmpkit\// }, (args) => {
            if (options.external?.includes(args.path)) return { path: args.path, external: true };
            const path = workspaceSource(args.path, platform);
            return path === undefined ? undefined : { path };
          });
        },
      },
    ],
  });
  return outfile;
}
