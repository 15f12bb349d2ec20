// A CMP certificate authority on http://127.0.0.1:8080/.well-known/cmp; state in ca.sqlite, the CA key in ca.key.pem.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createCertificateAuthority, createSelfSignedCa, profiles } from '@cmpkit/ca';
import { decodePemBlock, encodePem, parseName } from '@cmpkit/codec';
import { createServer } from '@cmpkit/core';
import { createCaIssuer, createCrlPublisher } from '@cmpkit/issuer';
import { importPrivateKey } from '@cmpkit/protection';
import { openSqliteServerStore } from '@cmpkit/store-sqlite';
import { toNodeListener } from '@cmpkit/transport-http';

const name = '/O=Example/CN=Example CA';
if (!existsSync('ca.pem')) {
  const root = await createSelfSignedCa({ subject: name, extractable: true });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', root.privateKey));
  writeFileSync('ca.key.pem', encodePem('PRIVATE KEY', pkcs8), { mode: 0o600 });
  writeFileSync('ca.pem', encodePem('CERTIFICATE', root.certificate));
}
const certificate = decodePemBlock(readFileSync('ca.pem', 'utf8'), 'CERTIFICATE');
const signer = { certificate, privateKey: await importPrivateKey(readFileSync('ca.key.pem', 'utf8')), chain: [] };
const ca = createCertificateAuthority(signer);
const store = await openSqliteServerStore('ca.sqlite');
await store.secrets.add('device-1', process.env.DEVICE_SECRET ?? 'change-me'); // a device's one-time password (MAC)
const catalog = { profiles: new Map([['device', { profile: profiles.device }]]), defaultProfile: 'device' };
const crlPublisher = createCrlPublisher({ ca, crls: store.crls, validityHours: 24 });
const issuer = createCaIssuer({ ...store, ca, rootCertificate: certificate, crlPublisher, catalog, checkAfterSeconds: 5, logger: console });
const protection = { signer, secrets: store.secrets, trustAnchors: [certificate] };
const cmp = createServer({ name: parseName(name), issuer, protection, stores: store });
const durable = async (request, context) => {
  const mark = store.writeMark(); // the answer leaves once what it reports is on disk
  const answer = await cmp.handle(request, context);
  await store.flush(mark);
  return answer;
};
const expiry = setInterval(() => cmp.expireTransactions(), 30_000); // revokes certificates never confirmed
const http = createHttpServer(toNodeListener(durable)).listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () =>
  console.log(`CMP on http://127.0.0.1:${http.address().port}/.well-known/cmp`),
);
process.once('SIGTERM', () => {
  clearInterval(expiry);
  http.close(() => store.close());
});
