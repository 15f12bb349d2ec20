// Request bodies built with the codec, POP included, for hand-made requests.
import {
  decodeSubjectPublicKeyInfo,
  oids,
  parseName,
  type CertRepMessage,
  type CertReqMsg,
  type CertRequest,
  type DecodedPKIMessage,
  type FailInfoBit,
  type GeneralName,
  type InfoTypeAndValue,
  type PKIBody,
} from '@cmpkit/codec';
import { computeCertHash, createPOPOSigningKey, parseCertificate } from '@cmpkit/protection';
import { expect } from 'vitest';

export async function spkiOf(keyPair: CryptoKeyPair) {
  return decodeSubjectPublicKeyInfo(new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey)));
}

export interface CertReqOptions {
  subject?: string;
  /** Sign the POP with this key instead of the certified one (a wrong POP). */
  popKey?: CryptoKey;
  /** 'none': no POP; 'raVerified'. Default: signature. */
  pop?: 'signature' | 'none' | 'raVerified';
  extensions?: CertRequest['certTemplate']['extensions'];
  /** kur: the certificate being updated, for oldCertID. */
  oldCertificate?: Uint8Array;
  /** poposkInput with authInfo sender. */
  popSender?: GeneralName;
}

export async function certReqMsg(keyPair: CryptoKeyPair, options: CertReqOptions = {}): Promise<CertReqMsg> {
  const certRequest: CertRequest = {
    certReqId: 0,
    certTemplate: {
      subject: parseName(options.subject ?? '/O=cmpkit test/CN=hand-made'),
      publicKey: await spkiOf(keyPair),
      ...(options.extensions ? { extensions: options.extensions } : {}),
    },
  };
  if (options.oldCertificate) {
    const old = parseCertificate(options.oldCertificate);
    certRequest.controls = [
      { type: 'oldCertID', value: { issuer: { type: 'directoryName', value: old.issuer }, serialNumber: old.serialNumber } },
    ];
  }
  const msg: CertReqMsg = { certReq: certRequest };
  const pop = options.pop ?? 'signature';
  if (pop === 'raVerified') msg.popo = { type: 'raVerified', value: null };
  if (pop === 'signature') {
    const value = await createPOPOSigningKey(
      certRequest,
      options.popKey ?? keyPair.privateKey,
      options.popSender ? { poposkInput: { sender: options.popSender } } : {},
    );
    msg.popo = { type: 'signature', value };
  }
  return msg;
}

export async function certBody(type: 'ir' | 'cr' | 'kur', keyPair: CryptoKeyPair, options: CertReqOptions = {}): Promise<PKIBody> {
  return { type, content: [await certReqMsg(keyPair, options)] };
}

export const genmBody = (items: InfoTypeAndValue[] = [{ type: 'caCerts' }]): PKIBody => ({ type: 'genm', content: items });

export async function certConfBody(
  certificate: Uint8Array,
  options: { certReqId?: number; wrongHash?: boolean; reject?: string } = {},
): Promise<PKIBody> {
  const { certHash } = await computeCertHash(certificate);
  if (options.wrongHash) certHash[0] = (certHash[0] as number) ^ 0xff;
  return {
    type: 'certConf',
    content: [
      {
        certHash,
        certReqId: options.certReqId ?? 0,
        ...(options.reject ? { statusInfo: { status: 2, failInfo: ['badCertTemplate'], statusString: [options.reject] } } : {}),
      },
    ],
  };
}

export function rrBody(certificate: Uint8Array, reason?: number): PKIBody {
  const cert = parseCertificate(certificate);
  return {
    type: 'rr',
    content: [
      {
        certDetails: { issuer: cert.issuer, serialNumber: cert.serialNumber },
        ...(reason !== undefined
          ? { crlEntryDetails: [{ extnID: oids.id_ce_cRLReasons, extnValue: Uint8Array.of(0x0a, 0x01, reason) }] }
          : {}),
      },
    ],
  };
}

/** The CertRepMessage of an ip/cp/kup. */
export function certRep(response: DecodedPKIMessage, type: 'ip' | 'cp' | 'kup'): CertRepMessage {
  expect(response.body.type).toBe(type);
  return (response.body as Extract<PKIBody, { type: 'ip' }>).content;
}

/** The issued certificate of an accepted ip/cp/kup. */
export function issuedCertificate(response: DecodedPKIMessage, type: 'ip' | 'cp' | 'kup'): Uint8Array {
  const rep = certRep(response, type).response[0]!;
  expect(rep.status.status).toBe(0);
  const certOrEnc = rep.certifiedKeyPair?.certOrEncCert;
  if (certOrEnc?.type !== 'certificate') throw new Error('no certificate');
  return certOrEnc.value.der;
}

/** An ip/cp/kup whose only CertResponse is a rejection with exactly these bits; returns its text. */
export function expectCertRejection(response: DecodedPKIMessage, type: 'ip' | 'cp' | 'kup', failInfo: readonly FailInfoBit[]): string {
  const rep = certRep(response, type).response;
  expect(rep).toHaveLength(1);
  expect(rep[0]!.status.status).toBe(2);
  expect(rep[0]!.status.failInfo).toEqual(failInfo);
  expect(rep[0]!.certifiedKeyPair).toBeUndefined();
  return (rep[0]!.status.statusString ?? []).join('; ');
}
