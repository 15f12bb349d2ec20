import { describe, expect, it } from 'vitest';
import { oids, type GeneralName, type Rand } from '@cmpkit/codec';
import { createPopChallenge, decryptPopChallenge, ProtectionError } from '@cmpkit/protection';
import { pki, providers } from './cms-fixtures.js';

const sender: GeneralName = { type: 'uniformResourceIdentifier', value: 'https://ca.example/cmp' };

describe.each(providers)('POP challenges (popdecc encryptedRand) under %s', (_, crypto) => {
  const rand: Rand = { int: 0x0123456789abcdef0123456789abcdefn, sender };

  it('decrypts the Rand and checks the witness', async () => {
    const challenge = await createPopChallenge(rand, {
      crypto,
      recipient: { type: 'kari', certificate: pki.eeP256.cert },
    });
    expect(challenge.owf).toEqual({ algorithm: oids.id_sha256 });
    expect(challenge.challenge).toHaveLength(0);
    expect(challenge.witness).toHaveLength(32);
    const opened = await decryptPopChallenge(challenge, {
      crypto,
      key: { privateKey: pki.eeP256.key },
    });
    expect(opened).toEqual(rand);
  });

  it('uses the owf of the preceding challenge when the challenge omits it', async () => {
    const { owf, ...challenge } = await createPopChallenge(rand, {
      crypto,
      owf: 'SHA-384',
      recipient: { type: 'ktri', certificate: pki.eeRsa.cert },
    });
    expect(owf).toEqual({ algorithm: oids.id_sha384 });
    expect(
      await decryptPopChallenge(challenge, {
        crypto,
        owf: owf!,
        key: { privateKey: pki.eeRsa.key },
      }),
    ).toEqual(rand);
    await expect(decryptPopChallenge(challenge, { crypto, key: { privateKey: pki.eeRsa.key } })).rejects.toBeInstanceOf(ProtectionError);
  });

  it('a wrong witness or key fails with badMessageCheck', async () => {
    const challenge = await createPopChallenge(rand, {
      crypto,
      recipient: { type: 'kari', certificate: pki.eeP256.cert },
    });
    const witness = challenge.witness.slice();
    witness[0] = (witness[0] as number) ^ 1;
    await expect(decryptPopChallenge({ ...challenge, witness }, { crypto, key: { privateKey: pki.eeP256.key } })).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
    await expect(decryptPopChallenge(challenge, { crypto, key: { privateKey: pki.generated } })).rejects.toMatchObject({
      failInfo: ['badMessageCheck'],
    });
  });

  it('a challenge without encryptedRand (the deprecated form) is badAlg', async () => {
    const { encryptedRand: _unused, ...challenge } = await createPopChallenge(rand, {
      crypto,
      recipient: { type: 'kari', certificate: pki.eeP256.cert },
    });
    await expect(decryptPopChallenge(challenge, { crypto, key: { privateKey: pki.eeP256.key } })).rejects.toMatchObject({
      failInfo: ['badAlg'],
    });
  });
});
