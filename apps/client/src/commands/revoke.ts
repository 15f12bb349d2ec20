import { PKIStatus } from '@cmpkit/codec';
import { readCertificate } from '../certificates.js';
import { withClient } from '../client-setup.js';
import type { CmpOptionValues } from '../cmp-options.js';
import { describeCertificate } from '../format/describe-certificate.js';
import type { Io } from '../io.js';
import { CliError } from '../cli-error.js';

/** `cmpkit rr --oldcert CERT [--revreason N]`: asks the CA to revoke a certificate. */
export async function revokeCommand(values: CmpOptionValues, io: Io): Promise<number> {
  const target = values.oldcert;
  if (!target) throw new CliError('rr needs --oldcert (the certificate to revoke)');
  const reason = values.revreason === undefined ? 0 : Number(values.revreason);
  if (!Number.isInteger(reason) || reason < 0 || reason > 10 || reason === 7) {
    throw new CliError(`--revreason '${values.revreason}' must be a CRLReason code 0..10 (not 7)`);
  }
  const certificate = await readCertificate('--oldcert', target);
  return withClient(values, io, [], async (client) => {
    const result = await client.revoke({ certificate, reason });
    // removeFromCRL (8) takes a certificate off hold.
    io.stdout(`rr: ${reason === 8 ? 'revived' : 'revoked'} ${describeCertificate(certificate) ?? ''}\n`);
    if (result.status === PKIStatus.revocationWarning) {
      io.stderr(`rr: warning from the CA (revocationWarning)${result.statusString ? `: ${result.statusString.join('; ')}` : ''}\n`);
    }
    return 0;
  });
}
