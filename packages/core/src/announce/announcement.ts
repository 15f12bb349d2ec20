import { encodePKIMessage, PKIStatus, PVNO, type CertId, type Extensions, type Name, type PKIBody, type PKIMessage } from '@cmpkit/codec';
import { parseCertificate, protect, type AlgorithmRegistry, type ProtectionCredential } from '@cmpkit/protection';
import { directoryName, NULL_DN } from '../message/general-names.js';
import { randomBytes } from '../message/random.js';

/** The PKIStatus values a revocation announcement carries (RFC 9810 5.3.15, RFC 4210 appendix E.7). */
export type RevocationAnnouncementStatus = 'accepted' | 'revocationWarning' | 'revocationNotification';

/**
 * What the CA announces (RFC 9810 sections 5.3.13 to 5.3.16), before it is put into a PKIMessage.
 *
 * - `ckuann`: the CA (root) key changed (section 4.4). `form` `'v3'` (default) is
 *   RootCaKeyUpdateContent with pvno cmp2021, where oldWithNew is optional; `'v2'` the deprecated
 *   CAKeyUpdAnnContent with all three certificates and pvno cmp2000, for older end entities.
 * - `cann`: a certificate issued for the recipient out of band.
 * - `rann`: the recipient's certificate is (`accepted`) or will be (`revocationWarning`) revoked;
 *   a warning asks the holder to re-enroll before `willBeRevokedAt`.
 * - `crlann`: new CRLs.
 */
export type Announcement =
  | { type: 'ckuann'; newWithNew: Uint8Array; newWithOld: Uint8Array; oldWithNew?: Uint8Array; form?: 'v2' | 'v3' }
  | { type: 'cann'; certificate: Uint8Array }
  | {
      type: 'rann';
      status: RevocationAnnouncementStatus;
      certId: CertId;
      willBeRevokedAt: Date;
      badSinceDate: Date;
      crlDetails?: Extensions;
    }
  | { type: 'crlann'; crls: readonly Uint8Array[] };

/** Who announces and how: the CA's name and protection credential, and the runtime. */
export interface AnnouncementSender {
  /**
   * header.sender of MAC-protected announcements: the CA (or RA) name end entities know. A signed
   * announcement names the subject of its signer certificate instead (RFC 9483 section 3.1).
   */
  name: Name;
  /** The protection: normally the CA's signing credential (the CMP server's `signer`). */
  credential: ProtectionCredential;
  /** Default: `globalThis.crypto`. */
  crypto?: Crypto;
  /** messageTime. Default: the platform clock. */
  clock?: () => Date;
  /** Algorithms known and allowed for protection. */
  algorithms?: AlgorithmRegistry;
}

/** The CertId (issuer and serial number) of a certificate, as a rann names it. */
export function certIdOf(certificate: Uint8Array): CertId {
  const parsed = parseCertificate(certificate);
  return { issuer: directoryName(parsed.issuer), serialNumber: parsed.serialNumber };
}

function bodyOf(announcement: Announcement): { body: PKIBody; pvno: number } {
  switch (announcement.type) {
    case 'ckuann': {
      const { newWithNew, newWithOld, oldWithNew } = announcement;
      if (announcement.form === 'v2') {
        if (!oldWithNew) throw new TypeError('core: a v2 ckuann (CAKeyUpdAnnContent) needs oldWithNew');
        return {
          body: {
            type: 'ckuann',
            content: {
              type: 'cAKeyUpdAnnV2',
              value: { oldWithNew: { der: oldWithNew }, newWithOld: { der: newWithOld }, newWithNew: { der: newWithNew } },
            },
          },
          pvno: PVNO.cmp2000,
        };
      }
      return {
        body: {
          type: 'ckuann',
          content: {
            type: 'cAKeyUpdAnnV3',
            value: {
              newWithNew: { der: newWithNew },
              newWithOld: { der: newWithOld },
              ...(oldWithNew ? { oldWithNew: { der: oldWithNew } } : {}),
            },
          },
        },
        pvno: PVNO.cmp2021,
      };
    }
    case 'cann':
      return { body: { type: 'cann', content: { der: announcement.certificate } }, pvno: PVNO.cmp2000 };
    case 'rann':
      return {
        body: {
          type: 'rann',
          content: {
            status: PKIStatus[announcement.status],
            certId: announcement.certId,
            willBeRevokedAt: announcement.willBeRevokedAt,
            badSinceDate: announcement.badSinceDate,
            ...(announcement.crlDetails ? { crlDetails: announcement.crlDetails } : {}),
          },
        },
        pvno: PVNO.cmp2000,
      };
    case 'crlann':
      if (!announcement.crls.length) throw new TypeError('core: a crlann needs at least one CRL');
      return { body: { type: 'crlann', content: announcement.crls.map((der) => ({ der })) }, pvno: PVNO.cmp2000 };
  }
}

/**
 * Builds the protected DER PKIMessage of an announcement: a fresh transactionID and senderNonce,
 * messageTime from the clock, sender the subject of the signer certificate (the configured name
 * for a MAC), recipient the end entity's name (the NULL-DN for a broadcast), protected with the
 * sender's credential (the signer certificate and chain go into extraCerts).
 *
 * @example
 * ```ts
 * const der = await buildAnnouncement({ type: 'cann', certificate }, { name: caName, credential: signer }, subject);
 * ```
 */
export async function buildAnnouncement(announcement: Announcement, sender: AnnouncementSender, recipient?: Name): Promise<Uint8Array> {
  const crypto = sender.crypto ?? globalThis.crypto;
  const now = (sender.clock ?? (() => new Date()))();
  const { body, pvno } = bodyOf(announcement);
  const message: PKIMessage = {
    header: {
      pvno,
      sender: directoryName('certificate' in sender.credential ? parseCertificate(sender.credential.certificate).subject : sender.name),
      recipient: recipient ? directoryName(recipient) : NULL_DN,
      messageTime: new Date(Math.floor(now.getTime() / 1000) * 1000),
      transactionID: randomBytes(crypto, 16),
      senderNonce: randomBytes(crypto, 16),
    },
    body,
  };
  const protectedMessage = await protect(message, sender.credential, {
    crypto,
    ...(sender.algorithms ? { algorithms: sender.algorithms } : {}),
  });
  return encodePKIMessage(protectedMessage);
}
