import { decodePKIMessage, nameToString, parseName } from '@cmpkit/codec';
import { recipientKeyOf, recipientNameOf, type DeadLetter } from '@cmpkit/core';
import type { CliEnvironment } from '../cli-environment.js';
import { createServerAnnouncer } from '../announce/server-announcer.js';
import type { ServerContext } from '../server/server-context.js';
import { loggerOf, withContext, type CommonOptions } from './command-context.js';
import { UsageError } from './usage-error.js';

/** Options of `cmpkit-server announcements`. */
export interface AnnouncementsOptions extends CommonOptions {
  /** Only the dead letters of this end entity (DN, OpenSSL form). */
  subject?: string;
  /** Every dead letter (retry, drop). */
  all?: boolean;
  json?: boolean;
}

/** The subject a recipient key stands for, as text. */
function subjectOf(recipient: string): string {
  try {
    return nameToString(recipientNameOf(recipient));
  } catch {
    return recipient;
  }
}

/** The body type of a stored announcement (ckuann, cann, rann, crlann), or '?' when it does not decode. */
function bodyTypeOf(message: Uint8Array | undefined): string {
  if (!message) return '?';
  try {
    return decodePKIMessage(message).body.type;
  } catch {
    return '?';
  }
}

/** The dead letters `ID`, `--subject` and `--all` select. */
async function selected(ctx: ServerContext, id: string | undefined, options: AnnouncementsOptions): Promise<DeadLetter[]> {
  if ((id === undefined) === !options.all) throw new UsageError('name one dead letter by its ID, or --all');
  let recipient: string | undefined;
  if (options.subject !== undefined) {
    try {
      recipient = recipientKeyOf(parseName(options.subject));
    } catch (error) {
      throw new UsageError(`--subject: ${(error as Error).message}`);
    }
  }
  const letters = (await ctx.store.announcements.deadLetters()).filter(
    (letter) => (id === undefined || letter.id === id) && (recipient === undefined || letter.recipient === recipient),
  );
  if (id !== undefined && letters.length === 0)
    throw new UsageError(`no dead letter ${id}${options.subject ? ` for ${options.subject}` : ''}`);
  return letters;
}

/**
 * `cmpkit-server announcements [status]`: what waits for delivery; `announcements dead-letter
 * list [--json]`: the announcements moved aside after `announcements.maxAttempts` failed tries
 * (a recipient whose push URL never acknowledged, say); `dead-letter retry ID|--all [--subject
 * DN]` puts them back at the end of their recipient's queue and tries at once (the running server
 * delivers on connections); `dead-letter drop ID|--all [--subject DN]` deletes them.
 */
export async function announcements(
  action: string | undefined,
  args: string[],
  options: AnnouncementsOptions,
  env: CliEnvironment,
): Promise<number> {
  if (action === undefined || action === 'status') {
    if (args.length) throw new UsageError('announcements status takes no arguments');
    return withContext(options, env, async (ctx) => {
      const [pending, letters, recipients] = await Promise.all([
        ctx.store.announcements.pendingCount(),
        ctx.store.announcements.deadLetters(),
        ctx.store.announcements.recipients(),
      ]);
      env.stdout(`recipients: ${recipients.length}\ndeliveries waiting: ${pending}\ndead letters: ${letters.length}\n`);
      return 0;
    });
  }
  if (action !== 'dead-letter') throw new UsageError('announcements needs status or dead-letter');
  const [verb, id, ...rest] = args;
  if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
  switch (verb) {
    case 'list':
      if (id !== undefined) throw new UsageError('dead-letter list takes no ID');
      return withContext(options, env, async (ctx) => {
        const letters = await ctx.store.announcements.deadLetters();
        const messages = await ctx.store.announcements.messages([...new Set(letters.map((letter) => letter.id))]);
        const rows = letters.map((letter) => ({
          id: letter.id,
          type: bodyTypeOf(messages.get(letter.id)),
          subject: subjectOf(letter.recipient),
          attempts: letter.attempts,
          createdAt: new Date(letter.createdAt).toISOString(),
          deadAt: new Date(letter.deadAt).toISOString(),
          error: letter.error,
        }));
        if (options.json) env.stdout(`${JSON.stringify(rows)}\n`);
        else if (!rows.length) env.stdout('no dead letters\n');
        else for (const r of rows) env.stdout(`${r.id}\t${r.type}\t${r.subject}\t${r.attempts} tries\t${r.deadAt}\t${r.error}\n`);
        return 0;
      });
    case 'retry':
      return withContext(options, env, async (ctx) => {
        const announcer = createServerAnnouncer(ctx, loggerOf(env, ctx.config, true));
        for (const letter of await selected(ctx, id, options)) {
          const delivery = await announcer.requeue(letter.recipient, letter.id);
          if (!delivery) continue; // requeued or dropped meanwhile by someone else
          const how = delivery.route === 'stored' ? 'queued again for the running server to deliver' : delivery.route;
          env.stdout(`${letter.id} to ${subjectOf(letter.recipient)}: ${how} (new ID ${delivery.id})\n`);
        }
        return 0;
      });
    case 'drop':
      return withContext(options, env, async (ctx) => {
        let dropped = 0;
        for (const letter of await selected(ctx, id, options)) {
          if (await ctx.store.announcements.discard(letter.recipient, letter.id)) dropped++;
        }
        env.stdout(`dropped ${dropped} dead letter${dropped === 1 ? '' : 's'}\n`);
        return 0;
      });
    default:
      throw new UsageError('announcements dead-letter needs list, retry or drop');
  }
}
