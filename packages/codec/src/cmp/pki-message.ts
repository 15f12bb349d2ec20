import { DerReader, type DecodeOptions } from '../der/reader.js';
import { DerWriter } from '../der/writer.js';
import { Tag } from '../der/tags.js';
import { readCMPCertificates, writeCMPCertificates, type CMPCertificate } from './cmp-certificate.js';
import { readPKIBody, writePKIBody, type PKIBody } from './pki-body.js';
import { readPKIHeader, writePKIHeader, type PKIHeader } from './pki-header.js';

/**
 * PKIMessage, RFC 9810 section 5.1 (EXPLICIT tags):
 *
 * ```asn1
 * PKIMessage ::= SEQUENCE {
 *     header           PKIHeader,
 *     body             PKIBody,
 *     protection   [0] PKIProtection OPTIONAL,
 *     extraCerts   [1] SEQUENCE SIZE (1..MAX) OF CMPCertificate
 *                   OPTIONAL }
 * PKIProtection ::= BIT STRING
 * ```
 *
 * `protection` holds the octets of the BIT STRING (a MAC or a signature).
 */
export interface PKIMessage {
  header: PKIHeader;
  body: PKIBody;
  protection?: Uint8Array;
  extraCerts?: CMPCertificate[];
}

/** The exact bytes a {@link DecodedPKIMessage} was decoded from. */
export interface PKIMessageRaw {
  /** The whole PKIMessage. */
  message: Uint8Array;
  /** The PKIHeader element. */
  header: Uint8Array;
  /** The PKIBody element, including its `[n]` tag. */
  body: Uint8Array;
}

/**
 * A PKIMessage as received: the structure plus the exact bytes of the message, its header and its
 * body. Protection is verified over `raw.header` and `raw.body`, never over a re-encoding.
 */
export interface DecodedPKIMessage extends PKIMessage {
  raw: PKIMessageRaw;
}

/**
 * ProtectedPart, RFC 9810 section 5.1.3:
 *
 * ```asn1
 * ProtectedPart ::= SEQUENCE {
 *     header    PKIHeader,
 *     body      PKIBody }
 * ```
 */
export interface ProtectedPart {
  header: PKIHeader;
  body: PKIBody;
}

export function readPKIMessage(r: DerReader, field: string, index = -1): DecodedPKIMessage {
  const messageStart = r.pos;
  const s = r.sequence(field, Tag.SEQUENCE, index);
  const headerStart = s.pos;
  const header = readPKIHeader(s, 'header');
  const bodyStart = s.pos;
  const body = readPKIBody(s, 'body');
  const bodyEnd = s.pos;
  const data = r.data;
  const message: DecodedPKIMessage = {
    header,
    body,
    raw: {
      message: data.subarray(messageStart, r.pos),
      header: data.subarray(headerStart, bodyStart),
      body: data.subarray(bodyStart, bodyEnd),
    },
  };
  let e: DerReader | undefined;
  if ((e = s.optionalExplicit(0, 'protection'))) {
    message.protection = e.octetBitString('');
    e.finish();
  }
  if ((e = s.optionalExplicit(1, 'extraCerts'))) {
    message.extraCerts = readCMPCertificates(e, '');
    e.finish();
  }
  s.finish();
  return message;
}

export function writePKIMessage(w: DerWriter, message: PKIMessage): void {
  w.sequence((w) => {
    writePKIHeader(w, message.header);
    writePKIBody(w, message.body);
    if (message.protection) {
      const protection = message.protection;
      w.explicit(0, (w) => w.bitString(protection));
    }
    if (message.extraCerts) {
      const certs = message.extraCerts;
      w.explicit(1, (w) => writeCMPCertificates(w, certs));
    }
  });
}

/**
 * Decodes one DER PKIMessage. The input must be exactly one message (no trailing bytes) in
 * strict DER; anything else throws a `DerError` naming the offset and the field path.
 * Byte fields of the result are views into `der`.
 */
export function decodePKIMessage(der: Uint8Array, options?: DecodeOptions): DecodedPKIMessage {
  const r = DerReader.root(der, 'PKIMessage', options);
  const message = readPKIMessage(r, '');
  r.finish();
  return message;
}

/**
 * Decodes only the header of a DER PKIMessage (its first element), whatever follows it. A
 * server answering a message whose body it cannot decode uses it to address the error response
 * (transactionID, recipNonce, recipient) to the request.
 */
export function decodePKIMessageHeader(der: Uint8Array, options?: DecodeOptions): PKIHeader {
  const r = DerReader.root(der, 'PKIMessage', options);
  const s = r.sequence('', Tag.SEQUENCE);
  return readPKIHeader(s, 'header');
}

/** Encodes a PKIMessage as DER. The same value always gives the same bytes. */
export function encodePKIMessage(message: PKIMessage): Uint8Array {
  const w = new DerWriter(1024);
  writePKIMessage(w, message);
  return w.finish();
}

/**
 * Decodes `PKIMessages ::= SEQUENCE SIZE (1..MAX) OF PKIMessage` (the content of a nested
 * message, or a file of several messages).
 */
export function decodePKIMessages(der: Uint8Array, options?: DecodeOptions): DecodedPKIMessage[] {
  const r = DerReader.root(der, 'PKIMessages', options);
  const messages = r.sequenceOf('', readPKIMessage, Tag.SEQUENCE, 1);
  r.finish();
  return messages;
}

/** Encodes `PKIMessages`. */
export function encodePKIMessages(messages: readonly PKIMessage[]): Uint8Array {
  const w = new DerWriter(4096);
  w.sequence((w) => {
    for (const m of messages) writePKIMessage(w, m);
  });
  return w.finish();
}

/** The DER of ProtectedPart for a header and body: the input of MAC or signature protection. */
export function encodeProtectedPart(part: ProtectedPart): Uint8Array {
  const w = new DerWriter(2048);
  w.sequence((w) => {
    writePKIHeader(w, part.header);
    writePKIBody(w, part.body);
  });
  return w.finish();
}

/**
 * The DER of ProtectedPart built from the bytes a message was received with: what a received
 * message's protection is verified over.
 */
export function receivedProtectedPart(message: DecodedPKIMessage): Uint8Array {
  const w = new DerWriter(message.raw.header.length + message.raw.body.length + 8);
  w.sequence((w) => {
    w.raw(message.raw.header);
    w.raw(message.raw.body);
  });
  return w.finish();
}
