import { nameToString } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';

/** The subject of a verified TLS client certificate, for the request log. */
export function tlsClientName(der: Uint8Array): string {
  try {
    return nameToString(parseCertificate(der).subject);
  } catch {
    return '(unparsable certificate)';
  }
}
