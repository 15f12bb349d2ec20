import { attributeValueText, decodeName, encodeName, type AttributeTypeAndValue, type Name } from '@cmpkit/codec';
import { parseCertificate } from '@cmpkit/protection';
import { toHex } from '../message/bytes.js';
import type { Requester } from '../server/requester.js';

const utf8 = new TextEncoder();

/** The DER of a UTF8String holding `text`. */
function utf8StringDer(text: string): Uint8Array {
  const content = utf8.encode(text);
  const n = content.length;
  const length =
    n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const der = new Uint8Array(1 + length.length + n);
  der[0] = 0x0c;
  der.set(length, 1);
  der.set(content, 1 + length.length);
  return der;
}

/** A directory string as UTF8String of its case-folded, whitespace-compressed text (RFC 5280 7.1). */
function canonicalAttribute(attribute: AttributeTypeAndValue): AttributeTypeAndValue {
  const text = attributeValueText(attribute.value.der);
  if (text === null) return attribute;
  const folded = text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
  return { type: attribute.type, value: { der: utf8StringDer(folded) } };
}

/**
 * The key an end entity is known by as the recipient of announcements: the lower-case hex of the
 * DER of its distinguished name in canonical form (every directory string as a case-folded
 * UTF8String with compressed whitespace, the attributes of each RDN in DER order). Two names
 * that RFC 5280 section 7.1 calls equal have the same key, so the subject of a certificate and the
 * sender name of a MAC-protected request meet, whatever string types each used.
 *
 * @example
 * ```ts
 * await announcer.announce(recipientKeyOf(parseName('/CN=device-0001')), { type: 'cann', certificate });
 * ```
 */
export function recipientKeyOf(name: Name): string {
  return toHex(encodeName(name.map((rdn) => rdn.map(canonicalAttribute))));
}

/** The recipient key of a certificate's holder: {@link recipientKeyOf} its subject. */
export function recipientKeyOfCertificate(certificate: Uint8Array): string {
  return recipientKeyOf(parseCertificate(certificate).subject);
}

/** The (canonical) distinguished name a {@link recipientKeyOf} key stands for. */
export function recipientNameOf(recipient: string): Name {
  if (!/^(?:[0-9a-f]{2})+$/.test(recipient)) throw new TypeError('core: a recipient key is the hex of a DER Name');
  const bytes = new Uint8Array(recipient.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(recipient.slice(i * 2, i * 2 + 2), 16);
  return decodeName(bytes);
}

/**
 * The recipient key of an authenticated requester: the subject of a signer's certificate, the
 * sender name of a MAC-protected request. Undefined for unprotected requests, manufacturer
 * (external anchor) certificates and empty names: those are nobody announcements could be for.
 */
export function recipientKeyOfRequester(requester: Requester): string | undefined {
  switch (requester.kind) {
    case 'kem':
      return parseCertificate(requester.certificate).subject.length ? recipientKeyOfCertificate(requester.certificate) : undefined;
    case 'signature': {
      if (requester.external) return undefined;
      return parseCertificate(requester.certificate).subject.length ? recipientKeyOfCertificate(requester.certificate) : undefined;
    }
    case 'mac':
      return requester.sender.type === 'directoryName' && requester.sender.value.length
        ? recipientKeyOf(requester.sender.value)
        : undefined;
    default:
      return undefined;
  }
}
