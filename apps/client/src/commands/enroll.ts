import { parseName } from '@cmpkit/codec';
import type { EnrollOptions } from '@cmpkit/core';
import { verifyCertificationRequest, type CmsDecryptionKey } from '@cmpkit/protection';
import { readCertificate, writeCertificates } from '../certificates.js';
import { nodeCrypto, withClient } from '../client-setup.js';
import type { CmpOptionValues } from '../cmp-options.js';
import { describeCertificate } from '../format/describe-certificate.js';
import { checkOutputFiles, FileError } from '../files.js';
import { readDerFile } from '../input.js';
import type { Io } from '../io.js';
import { generateKeyPair, isKeySpec, keyAlgorithmOf, readKeyPair, writePrivateKey } from '../keys.js';
import { CliError } from '../cli-error.js';
import { withKeyProgress } from '../progress.js';
import { readSecret } from '../secrets.js';
import { parseSubjectAltNames } from '../subject-alt-names.js';

/**
 * What opens a centrally generated key: the private key of --cert/--key for a signature client
 * (as it protects its requests with them), else the shared secret of --secret.
 */
async function decryptionKeyOf(values: CmpOptionValues): Promise<CmsDecryptionKey> {
  const kemCert = values['kem-cert'];
  const kemKey = values['kem-key'];
  if (kemCert && kemKey) {
    // Under KEM-based MAC the key comes in a KEMRecipientInfo for the ML-KEM certificate.
    const { privateKey } = await readKeyPair(
      '--kem-key',
      kemKey,
      values.keypass ? await readSecret(values.keypass, '--keypass') : undefined,
    );
    return { privateKey, certificate: await readCertificate('--kem-cert', kemCert) };
  }
  if (values.cert && values.key) {
    const { privateKey } = await readKeyPair(
      '--key',
      values.key,
      values.keypass ? await readSecret(values.keypass, '--keypass') : undefined,
    );
    return { privateKey, certificate: await readCertificate('--cert', values.cert) };
  }
  if (values.secret) return { password: await readSecret(values.secret) };
  throw new CliError('--centralkeygen needs --kem-cert/--kem-key, --cert/--key or --secret to open the returned key with');
}

/** The PKCS#10 request of --csr, checked (structure and self-signature) before it is sent. */
async function readCsr(path: string): Promise<Uint8Array> {
  const csr = await readDerFile('--csr', path);
  try {
    await verifyCertificationRequest(csr, { crypto: nodeCrypto });
  } catch (error) {
    throw new FileError(path, `--csr ${path}: not a usable PKCS#10 request: ${(error as Error).message}`, { cause: error });
  }
  return csr;
}

/** Refuses, before anything is sent, a key made here or by the CA without --newkeyout to keep it. */
function refuseKeyLoss(bodyType: string, values: CmpOptionValues): void {
  if (values.centralkeygen && values.newkey && !isKeySpec(values.newkey)) {
    throw new CliError('--centralkeygen takes no key file: give --newkey ec:CURVE, rsa:BITS or ed25519, or nothing');
  }
  if (bodyType === 'p10cr' || values.newkeyout) return;
  if (values.centralkeygen) throw new CliError('--centralkeygen: the key the CA generates would be lost: give --newkeyout FILE to keep it');
  if (values.newkey !== undefined && isKeySpec(values.newkey)) {
    throw new CliError(
      `--newkey ${values.newkey} makes a new key that would be lost: give --newkeyout FILE to keep it (or --newkey FILE with a key you have)`,
    );
  }
}

/** The request from the options: its key (read, made here and written to --newkeyout, or asked of the CA), template and controls. */
async function enrollOptionsOf(bodyType: 'ir' | 'cr' | 'kur' | 'p10cr', values: CmpOptionValues, io: Io): Promise<EnrollOptions> {
  const options: EnrollOptions = { bodyType };
  if (bodyType === 'p10cr') {
    if (!values.csr) throw new CliError('p10cr needs --csr');
    options.csr = await readCsr(values.csr);
  } else if (values.centralkeygen) {
    options.centralKeyGeneration = {
      ...(values.newkey ? { algorithm: keyAlgorithmOf(values.newkey) } : {}),
      decryptionKey: await decryptionKeyOf(values),
    };
  } else {
    if (!values.newkey) throw new CliError(`${bodyType} needs --newkey (a key file, or ec:P-256, rsa:2048, ed25519)`);
    const spec = values.newkey;
    const password = values.newkeypass ? await readSecret(values.newkeypass, '--newkeypass') : undefined;
    options.keyPair = isKeySpec(spec)
      ? await withKeyProgress(io, spec, 'the new key', () => generateKeyPair(spec))
      : await readKeyPair('--newkey', spec, password, '--newkeypass');
    if (isKeySpec(spec) && values.newkeyout) await writePrivateKey('--newkeyout', values.newkeyout, options.keyPair.privateKey);
  }
  if (values.subject) options.subject = parseName(values.subject);
  if (values.issuer) options.issuer = parseName(values.issuer);
  if (values.sans) options.subjectAltNames = parseSubjectAltNames(values.sans);
  if (values.days) {
    const days = Number(values.days);
    if (!(Number.isInteger(days) && days > 0)) throw new CliError(`--days '${values.days}' is not a positive integer`);
    const now = new Date();
    options.validity = {
      notBefore: new Date(Math.floor(now.getTime() / 1000) * 1000),
      notAfter: new Date(Math.floor(now.getTime() / 1000) * 1000 + days * 86_400_000),
    };
  }
  if (values.profile) options.certProfile = values.profile;
  if (values['implicit-confirm']) options.implicitConfirm = true;
  if (values['disable-confirm']) options.disableConfirm = true;
  if (bodyType === 'kur') {
    const old = values.oldcert ?? values.cert;
    if (!old) throw new CliError('kur needs --oldcert (or --cert)');
    options.oldCertificate = await readCertificate(values.oldcert ? '--oldcert' : '--cert', old);
  }
  return options;
}

/** `cmpkit ir|cr|kur|p10cr`: requests a certificate and writes what came back. */
export async function enrollCommand(bodyType: 'ir' | 'cr' | 'kur' | 'p10cr', values: CmpOptionValues, io: Io): Promise<number> {
  refuseKeyLoss(bodyType, values);
  const outputs = [
    ['--certout', values.certout],
    ['--newkeyout', values.newkeyout],
    ['--chainout', values.chainout],
    ['--extracertsout', values.extracertsout],
    ['--cacertsout', values.cacertsout],
  ] as const;
  await checkOutputFiles(outputs);
  const options = await enrollOptionsOf(bodyType, values, io);
  return withClient(values, io, outputs, async (client) => {
    const result = await client.enroll(options);
    if (values.certout) await writeCertificates('--certout', values.certout, [result.certificate]);
    if (values.chainout) await writeCertificates('--chainout', values.chainout, result.path ? result.path.slice(1) : result.extraCerts);
    if (values.extracertsout) await writeCertificates('--extracertsout', values.extracertsout, result.extraCerts);
    if (values.cacertsout) await writeCertificates('--cacertsout', values.cacertsout, result.caPubs);
    if (result.privateKey && values.newkeyout) await writePrivateKey('--newkeyout', values.newkeyout, result.privateKey);
    const notes = [
      ...(result.implicitConfirmGranted ? ['implicitly confirmed'] : []),
      ...(options.disableConfirm && !result.implicitConfirmGranted ? ['not confirmed: --disable-confirm'] : []),
      ...(result.privateKey && values.newkeyout ? [`centrally generated key written to ${values.newkeyout}`] : []),
    ];
    io.stdout(
      `${bodyType}: enrolled ${describeCertificate(result.certificate) ?? '(unparsable certificate)'}${notes.length ? ` (${notes.join('; ')})` : ''}\n`,
    );
    return 0;
  });
}
