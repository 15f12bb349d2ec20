import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, createCrossCertificates, createSelfSignedCa, defineProfile } from '@cmpkit/ca';
import { encodePem } from '@cmpkit/codec';
import { importPrivateKey, parseCertificate } from '@cmpkit/protection';
import type { RootCaUpdate } from '@cmpkit/issuer';
import { CA_FILES, generateKeyPair, type CaMaterial } from './ca-material.js';

/** What {@link rollRootCa} made. */
export interface RootRollover {
  /** The root CA key update (what genm rootCaCert returns and ckuann announces). */
  update: RootCaUpdate & { newWithOld: Uint8Array; oldWithNew: Uint8Array };
  /** The issuing CA's certificate under the new root (same name and key as before). */
  issuingCertificate: Uint8Array;
}

/** How the new root is made. */
export interface RolloverSetup {
  /** Key algorithm of the new root key, e.g. `ec:P-256`. */
  keyAlgorithm: string;
  validityDays: number;
  crypto: Crypto;
  clock: () => Date;
}

const SUBORDINATE_KEYS = ['ec:P-256', 'ec:P-384', 'ec:P-521', 'rsa:2048+', 'rsa-pss:2048+', 'ed25519', 'ed448'] as const;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Root CA key update (RFC 9810 section 4.4) of the data directory `dir`: a new root key and
 * self-signed certificate with the old root's name, the link certificates newWithOld and
 * oldWithNew, and the issuing CA's key certified again under the new root, so that certificates
 * issued from now on (and those issued before, whose issuing key did not change) chain to the
 * new root. The files change in place: the old root certificate moves to `previous-roots.pem`,
 * its key to `root-ca.<serial>.key.pem`, the links go to `root-links.pem`; the running server
 * picks them up when it sees the update in the database.
 */
export async function rollRootCa(dir: string, material: CaMaterial, setup: RolloverSetup): Promise<RootRollover> {
  const { crypto, clock } = setup;
  const oldRoot = material.root.certificate;
  const oldRootKey = await importPrivateKey(await readFile(join(dir, CA_FILES.rootKey), 'utf8'), { crypto });
  const oldInfo = parseCertificate(oldRoot);
  const newRoot = await createSelfSignedCa({
    subject: oldInfo.subject,
    validityDays: setup.validityDays,
    keyPair: await generateKeyPair(setup.keyAlgorithm, crypto),
    crypto,
    clock,
  });
  const links = await createCrossCertificates({ certificate: oldRoot, privateKey: oldRootKey }, newRoot, { crypto });
  const issuingInfo = parseCertificate(material.issuing.certificate);
  const { certificate: issuingCertificate } = await createCertificateAuthority({ ...newRoot, crypto, clock }).issue({
    template: { subject: issuingInfo.subject },
    publicKey: issuingInfo.subjectPublicKeyInfo,
    profile: defineProfile({
      name: 'subordinate CA',
      validityDays: Math.max(1, Math.round((issuingInfo.notAfter.getTime() - clock().getTime()) / 86_400_000)),
      basicConstraints: { cA: true, pathLenConstraint: 0 },
      keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
      keyAlgorithms: SUBORDINATE_KEYS,
      allowSubjectAltName: false,
    }),
  });

  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', newRoot.privateKey));
  const archivedKey = join(dir, `root-ca.${oldInfo.serialNumber.toString(16)}.key.pem`);
  await rename(join(dir, CA_FILES.rootKey), archivedKey);
  await writeFile(join(dir, CA_FILES.rootKey), encodePem('PRIVATE KEY', pkcs8), { mode: 0o600, flag: 'wx' });
  const previous = await readFile(join(dir, CA_FILES.previousRoots), 'utf8').catch(() => '');
  await writeFile(join(dir, CA_FILES.previousRoots), encodePem('CERTIFICATE', oldRoot) + previous);
  await appendFile(join(dir, CA_FILES.links), encodePem('CERTIFICATE', links.newWithOld) + encodePem('CERTIFICATE', links.oldWithNew));
  await writeFile(join(dir, CA_FILES.issuingCertificate), encodePem('CERTIFICATE', issuingCertificate));
  await writeFile(join(dir, CA_FILES.rootCertificate), encodePem('CERTIFICATE', newRoot.certificate));

  return {
    update: {
      oldRootSha256: hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(oldRoot)))),
      newWithNew: newRoot.certificate,
      newWithOld: links.newWithOld,
      oldWithNew: links.oldWithNew,
      createdAt: clock(),
    },
    issuingCertificate,
  };
}
