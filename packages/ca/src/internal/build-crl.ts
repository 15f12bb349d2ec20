import { CRLReason, CRLReasons, InvalidityDate, type Name as AsnName, RevokedCertificate, TBSCertList, Version } from '@peculiar/asn1-x509';
import { oids } from '@cmpkit/codec';
import type { CreateCrlOptions } from '../crl-options.js';
import { IssuanceError } from '../errors/issuance-error.js';
import { asnExtension, derOf, timeOf } from './asn.js';
import { signedStructure } from './build-certificate.js';
import { arrayBufferOf, encodeInteger, integerContents, tlv } from './der.js';
import { wholeSeconds } from './environment.js';
import { checkSerialNumber } from './serial-number.js';
import type { Signer } from './signer.js';

const MAX_CRL_NUMBER = (1n << 159n) - 1n;

/**
 * An X.509 v2 CRL (RFC 5280 section 5.1) signed by `signer`, with reasonCode and invalidityDate
 * entry extensions and the authorityKeyIdentifier and cRLNumber CRL extensions.
 */
export async function buildCrl(
  options: CreateCrlOptions,
  issuer: AsnName,
  authorityKeyId: Uint8Array,
  thisUpdate: Date,
  signer: Signer,
): Promise<Uint8Array> {
  const bad = (why: string): never => {
    throw new IssuanceError('badRequest', why);
  };
  const nextUpdate = wholeSeconds(options.nextUpdate);
  if (!(nextUpdate.getTime() > thisUpdate.getTime())) bad('the CRL nextUpdate must be after thisUpdate');
  if (options.crlNumber < 0n || options.crlNumber > MAX_CRL_NUMBER) bad('the cRLNumber must be 0 or more and at most 20 octets');
  const seen = new Set<bigint>();
  const revoked = options.entries.map((entry) => {
    checkSerialNumber(entry.serialNumber, 'serial number of a CRL entry');
    if (seen.has(entry.serialNumber)) bad(`serial number ${entry.serialNumber} is listed twice`);
    seen.add(entry.serialNumber);
    const extensions = [];
    if (entry.reason !== undefined && entry.reason !== 'unspecified') {
      if (entry.reason === 'removeFromCRL') bad('removeFromCRL belongs to delta CRLs');
      const code = CRLReasons[entry.reason];
      if (code === undefined) bad(`unknown revocation reason "${String(entry.reason)}"`);
      extensions.push(asnExtension(oids.id_ce_cRLReasons, false, derOf(new CRLReason(code))));
    }
    if (entry.invalidityDate) {
      extensions.push(asnExtension(oids.id_ce_invalidityDate, false, derOf(new InvalidityDate(wholeSeconds(entry.invalidityDate)))));
    }
    return new RevokedCertificate({
      userCertificate: arrayBufferOf(integerContents(entry.serialNumber)),
      revocationDate: timeOf(wholeSeconds(entry.revocationDate)),
      ...(extensions.length ? { crlEntryExtensions: extensions } : {}),
    });
  });
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: signer.algorithm,
    issuer,
    thisUpdate: timeOf(thisUpdate),
    nextUpdate: timeOf(nextUpdate),
    ...(revoked.length ? { revokedCertificates: revoked } : {}),
    crlExtensions: [
      asnExtension(oids.id_ce_authorityKeyIdentifier, false, tlv(0x30, tlv(0x80, authorityKeyId))),
      asnExtension(oids.id_ce_cRLNumber, false, encodeInteger(options.crlNumber)),
    ],
  });
  const tbsDer = derOf(tbs);
  return signedStructure(tbsDer, derOf(signer.algorithm), await signer.sign(tbsDer));
}
