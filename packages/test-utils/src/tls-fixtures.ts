import { createCertificateAuthority, createSelfSignedCa, profiles } from '@cmpkit/ca';
import { decodeSubjectPublicKeyInfo, encodeGeneralNames, encodePem, oids, parseName } from '@cmpkit/codec';

/** PEM text of a certificate and its key, as `node:tls` options take them. */
export interface TlsCredentialPem {
  /** The certificate (PEM). */
  cert: string;
  /** Its PKCS#8 private key (PEM). */
  key: string;
}

/** A throwaway PKI for TLS tests, from {@link createTlsFixtures}. */
export interface TlsFixtures {
  /** The root CA certificate (PEM): the `ca` of clients and of servers that ask for client certificates. */
  ca: string;
  /** A server certificate for `127.0.0.1`, `::1` and `localhost` (extKeyUsage serverAuth). */
  server: TlsCredentialPem;
  /** A client certificate for `/CN=tls-client` (extKeyUsage clientAuth), and its DER. */
  client: TlsCredentialPem & { der: Uint8Array };
  /** A root nobody trusts, with a server certificate for `127.0.0.1` under it. */
  stranger: { ca: string; server: TlsCredentialPem };
}

async function issue(
  ca: ReturnType<typeof createCertificateAuthority>,
  subject: string,
  profile: (typeof profiles)['tlsServer'],
  sans: Parameters<typeof encodeGeneralNames>[0],
): Promise<TlsCredentialPem & { der: Uint8Array }> {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey)));
  const extensions = sans.length ? [{ extnID: oids.id_ce_subjectAltName, extnValue: encodeGeneralNames(sans) }] : [];
  const issued = await ca.issue({
    template: { subject: parseName(subject), ...(extensions.length ? { extensions } : {}) },
    publicKey,
    profile,
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { cert: encodePem('CERTIFICATE', issued.certificate), key: encodePem('PRIVATE KEY', pkcs8), der: issued.certificate };
}

const LOOPBACK = [
  { type: 'iPAddress' as const, value: Uint8Array.of(127, 0, 0, 1) },
  { type: 'iPAddress' as const, value: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1) },
  { type: 'dNSName' as const, value: 'localhost' },
];

/**
 * A root CA with a loopback server certificate and a client certificate under it, plus a
 * stranger's root and server certificate, all made in memory (ECDSA P-256): for TLS tests of the
 * transports and apps, with no files and no network.
 */
export async function createTlsFixtures(): Promise<TlsFixtures> {
  const root = await createSelfSignedCa({ subject: '/O=cmpkit test/CN=TLS Test Root' });
  const ca = createCertificateAuthority(root);
  const other = await createSelfSignedCa({ subject: '/O=elsewhere/CN=Stranger Root' });
  const strangerServer = await issue(createCertificateAuthority(other), '/CN=127.0.0.1', profiles.tlsServer, LOOPBACK);
  return {
    ca: encodePem('CERTIFICATE', root.certificate),
    server: await issue(ca, '/CN=localhost', profiles.tlsServer, LOOPBACK),
    client: await issue(ca, '/CN=tls-client', profiles.tlsClient, []),
    stranger: { ca: encodePem('CERTIFICATE', other.certificate), server: { cert: strangerServer.cert, key: strangerServer.key } },
  };
}
