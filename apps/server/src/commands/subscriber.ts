import { parseName } from '@cmpkit/codec';
import { recipientKeyOf } from '@cmpkit/core';
import type { CliEnvironment } from '../cli-environment.js';
import { runtimeOf, withContext, type CommonOptions } from './command-context.js';
import { UsageError } from './usage-error.js';

/**
 * The recipient a subscriber without `--subject` stands for: a name of its own made from its URL,
 * so that it receives every broadcast (ckuann, crlann) and nothing addressed to an end entity.
 */
function broadcastRecipientOf(url: string): string {
  return recipientKeyOf(parseName(`/CN=push subscriber ${url.replace(/[/+]/g, (c) => `\\${c}`)}`));
}

/**
 * `cmpkit-server subscriber add URL [--subject DN] | list | remove URL`: the URLs announcements
 * are POSTed to (RFC 9811 section 3.7). With `--subject`, the URL receives what is addressed to
 * that end entity (cann, rann) and the broadcasts; without, the broadcasts only.
 */
export async function subscriber(
  action: string | undefined,
  args: string[],
  options: CommonOptions & { subject?: string },
  env: CliEnvironment,
): Promise<number> {
  switch (action) {
    case 'add': {
      const [url] = args;
      if (args.length !== 1 || !url) throw new UsageError('subscriber add needs URL');
      if (!/^https?:\/\//i.test(url)) throw new UsageError(`the subscriber URL must be http:// or https://, not '${url}'`);
      let recipient: string;
      try {
        recipient = options.subject === undefined ? broadcastRecipientOf(url) : recipientKeyOf(parseName(options.subject));
      } catch (error) {
        throw new UsageError(`--subject: ${(error as Error).message}`);
      }
      return withContext(options, env, async (ctx) => {
        const added = await ctx.store.pushSubscribers.add({
          recipient,
          url,
          ...(options.subject === undefined ? {} : { subject: options.subject }),
          addedAt: runtimeOf(env).clock(),
        });
        await ctx.store.announcements.addRecipient(recipient);
        env.stdout(`${added ? 'added' : 'already registered'}: ${url}${options.subject ? ` for ${options.subject}` : ' (broadcasts)'}\n`);
        return 0;
      });
    }
    case 'list':
      return withContext(options, env, async (ctx) => {
        for (const s of await ctx.store.pushSubscribers.list()) {
          env.stdout(`${s.url}\t${s.subject ?? '(broadcasts)'}\t${s.addedAt.toISOString()}\n`);
        }
        return 0;
      });
    case 'remove': {
      const [url] = args;
      if (args.length !== 1 || !url) throw new UsageError('subscriber remove needs URL');
      return withContext(options, env, async (ctx) => {
        const removed = await ctx.store.pushSubscribers.removeUrl(url);
        if (removed === 0) {
          env.stderr(`cmpkit-server: no subscriber ${url}\n`);
          return 1;
        }
        env.stdout(`removed ${url}\n`);
        return 0;
      });
    }
    default:
      throw new UsageError('subscriber needs add URL [--subject DN], list or remove URL');
  }
}
