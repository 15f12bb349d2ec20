import type { InfoTypeAndValue } from '@cmpkit/codec';
import { decapsulate, encapsulate, subjectKeyIdentifierOf } from '@cmpkit/protection';
import { ProtocolError } from '../errors/protocol-error.js';
import { directoryName } from '../message/general-names.js';
import { randomBytes } from '../message/random.js';
import type { TransactionState } from '../message/transaction-state.js';
import type { ClientContext } from './client-context.js';
import { exchange } from './exchange.js';

/**
 * A new transaction (fresh transactionID), with the KEM-based MAC of RFC 9810 section 5.1.3.4
 * set up when the client is configured for it:
 *
 * - `serverKemCertificate` (Appendix E Figure 4): a shared secret is encapsulated to the
 *   server's ML-KEM key; its KemCiphertextInfo goes in the generalInfo of the first request, and
 *   responses protected with the derived key verify.
 * - `kem` (Figure 3): an unprotected genm KemCiphertextInfo with the client's ML-KEM certificate
 *   gets a ciphertext in genp; the decapsulated secret then protects every request of the
 *   transaction.
 *
 * Every transaction gets its own shared secret: one is never used for another transactionID.
 */
export async function startTransaction(ctx: ClientContext, signal: AbortSignal | undefined): Promise<TransactionState> {
  const { init, runtime } = ctx;
  const transaction: TransactionState = { transactionID: randomBytes(runtime.crypto, 16) };
  if (init.serverKemCertificate) {
    const { kemCiphertextInfo, sharedSecret } = await encapsulate(init.serverKemCertificate, { crypto: runtime.crypto });
    const itav: InfoTypeAndValue = { type: 'kemCiphertextInfo', infoValue: kemCiphertextInfo };
    transaction.pendingGeneralInfo = [itav];
    transaction.kemSecret = sharedSecret;
  }
  if (init.kem) {
    const { certificate, privateKey } = init.kem;
    const answer = await exchange(ctx, transaction, { type: 'genm', content: [{ type: 'kemCiphertextInfo' }] }, ['genp'], {
      signal,
      unprotected: true,
      extraCerts: [certificate, ...(init.kem.chain ?? [])],
      ...(ctx.sender ? { sender: directoryName(ctx.sender) } : {}),
    });
    const body = answer.message.body;
    const found = body.type === 'genp' ? body.content.filter((i) => i.type === 'kemCiphertextInfo') : [];
    const info = found.length === 1 && found[0]?.type === 'kemCiphertextInfo' ? found[0].infoValue : undefined;
    if (!info) throw new ProtocolError('badRequest', 'the genp carries no single KemCiphertextInfo');
    if (answer.verified?.type !== 'signature') {
      throw new ProtocolError(
        'badMessageCheck',
        'the KEM ciphertext must come in a signed genp: only then is the secret shared with the CA',
      );
    }
    const sharedSecret = await decapsulate(info, privateKey, { crypto: runtime.crypto });
    const ski = subjectKeyIdentifierOf(certificate);
    transaction.credential = { kemSharedSecret: sharedSecret, ...(ski ? { senderKID: ski } : {}) };
  }
  return transaction;
}
