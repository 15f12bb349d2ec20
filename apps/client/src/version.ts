import { readFileSync } from 'node:fs';

interface PackageJson {
  version?: string;
  dependencies?: Record<string, string>;
}

function readPackageJson(url: URL): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(url, 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/**
 * What `--version` prints: this program's version, the versions of the cmpkit packages it runs on
 * (read from their package.json files next to it), Node.js and the OpenSSL in it.
 */
export function versionText(program: string): string {
  // One level above this file is the app's folder, from src/ (tests) as from dist/ (the bin).
  const app = readPackageJson(new URL('../package.json', import.meta.url));
  const packages = Object.keys(app?.dependencies ?? {})
    .filter((name) => name.startsWith('@cmpkit/'))
    .sort()
    .map((name) => `${name} ${readPackageJson(new URL(`../node_modules/${name}/package.json`, import.meta.url))?.version ?? '(unknown)'}`);
  return (
    `${program} ${app?.version ?? '(unknown version)'}\n` +
    (packages.length ? `${packages.join(', ')}\n` : '') +
    `Node.js ${process.version}, OpenSSL ${process.versions.openssl}\n`
  );
}
