// An end entity's life with the CA of ca-service.mjs: enrollment with its one-time password (ir),
// key update signed with the certificate it got (kur), and revocation of the replaced one (rr).
import { parseName } from '@cmpkit/codec';
import { createClient } from '@cmpkit/core';
import { httpTransport } from '@cmpkit/transport-http';

/** Runs ir, kur and rr against `url`, trusting `caCertificate` (DER); resolves to both certificates (DER). */
export async function enrollDevice({ url, caCertificate, secret }) {
  const transport = httpTransport({ url });
  const newKey = () => crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const credential = { secret: new TextEncoder().encode(secret), senderKID: new TextEncoder().encode('device-1') };
  const keyPair = await newKey();
  const enrollment = createClient({ transport, credential, trustAnchors: [caCertificate] });
  const first = await enrollment.enroll({ keyPair, subject: parseName('/CN=device-1') });
  const device = createClient({
    transport,
    credential: { privateKey: keyPair.privateKey, certificate: first.certificate, chain: [] },
    trust: { signature: { anchors: [caCertificate] } },
    trustAnchors: [caCertificate],
  });
  const updated = await device.keyUpdate({ keyPair: await newKey(), oldCertificate: first.certificate });
  await device.revoke({ certificate: first.certificate, reason: 4 }); // superseded
  return { first: first.certificate, updated: updated.certificate };
}
