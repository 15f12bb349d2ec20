import type { CMPCertificate, PKIHeader, PKIMessage } from '@cmpkit/codec';

/** `message` with a new header and its protection; extraCerts only when there are some. */
export function withProtection(
  message: PKIMessage,
  header: PKIHeader,
  protection: Uint8Array,
  extraCerts: CMPCertificate[] | undefined,
): PKIMessage {
  const out: PKIMessage = { header, body: message.body, protection };
  if (extraCerts?.length) out.extraCerts = extraCerts;
  return out;
}
