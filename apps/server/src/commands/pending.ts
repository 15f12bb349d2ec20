import type { CliEnvironment } from '../cli-environment.js';
import type { PendingRequest } from '@cmpkit/issuer';
import { runtimeOf, withContext, type CommonOptions } from './command-context.js';
import { UsageError } from './usage-error.js';

const REJECT_FAIL_INFO = ['notAuthorized', 'badCertTemplate'] as const;

function line(p: PendingRequest): string {
  const extra = [
    p.kind === 'delay' ? 'delayed' : undefined,
    p.serial ? `serial ${p.serial}` : undefined,
    p.status === 'rejected' ? `${p.failInfo}: ${p.reason ?? ''}` : undefined,
  ].filter((x) => x !== undefined);
  return `${p.id}\t${p.status}\t${p.createdAt.toISOString()}\t${p.profile}\t${p.subject || '(no subject)'}\t${p.requester}\tpolls ${p.polls}${extra.length ? `\t${extra.join(', ')}` : ''}\n`;
}

function idOf(text: string | undefined): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new UsageError('pending approve/reject needs the ID that pending list shows');
  return Number(text);
}

/** `cmpkit-server pending list|approve ID|reject ID`. */
export async function pending(
  action: string | undefined,
  args: string[],
  options: CommonOptions & { all?: boolean; reason?: string; 'fail-info'?: string },
  env: CliEnvironment,
): Promise<number> {
  const { clock } = runtimeOf(env);
  switch (action) {
    case 'list':
      return withContext(options, env, async (ctx) => {
        const rows = options.all
          ? await ctx.store.pending.list()
          : (await ctx.store.pending.list({ status: 'pending' })).filter((r) => r.kind === 'approval');
        if (rows.length === 0) env.stdout(options.all ? 'no requests\n' : 'no requests waiting for approval\n');
        for (const row of rows) env.stdout(line(row));
        return 0;
      });
    case 'approve': {
      const id = idOf(args[0]);
      return withContext(options, env, async (ctx) => {
        if (!(await ctx.store.pending.approve(id, clock()))) {
          env.stderr(`cmpkit-server: request ${id} is not waiting for approval\n`);
          return 1;
        }
        env.stdout(`approved request ${id}; the certificate is issued when the client polls next\n`);
        return 0;
      });
    }
    case 'reject': {
      const id = idOf(args[0]);
      const failInfo = options['fail-info'] ?? 'notAuthorized';
      if (!(REJECT_FAIL_INFO as readonly string[]).includes(failInfo)) {
        throw new UsageError(`--fail-info must be ${REJECT_FAIL_INFO.join(' or ')}`);
      }
      return withContext(options, env, async (ctx) => {
        if (!(await ctx.store.pending.reject(id, clock(), failInfo, options.reason))) {
          env.stderr(`cmpkit-server: request ${id} is not waiting for approval\n`);
          return 1;
        }
        env.stdout(`rejected request ${id} (${failInfo})\n`);
        return 0;
      });
    }
    default:
      throw new UsageError('pending needs list, approve or reject');
  }
}
