import { encodeBase64, nameToString, type GeneralName } from '@cmpkit/codec';
import type { AnnouncementEvent } from '@cmpkit/core';
import { parseCertificate } from '@cmpkit/protection';

function hex(bytes: Uint8Array | undefined): string | undefined {
  return bytes ? Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('') : undefined;
}

function nameText(name: GeneralName): string {
  return name.type === 'directoryName' ? nameToString(name.value) : `${name.type}:${String(name.value)}`;
}

/** A certificate for JSON: its names, serial number, validity and the DER (base64). */
export function certificateJson(der: Uint8Array): Record<string, string> {
  const certificate = parseCertificate(der);
  return {
    subject: nameToString(certificate.subject),
    issuer: nameToString(certificate.issuer),
    serialNumber: certificate.serialNumber.toString(16),
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    der: encodeBase64(der),
  };
}

/**
 * A verified announcement as the JSON object `cmpkit listen --json` prints: `event`
 * (`announcement`), the body `type`, the header's transactionID, senderNonce, messageTime and
 * sender, and what the body says (the new root, the certificate, the revocation, the CRLs).
 */
export function announcementJson(event: AnnouncementEvent): Record<string, unknown> {
  const header = event.message.header;
  const common = {
    event: 'announcement',
    type: event.type,
    transactionID: hex(header.transactionID),
    senderNonce: hex(header.senderNonce),
    messageTime: header.messageTime?.toISOString(),
    sender: nameText(header.sender),
  };
  switch (event.type) {
    case 'ckuann':
      return {
        ...common,
        newRoot: certificateJson(event.update.newWithNew),
        ...(event.update.newWithOld ? { newWithOld: certificateJson(event.update.newWithOld) } : {}),
        ...(event.update.oldWithNew ? { oldWithNew: certificateJson(event.update.oldWithNew) } : {}),
      };
    case 'cann':
      return { ...common, certificate: certificateJson(event.certificate) };
    case 'rann':
      return {
        ...common,
        status: event.statusName,
        issuer: nameText(event.certId.issuer),
        serialNumber: event.certId.serialNumber.toString(16),
        willBeRevokedAt: event.willBeRevokedAt.toISOString(),
        badSinceDate: event.badSinceDate.toISOString(),
        ownCertificate: event.ownCertificate,
      };
    case 'crlann':
      return { ...common, crls: event.crls.map((der) => encodeBase64(der)) };
  }
}
