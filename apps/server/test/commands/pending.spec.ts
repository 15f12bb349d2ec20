import { describe, expect, it } from 'vitest';
import { RequestRejectedError } from '@cmpkit/core';
import { certRequest, ecKey } from '../helpers.js';
import { initialised, type CliSetup } from './cli-setup.js';

async function waitingRequest(setup: CliSetup, profile: string, subject: string): Promise<string> {
  const ctx = await setup.context();
  try {
    const { spki } = await ecKey();
    const result = await ctx.issuer.certify(certRequest(spki, { profile, subject }));
    if (result.status !== 'pending') throw new Error('expected pending');
    return result.ticket;
  } finally {
    await ctx.close();
  }
}

async function poll(setup: CliSetup, ticket: string) {
  const ctx = await setup.context();
  try {
    return await ctx.issuer.poll(ticket, certRequest(undefined).requester).catch((e: unknown) => e);
  } finally {
    await ctx.close();
  }
}

describe('cmpkit-server pending', () => {
  it('lists waiting approvals, approves one, and the next poll issues it', async () => {
    const setup = await initialised();
    const ticket = await waitingRequest(setup, 'approval', '/CN=needs-ok');
    await waitingRequest(setup, 'delayed', '/CN=just-slow');

    const list = await setup.run('pending', 'list');
    expect(list.status).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(1); // delayed requests need no operator
    expect(lines[0]).toBe(`${ticket}\tpending\t${setup.clock().toISOString()}\tapproval\t/CN=needs-ok\tmac:demo\tpolls 0`);
    expect((await setup.run('pending', 'list', '--all')).stdout).toContain('/CN=just-slow');

    const approve = await setup.run('pending', 'approve', ticket);
    expect(approve.stdout).toBe(`approved request ${ticket}; the certificate is issued when the client polls next\n`);
    expect((await setup.run('pending', 'list')).stdout).toBe('no requests waiting for approval\n');
    expect(await poll(setup, ticket)).toMatchObject({ status: 'issued' });

    const twice = await setup.run('pending', 'approve', ticket);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain('is not waiting for approval');
  });

  it('rejects with the reason and failInfo the client then gets', async () => {
    const setup = await initialised();
    const ticket = await waitingRequest(setup, 'approval', '/CN=nope');
    const reject = await setup.run('pending', 'reject', ticket, '--reason', 'unknown device', '--fail-info', 'badCertTemplate');
    expect(reject.stdout).toBe(`rejected request ${ticket} (badCertTemplate)\n`);
    const error = await poll(setup, ticket);
    expect(error).toBeInstanceOf(RequestRejectedError);
    expect((error as RequestRejectedError).failInfo).toEqual(['badCertTemplate']);
    expect((error as RequestRejectedError).message).toBe('unknown device');
    expect((await setup.run('pending', 'list', '--all')).stdout).toContain('badCertTemplate: unknown device');
  });

  it('rejects with notAuthorized by default', async () => {
    const setup = await initialised();
    const ticket = await waitingRequest(setup, 'approval', '/CN=nope');
    expect((await setup.run('pending', 'reject', ticket)).status).toBe(0);
    expect(((await poll(setup, ticket)) as RequestRejectedError).failInfo).toEqual(['notAuthorized']);
  });

  it.each([
    [['pending', 'approve'], 'needs the ID'],
    [['pending', 'approve', 'x1'], 'needs the ID'],
    [['pending', 'reject', '1', '--fail-info', 'badPOP'], '--fail-info must be notAuthorized or badCertTemplate'],
    [['pending', 'frobnicate'], 'pending needs list, approve or reject'],
  ])('refuses %j', async (argv, message) => {
    const setup = await initialised();
    const result = await setup.run(...argv);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
