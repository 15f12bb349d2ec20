import { beforeAll, describe, expect, it } from 'vitest';
import { isCmpError, type PKIBody } from '@cmpkit/codec';
import { createClient, ProtocolError, RemoteError, type ClientInit } from '@cmpkit/core';
import { ProtectionError } from '@cmpkit/protection';
import { fakeClock } from '@cmpkit/test-utils';
import { MAC_CREDENTIAL, REF, scriptedServer, type ReplyOptions, type Script } from './helpers/scripted-server.js';
import { createTestPki, T0, type TestPki } from './helpers/test-pki.js';

const GENP: PKIBody = { type: 'genp', content: [] };

/** A MAC client over a scripted server; `script` answers the genm. */
function setup(script: Script[], init: Partial<ClientInit> = {}) {
  const clock = fakeClock({ start: T0 });
  const server = scriptedServer({ clock: clock.date, protection: MAC_CREDENTIAL }, script);
  const client = createClient({ transport: server.transport, credential: MAC_CREDENTIAL, clock: clock.date, sleep: clock.sleep, ...init });
  return { clock, server, client };
}

/** Sends a genm answered by a genp built with `options`; resolves to the error it fails with. */
async function genmFailure(options: ReplyOptions, init: Partial<ClientInit> = {}, body: PKIBody = GENP): Promise<unknown> {
  const { client, server } = setup([(_, reply) => reply(body, options)], init);
  const error = await client.generalMessage([]).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(server.requests).toHaveLength(1); // nothing is retried
  return error;
}

describe('client exchange: response header checks (RFC 9810 5.1.1, RFC 9483 3.5)', () => {
  it('accepts a well-formed genp', async () => {
    const { client, server } = setup([(_, reply) => reply({ type: 'genp', content: [{ type: 'caCerts' }] })]);
    await expect(client.generalMessage([{ type: 'caCerts' }])).resolves.toEqual([{ type: 'caCerts' }]);
    expect(server.requests[0]!.body.type).toBe('genm');
    expect(server.requests[0]!.header.senderNonce).toHaveLength(16);
    expect(server.requests[0]!.header.transactionID).toHaveLength(16);
  });

  it.each<[string, ReplyOptions, string]>([
    ['pvno 1', { header: { pvno: 1 } }, 'unsupportedVersion'],
    ['pvno 4', { header: { pvno: 4 } }, 'unsupportedVersion'],
    ['another transactionID', { header: { transactionID: new Uint8Array(16).fill(7) } }, 'badRequest'],
    ['no transactionID', { header: { transactionID: undefined } }, 'badRequest'],
    ['another recipNonce', { header: { recipNonce: new Uint8Array(16).fill(1) } }, 'badRecipientNonce'],
    ['no recipNonce', { header: { recipNonce: undefined } }, 'badRecipientNonce'],
    ['a senderNonce of 8 bytes', { header: { senderNonce: new Uint8Array(8).fill(3) } }, 'badSenderNonce'],
    ['no senderNonce', { header: { senderNonce: undefined } }, 'badSenderNonce'],
    ['messageTime 601 s late', { header: { messageTime: new Date(T0.getTime() + 601_000) } }, 'badTime'],
    ['messageTime 601 s early', { header: { messageTime: new Date(T0.getTime() - 601_000) } }, 'badTime'],
  ])('refuses a response with %s (%s)', async (_, options, failInfo) => {
    const error = await genmFailure(options);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).failInfo).toEqual([failInfo]);
  });

  it('accepts messageTime within the tolerance, and any with messageTimeTolerance Infinity', async () => {
    const near = setup([(_, reply) => reply(GENP, { header: { messageTime: new Date(T0.getTime() + 600_000) } })]);
    await expect(near.client.generalMessage([])).resolves.toEqual([]);
    const far = setup([(_, reply) => reply(GENP, { header: { messageTime: new Date(T0.getTime() + 86_400_000) } })], {
      messageTimeTolerance: Infinity,
    });
    await expect(far.client.generalMessage([])).resolves.toEqual([]);
    const tight = await genmFailure({ header: { messageTime: new Date(T0.getTime() + 11_000) } }, { messageTimeTolerance: 10 });
    expect((tight as ProtocolError).failInfo).toEqual(['badTime']);
  });

  it('accepts a response without messageTime (it is optional)', async () => {
    const { client } = setup([(_, reply) => reply(GENP, { header: { messageTime: undefined } })]);
    await expect(client.generalMessage([])).resolves.toEqual([]);
  });

  it('refuses an unexpected body type', async () => {
    const error = await genmFailure({}, {}, { type: 'pkiconf', content: null });
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).failInfo).toEqual(['badRequest']);
    expect((error as Error).message).toMatch(/expected genp but the response is pkiconf/);
  });

  it('checks the header of a protected error too, before reporting it', async () => {
    const error = await genmFailure(
      { header: { recipNonce: new Uint8Array(16) } },
      {},
      { type: 'error', content: { pKIStatusInfo: { status: 2, failInfo: ['badRequest'] } } },
    );
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).failInfo).toEqual(['badRecipientNonce']);
  });
});

describe('client exchange: error bodies', () => {
  it('turns an error body into a RemoteError with every field the peer sent', async () => {
    const error = await genmFailure(
      {},
      {},
      {
        type: 'error',
        content: {
          pKIStatusInfo: { status: 2, failInfo: ['badRequest', 'systemUnavail', 'bit30'], statusString: ['go away', 'really'] },
          errorCode: 42,
          errorDetails: ['detail one'],
        },
      },
    );
    expect(error).toBeInstanceOf(RemoteError);
    const remote = error as RemoteError;
    expect(remote.status).toBe(2);
    expect(remote.bodyType).toBe('error');
    expect(remote.failInfoBits).toEqual(['badRequest', 'systemUnavail', 'bit30']);
    expect(remote.failInfo).toEqual(['badRequest', 'systemUnavail']);
    expect(remote.statusString).toEqual(['go away', 'really']);
    expect(remote.errorCode).toBe(42);
    expect(remote.errorDetails).toEqual(['detail one']);
    expect(remote.code).toBe('CMP_ERR_REMOTE');
    expect(remote.message).toBe(
      'peer answered error with status rejection (badRequest, systemUnavail, bit30): go away; really; detail one [errorCode 42]',
    );
    expect(isCmpError(remote)).toBe(true);
  });

  it('reports a bare error (status only)', async () => {
    const error = await genmFailure({}, {}, { type: 'error', content: { pKIStatusInfo: { status: 2 } } });
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).message).toBe('peer answered error with status rejection');
    expect((error as RemoteError).errorCode).toBeUndefined();
  });
});

describe('client exchange: protection of responses', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki();
  });

  it('refuses an unprotected response', async () => {
    const error = await genmFailure({ protection: 'none' });
    expect(error).toBeInstanceOf(ProtectionError);
    expect((error as ProtectionError).failInfo).toEqual(['badMessageCheck']);
    expect((error as Error).message).toMatch(/genp response is not protected/);
  });

  it('refuses a response MACed with another secret', async () => {
    const error = await genmFailure({ protection: { secret: 'not-the-secret', senderKID: REF } });
    expect(error).toBeInstanceOf(ProtectionError);
    expect((error as ProtectionError).failInfo).toEqual(['badMessageCheck']);
  });

  it('refuses a response whose protection was tampered with', async () => {
    const error = await genmFailure({
      mangle: (der) => {
        const out = der.slice();
        out[out.length - 1]! ^= 0x01;
        return out;
      },
    });
    expect(error).toBeInstanceOf(ProtectionError);
    expect((error as ProtectionError).failInfo).toEqual(['badMessageCheck']);
  });

  it('refuses a signed response when the client only trusts the shared secret', async () => {
    const signer = { privateKey: pki.server.keyPair.privateKey, certificate: pki.server.certificate };
    const error = await genmFailure({ protection: signer, header: { sender: { type: 'directoryName', value: pki.server.subject } } });
    expect(error).toBeInstanceOf(ProtectionError);
    expect((error as ProtectionError).failInfo).toEqual(['wrongIntegrity']);
  });

  it('accepts a signed response under the configured anchors and refuses one from an untrusted signer', async () => {
    const signer = { privateKey: pki.server.keyPair.privateKey, certificate: pki.server.certificate, chain: [pki.issuing.certificate] };
    const header = { sender: { type: 'directoryName', value: pki.server.subject } };
    const trusted = setup([(_, reply) => reply(GENP, { protection: signer, header })], {
      trust: { signature: { anchors: [pki.root.certificate] } },
    });
    await expect(trusted.client.generalMessage([])).resolves.toEqual([]);
    const error = await genmFailure({ protection: signer, header }, { trust: { signature: { anchors: [pki.rogue.root.certificate] } } });
    expect(error).toBeInstanceOf(ProtectionError);
    expect((error as ProtectionError).failInfo).toEqual(['signerNotTrusted']);
  });

  it('refuses an unprotected error by default, and reports it as a RemoteError with unprotectedErrors', async () => {
    const errorBody: PKIBody = { type: 'error', content: { pKIStatusInfo: { status: 2, statusString: ['unprotected'] } } };
    const refused = await genmFailure({ protection: 'none' }, {}, errorBody);
    expect(refused).toBeInstanceOf(ProtectionError);
    const reported = await genmFailure({ protection: 'none' }, { unprotectedErrors: true }, errorBody);
    expect(reported).toBeInstanceOf(RemoteError);
    expect((reported as RemoteError).statusString).toEqual(['unprotected']);
    const badMac = await genmFailure({ protection: { secret: 'wrong', senderKID: REF } }, { unprotectedErrors: true }, errorBody);
    expect(badMac).toBeInstanceOf(RemoteError);
  });

  it("keeps the server's text of a refusal whose protection fails, marked unverified (and believes nothing of it)", async () => {
    const errorBody: PKIBody = {
      type: 'error',
      content: { pKIStatusInfo: { status: 2, failInfo: ['badPOP'], statusString: ['the POP signature is wrong'] } },
    };
    for (const protection of ['none', { secret: 'wrong', senderKID: REF }] as const) {
      const error = await genmFailure({ protection }, {}, errorBody);
      expect(error).toBeInstanceOf(ProtectionError);
      expect((error as ProtectionError).failInfo).toEqual(['badMessageCheck']);
      expect((error as Error).message).toMatch(
        /unverified: peer answered error with status rejection \(badPOP\): the POP signature is wrong$/,
      );
      const cause = (error as Error).cause;
      expect(cause).toBeInstanceOf(RemoteError);
      expect(cause).toMatchObject({ failInfo: ['badPOP'], statusString: ['the POP signature is wrong'] });
    }
    // A positive answer that fails its protection says nothing more.
    const positive = await genmFailure({ protection: { secret: 'wrong', senderKID: REF } });
    expect((positive as Error).message).not.toMatch(/unverified/);
    expect((positive as Error).cause).toBeUndefined();
  });

  it('never accepts an unprotected positive response or waiting error, even with unprotectedErrors', async () => {
    const positive = await genmFailure({ protection: 'none' }, { unprotectedErrors: true });
    expect(positive).toBeInstanceOf(ProtectionError);
    const waitingError: PKIBody = { type: 'error', content: { pKIStatusInfo: { status: 3 } } };
    const waiting = await genmFailure({ protection: 'none' }, { unprotectedErrors: true }, waitingError);
    expect(waiting).toBeInstanceOf(ProtectionError);
  });

  it('refuses a response that is not DER', async () => {
    const { client, server } = setup([() => Uint8Array.of(0x30, 0x80, 0x00, 0x00)]);
    await expect(client.generalMessage([])).rejects.toMatchObject({ name: 'DerError' });
    expect(server.requests).toHaveLength(1);
  });
});
