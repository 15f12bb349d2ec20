import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { encodePem } from '@cmpkit/codec';
import type { CliEnvironment } from '../cli-environment.js';
import { readSecretReference } from '../config/secret-reference.js';
import { createCertificationRequest } from '../pki/certification-request.js';
import { createKeySource, isPkcs11Uri } from '../pki/key-source.js';
import { configOf, runtimeOf, type CommonOptions } from './command-context.js';
import { UsageError } from './usage-error.js';

/** Options of `cmpkit-server ca csr`. */
export interface CaCsrOptions extends CommonOptions {
  /** The key: a PEM file or a `pkcs11:` URI. */
  key?: string;
  /** Generate the key first: `ec:P-256`, `rsa:3072`, ... */
  generate?: string;
  subject?: string;
  out?: string;
}

/**
 * `cmpkit-server ca csr --key FILE|pkcs11:URI --subject DN [--generate ALG] [--out F]`: a PKCS#10
 * request for a CA key, for the parent CA to sign (`openssl x509 -req`, `openssl ca`); the
 * certificate then goes to `init --import`. With `--generate` the key is made first: on the token
 * (sensitive, never extractable) for a `pkcs11:` URI, else a new PKCS#8 file. The token's module
 * and PIN come from the `pkcs11` settings (or the URI).
 */
export async function caCsr(options: CaCsrOptions, env: CliEnvironment): Promise<number> {
  if (options.key === undefined) throw new UsageError('ca csr needs --key FILE or --key pkcs11:URI');
  if (options.subject === undefined) throw new UsageError('ca csr needs --subject DN, e.g. "/O=Example/CN=Example Issuing CA"');
  const config = await configOf(options, env);
  const { crypto, cwd } = runtimeOf(env);
  const reference = isPkcs11Uri(options.key) ? options.key : resolve(cwd, options.key);
  const keys = createKeySource(config, crypto, (ref) => readSecretReference(ref, cwd));
  try {
    const pair = options.generate ? await keys.generate(reference, options.generate, '--key') : await keys.keyPair(reference, '--key');
    const csr = encodePem('CERTIFICATE REQUEST', await createCertificationRequest(options.subject, pair, keys.crypto));
    const protection = keys.pkcs11?.protectionOf(pair.privateKey);
    if (options.generate) {
      env.stdout(
        protection
          ? `generated a ${options.generate} key on the token (sensitive: ${protection.sensitive}, extractable: ${protection.extractable})\n`
          : `generated a ${options.generate} key into ${reference} (mode 0600)\n`,
      );
    }
    if (options.out === undefined) {
      env.stdout(csr);
    } else {
      const out = resolve(cwd, options.out);
      await writeFile(out, csr, { flag: 'wx' });
      env.stdout(`wrote the certification request to ${out}\n`);
    }
    return 0;
  } finally {
    keys.close();
  }
}
