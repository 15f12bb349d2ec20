// A CMP server engine with an announcer and an in-memory issuing CA, for the announcement tests
// of core and of every transport: the same PKI (root, issuing CA, the server's signing
// certificate), a second root for CA rollovers, and a signer the clients must not trust.
import {
  createCertificateAuthority,
  createCrossCertificates,
  createSelfSignedCa,
  createSubordinateCa,
  defineProfile,
  profiles,
  type CertificateAuthority,
  type CrossCertificates,
  type GeneratedCa,
} from '@cmpkit/ca';
import { decodeSubjectPublicKeyInfo, oids, parseName, type Name } from '@cmpkit/codec';
import {
  createAnnouncer,
  createServer,
  memorySecretStore,
  RequestRejectedError,
  type AnnouncementStore,
  type Announcer,
  type AnnouncerInit,
  type ClientInit,
  type CmpServer,
  type Issuer,
} from '@cmpkit/core';
import type { MacCredential, SignatureCredential } from '@cmpkit/protection';

/** Options of {@link createAnnouncementScenario}. */
export interface AnnouncementScenarioOptions {
  /** The clock of the CA, the engine and the announcer. Default: the platform clock. */
  clock?: () => Date;
  /** The announcer's store. Default: in memory. */
  store?: AnnouncementStore;
  /** HTTP push for the announcer. */
  httpPush?: AnnouncerInit['httpPush'];
  /** The announcer's retries of failed deliveries. */
  retry?: AnnouncerInit['retry'];
}

/** Everything an announcement test needs on the CA side. */
export interface AnnouncementScenario {
  clock: () => Date;
  root: GeneratedCa;
  /** The issuing CA under the root. */
  ca: CertificateAuthority;
  serverName: Name;
  /** The CMP server's signing credential (protects responses and announcements). */
  serverCredential: SignatureCredential;
  /** The shared secret clients enroll with. */
  mac: MacCredential;
  /** The root the CA rolls over to. */
  newRoot: GeneratedCa;
  /** A signer under an unrelated root: what a forger has. */
  rogueCredential: SignatureCredential;
  server: CmpServer;
  announcer: Announcer;
  /** The body types of every certification request the issuer saw. */
  requests: string[];
  newKeyPair(): Promise<CryptoKeyPair>;
  /** The link certificates of the rollover from `root` to `newRoot`. */
  crossCertificates(): Promise<CrossCertificates>;
  /** A device certificate under the new root. */
  issueUnderNewRoot(subject: string): Promise<Uint8Array>;
  /** ClientInit without the transport: the shared secret, the root as anchor, the scenario's clock. */
  clientInit(): Omit<ClientInit, 'transport'>;
}

const EC: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

async function newKeyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function spkiOf(keyPair: CryptoKeyPair) {
  return decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey)));
}

/** Builds the PKI, the engine (MAC secret `3078`, signer, root as anchor) and its announcer. */
export async function createAnnouncementScenario(options: AnnouncementScenarioOptions = {}): Promise<AnnouncementScenario> {
  const clock = options.clock ?? (() => new Date());
  const root = await createSelfSignedCa({ subject: '/O=cmpkit test/CN=Announcing Root CA', clock });
  const issuing = await createSubordinateCa(createCertificateAuthority({ ...root, clock }), {
    subject: '/O=cmpkit test/CN=Announcing Issuing CA',
  });
  const ca = createCertificateAuthority({ ...issuing, clock });
  const newRoot = await createSelfSignedCa({ subject: '/O=cmpkit test/CN=Announcing Root CA 2', clock });
  const serverName = parseName('/O=cmpkit test/CN=Announcing CMP Server');
  const serverKey = await newKeyPair();
  const serverProfile = defineProfile({
    name: 'cmpServer',
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: [oids.id_kp_cmcCA],
    allowSubjectAltName: false,
  });
  const serverCertificate = (
    await ca.issue({ template: { subject: serverName, publicKey: await spkiOf(serverKey) }, profile: serverProfile })
  ).certificate;
  const serverCredential: SignatureCredential = {
    privateKey: serverKey.privateKey,
    certificate: serverCertificate,
    chain: [ca.certificate],
  };

  const rogueRoot = await createSelfSignedCa({ subject: '/O=cmpkit test/CN=Announcing Root CA', clock });
  const rogueKey = await newKeyPair();
  const rogueCertificate = (
    await createCertificateAuthority({ ...rogueRoot, clock }).issue({
      template: { subject: serverName, publicKey: await spkiOf(rogueKey) },
      profile: serverProfile,
    })
  ).certificate;
  const rogueCredential: SignatureCredential = { privateKey: rogueKey.privateKey, certificate: rogueCertificate };

  const mac: MacCredential = { secret: 'announcement-test-secret', senderKID: '3078' };
  const requests: string[] = [];
  const issuer: Issuer = {
    async certify(request) {
      requests.push(request.bodyType);
      if (!request.publicKey) throw new RequestRejectedError('badCertTemplate', 'no public key');
      const { certificate } = await ca.issue({ template: request.template, publicKey: request.publicKey, profile: profiles.device });
      return { status: 'issued', certificate, chain: [ca.certificate], caPubs: [root.certificate] };
    },
    async confirm() {},
    async revoke() {},
    async caCertificates() {
      return [ca.certificate, root.certificate];
    },
  };
  const announcer = createAnnouncer({
    name: serverName,
    credential: serverCredential,
    clock,
    ...(options.store ? { store: options.store } : {}),
    ...(options.httpPush ? { httpPush: options.httpPush } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const server = createServer({
    name: serverName,
    protection: {
      signer: serverCredential,
      secrets: memorySecretStore({ [String(mac.senderKID)]: String(mac.secret) }),
      trustAnchors: [root.certificate],
    },
    issuer,
    clock,
    policy: { grantImplicitConfirm: true },
    onAuthenticated: announcer.onAuthenticated,
  });
  return {
    clock,
    root,
    ca,
    serverName,
    serverCredential,
    mac,
    newRoot,
    rogueCredential,
    server,
    announcer,
    requests,
    newKeyPair,
    crossCertificates: () => createCrossCertificates(root, newRoot),
    async issueUnderNewRoot(subject) {
      const key = await newKeyPair();
      const newCa = createCertificateAuthority({ ...newRoot, clock });
      return (await newCa.issue({ template: { subject: parseName(subject), publicKey: await spkiOf(key) }, profile: profiles.device }))
        .certificate;
    },
    clientInit: () => ({ credential: mac, clock, trustAnchors: [root.certificate], implicitConfirm: true }),
  };
}
