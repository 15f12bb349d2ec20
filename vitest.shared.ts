import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

/** `@cmpkit/<folder>` resolves to the package's source, so tests never need a build first. */
export const workspaceAlias: Record<string, string> = Object.fromEntries(
  readdirSync(packagesDir).map((name) => [`@cmpkit/${name}`, `${packagesDir}${name}/src/index.ts`]),
);
