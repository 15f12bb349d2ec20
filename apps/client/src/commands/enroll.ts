import { readFile } from 'node:fs/promises';
import { parseName } from '@cmpkit/codec';
import type { EnrollOptions } from '@cmpkit/core';
import type { CmsDecryptionKey } from '@cmpkit/protection';
import { readCertificate, writeCertificates } from '../certificates.js';
import { clientFromOptions } from '../client-setup.js';
import type { CmpOptionValues } from '../cmp-options.js';
import { describeCertificate } from '../format/describe-certificate.js';
import { derFromBytes } from '../input.js';
import type { Io } from '../io.js';
import { generateKeyPair, isKeySpec, keyAlgorithmOf, readKeyPair, writePrivateKey } from '../keys.js';
import { CliError, readSecret } from '../secrets.js';
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
    const { privateKey } = await readKeyPair(kemKey, values.keypass ? await readSecret(values.keypass) : undefined);
    return { privateKey, certificate: await readCertificate(kemCert) };
  }
  if (values.cert && values.key) {
    const { privateKey } = await readKeyPair(values.key, values.keypass ? await readSecret(values.keypass) : undefined);
    return { privateKey, certificate: await readCertificate(values.cert) };
  }
  if (values.secret) return { password: await readSecret(values.secret) };
  throw new CliError('--centralkeygen needs --kem-cert/--kem-key, --cert/--key or --secret to open the returned key with');
}

/** `cmpkit ir|cr|kur|p10cr`: requests a certificate and writes what came back. */
export async function enrollCommand(bodyType: 'ir' | 'cr' | 'kur' | 'p10cr', values: CmpOptionValues, io: Io): Promise<number> {
  const { client, close } = await clientFromOptions(values, io);
  try {
    const options: EnrollOptions = { bodyType };
    if (bodyType === 'p10cr') {
      if (!values.csr) throw new CliError('p10cr needs --csr');
      options.csr = derFromBytes(new Uint8Array(await readFile(values.csr)));
    } else if (values.centralkeygen) {
      if (values.newkey && !isKeySpec(values.newkey)) {
        throw new CliError('--centralkeygen takes no key file: give --newkey ec:CURVE, rsa:BITS or ed25519, or nothing');
      }
      options.centralKeyGeneration = {
        ...(values.newkey ? { algorithm: keyAlgorithmOf(values.newkey) } : {}),
        decryptionKey: await decryptionKeyOf(values),
      };
    } else {
      if (!values.newkey) throw new CliError(`${bodyType} needs --newkey (a key file, or ec:P-256, rsa:2048, ed25519)`);
      const isSpec = isKeySpec(values.newkey);
      options.keyPair = isSpec
        ? await generateKeyPair(values.newkey)
        : await readKeyPair(values.newkey, values.newkeypass ? await readSecret(values.newkeypass) : undefined);
      if (isSpec && values.newkeyout) await writePrivateKey(values.newkeyout, options.keyPair.privateKey);
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
      options.oldCertificate = await readCertificate(old);
    }
    const result = await client.enroll(options);
    if (values.certout) await writeCertificates(values.certout, [result.certificate]);
    if (values.chainout) await writeCertificates(values.chainout, result.path ? result.path.slice(1) : result.extraCerts);
    if (values.extracertsout) await writeCertificates(values.extracertsout, result.extraCerts);
    if (values.cacertsout) await writeCertificates(values.cacertsout, result.caPubs);
    if (result.privateKey && values.newkeyout) await writePrivateKey(values.newkeyout, result.privateKey);
    const notes = [
      ...(result.implicitConfirmGranted ? ['implicitly confirmed'] : []),
      ...(options.disableConfirm && !result.implicitConfirmGranted ? ['not confirmed: --disable-confirm'] : []),
      ...(result.privateKey
        ? [`centrally generated key${values.newkeyout ? ` written to ${values.newkeyout}` : ' not saved (no --newkeyout)'}`]
        : []),
    ];
    io.stdout(
      `${bodyType}: enrolled ${describeCertificate(result.certificate) ?? '(unparsable certificate)'}${notes.length ? ` (${notes.join('; ')})` : ''}\n`,
    );
    return 0;
  } finally {
    await close();
  }
}
