import { resolve } from 'node:path';
import { decodePem, decodeSubjectPublicKeyInfo, encodePem, parseName, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import { recipientKeyOf } from '@cmpkit/core';
import type { CliEnvironment } from '../cli-environment.js';
import { createServerAnnouncer } from '../announce/server-announcer.js';
import { loggerOf, runtimeOf, withContext, type CommonOptions } from './command-context.js';
import { routeText } from './renew-request.js';
import { checkWritable, FileError, readCommandFile, writeCommandFile } from './command-files.js';
import { UsageError } from './usage-error.js';

/** Options of `cmpkit-server cert issue`. */
export interface CertIssueOptions extends CommonOptions {
  subject?: string;
  pubkey?: string;
  profile?: string;
  out?: string;
}

/** The SubjectPublicKeyInfo of a `PUBLIC KEY` PEM (or DER) file. */
async function readPublicKey(path: string): Promise<SubjectPublicKeyInfo> {
  const bytes = await readCommandFile('--pubkey', path);
  const der = bytes[0] === 0x30 ? bytes : decodePem(new TextDecoder().decode(bytes)).find((b) => b.label === 'PUBLIC KEY')?.der;
  if (!der) throw new FileError(`--pubkey ${path}: no PUBLIC KEY in it (PEM or DER SubjectPublicKeyInfo expected)`);
  try {
    return decodeSubjectPublicKeyInfo(der);
  } catch (error) {
    throw new FileError(`--pubkey ${path}: not a public key: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * `cmpkit-server cert issue --subject DN --pubkey FILE [--profile P] [--out F]`: issues a
 * certificate out of band (no CMP transaction) and announces it to its holder (cann, RFC 9810
 * section 5.3.14), who receives it on its TCP or WebSocket connection or at its push URL.
 */
export async function certIssue(options: CertIssueOptions, env: CliEnvironment): Promise<number> {
  if (options.subject === undefined || options.pubkey === undefined)
    throw new UsageError('cert issue needs --subject DN and --pubkey FILE');
  let subject;
  try {
    subject = parseName(options.subject);
  } catch (error) {
    throw new UsageError(`--subject: ${(error as Error).message}`);
  }
  if (subject.length === 0) throw new UsageError('--subject must not be empty');
  const cwd = runtimeOf(env).cwd;
  const publicKey = await readPublicKey(resolve(cwd, options.pubkey));
  const out = options.out === undefined ? undefined : resolve(cwd, options.out);
  if (out !== undefined) await checkWritable('--out', out);
  return withContext(options, env, async (ctx) => {
    const profile = options.profile ?? ctx.catalog.defaultProfile;
    if (!ctx.catalog.profiles.has(profile)) throw new UsageError(`unknown profile '${profile}'`);
    const { certificate, serial } = await ctx.issuer.issueOutOfBand({
      template: { subject, publicKey },
      publicKey,
      profile,
      requester: 'operator',
    });
    if (out !== undefined) await writeCommandFile('--out', out, encodePem('CERTIFICATE', certificate));
    env.stdout(
      `issued ${serial} for ${options.subject} (profile ${profile})${options.out === undefined ? '' : `, written to ${options.out}`}\n`,
    );
    const delivery = await createServerAnnouncer(ctx, loggerOf(env, ctx.config, true)).announce(recipientKeyOf(subject), {
      type: 'cann',
      certificate,
    });
    env.stdout(`certificate announced to ${options.subject}: ${routeText(delivery.route)}\n`);
    return 0;
  });
}
