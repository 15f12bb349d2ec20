import { nameToString, oidName, type GeneralName } from '@cmpkit/codec';
import { ProtectionError, verifyProtection, type ProtectionTrust } from '@cmpkit/protection';
import { readCertificates } from '../certificates.js';
import type { CmpOptionValues } from '../cmp-options.js';
import { describeCertificate } from '../format/describe-certificate.js';
import { decodeMessageFile, readDerFile } from '../input.js';
import type { Io } from '../io.js';
import { CliError } from '../cli-error.js';
import { readSecret } from '../secrets.js';

function senderText(name: GeneralName): string {
  return name.type === 'directoryName' ? nameToString(name.value) || '(NULL-DN)' : `${name.type}:${String(name.value)}`;
}

/**
 * `cmpkit verify FILE [--secret S] [--trusted CA.pem] [--untrusted chain.pem] [--at TIME]`: checks
 * a message's protection and prints the algorithm, the sender and the verdict.
 */
export async function verifyCommand(file: string, values: CmpOptionValues, io: Io): Promise<number> {
  const message = decodeMessageFile(file, await readDerFile('verify', file));
  const trust: ProtectionTrust = {};
  if (values.secret) trust.mac = { secret: await readSecret(values.secret) };
  if (values.trusted) {
    trust.signature = {
      anchors: await readCertificates('--trusted', values.trusted),
      ...(values.untrusted ? { untrusted: await readCertificates('--untrusted', values.untrusted) } : {}),
    };
  }
  if (!trust.mac && !trust.signature) throw new CliError('verify needs --secret and/or --trusted');
  let at: Date | undefined;
  if (values.at) {
    at = new Date(values.at);
    if (Number.isNaN(at.getTime())) throw new CliError(`--at '${values.at}' is not an ISO time`);
  }
  const alg = message.header.protectionAlg;
  io.stdout(`body: ${message.body.type}\n`);
  io.stdout(`protection: ${alg ? (oidName(alg.algorithm) ?? alg.algorithm) : '(none)'}\n`);
  io.stdout(`sender: ${senderText(message.header.sender)}\n`);
  try {
    const verified = await verifyProtection(message, trust, at ? { at } : {});
    if (verified.type === 'signature') io.stdout(`signer: ${describeCertificate(verified.certificate) ?? ''}\n`);
    io.stdout('verdict: OK\n');
    return 0;
  } catch (error) {
    if (!(error instanceof ProtectionError)) throw error;
    io.stdout(`verdict: FAILED (${error.failInfo.join(', ')}): ${error.message}\n`);
    return 1;
  }
}
