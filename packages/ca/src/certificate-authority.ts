import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AccessDescription,
  AuthorityInfoAccessSyntax,
  BasicConstraints,
  CRLDistributionPoints,
  DistributionPoint,
  DistributionPointName,
  ExtendedKeyUsage,
  GeneralName as AsnGeneralName,
  KeyUsage,
  KeyUsageFlags,
} from '@peculiar/asn1-x509';
import { decodeName, encodeName, oids, type CertTemplate, type Extension, type Name, type SubjectPublicKeyInfo } from '@cmpkit/codec';
import type { CreateCrlOptions } from './crl-options.js';
import { IssuanceError } from './errors/issuance-error.js';
import { derOf, extension, nameDer } from './internal/asn.js';
import { buildCertificate } from './internal/build-certificate.js';
import { buildCrl } from './internal/build-crl.js';
import { checkIssuingCertificate, readCertificate, type CertificateInfo } from './internal/ca-certificate.js';
import { bytesEqual, readTlv, tlv } from './internal/der.js';
import { addDays, clockOf, cryptoOf, wholeSeconds } from './internal/environment.js';
import { keyIdentifier } from './internal/key-identifier.js';
import { asList } from './internal/lists.js';
import { CA_MANAGED_EXTENSIONS } from './internal/managed-extensions.js';
import { checkPublicKey } from './internal/public-key.js';
import { checkSerialNumber, randomSerialNumber } from './internal/serial-number.js';
import { signerFor, type Signer } from './internal/signer.js';
import { checkName } from './internal/check-name.js';
import { checkSubjectAltName } from './internal/subject-alt-name.js';
import type { KeyIdentifierMethod } from './key-identifier-method.js';
import { checkProfile, KEY_USAGE_BITS, type CertificateProfile, type KeyUsageName } from './profile/certificate-profile.js';

/** Construction input of {@link createCertificateAuthority}. */
export interface CertificateAuthorityInit {
  /** The CA's certificate (DER): v3 with basicConstraints cA, and keyCertSign when keyUsage is present. */
  certificate: Uint8Array;
  /** The CA's private key, able to `sign`: ECDSA P-256/P-384/P-521, RSASSA-PKCS1-v1_5, RSA-PSS, Ed25519, Ed448 or ML-DSA-44/65/87. */
  privateKey: CryptoKey;
  /** The certificates above the CA's own (DER), issuer first, up to and including the root. Empty for a root CA. */
  chain?: readonly Uint8Array[];
  /** The WebCrypto implementation to use. Default: `globalThis.crypto`. */
  crypto?: Crypto;
  /** The time source for validity periods and CRL dates. Default: the system clock. */
  clock?: () => Date;
  /** How subjectKeyIdentifiers are computed. Default: `'sha1'`. */
  keyIdentifierMethod?: KeyIdentifierMethod;
}

/** Input of {@link CertificateAuthority.issue}. */
export interface IssueRequest {
  /**
   * The requested certificate content (from a CRMF CertReqMsg, or built from a PKCS#10 request).
   * The CA takes the subject, public key, subjectAltName, keyUsage, extKeyUsage and basicConstraints
   * requests, the validity (when the profile allows it) and the extensions the profile allows. A
   * requested subjectKeyIdentifier is accepted and replaced by the one the CA computes.
   * `serialNumber`, `signingAlg`, `issuerUID` and `subjectUID` must be absent (RFC 4211
   * section 5); `version`, if present, must be 2 (v3); `issuer`, if present, must be this CA's name.
   */
  template: CertTemplate;
  /** The profile the certificate is issued under. */
  profile: CertificateProfile;
  /** The key to certify instead of the template's, e.g. one generated centrally by the server. */
  publicKey?: SubjectPublicKeyInfo;
  /** The serial number to use (positive, at most 20 octets). Default: 128 random bits. */
  serialNumber?: bigint;
}

/** Result of {@link CertificateAuthority.issue}. */
export interface IssuedCertificate {
  /** The certificate (DER). */
  certificate: Uint8Array;
  /** Its serial number. */
  serialNumber: bigint;
  /** Its subject. */
  subject: Name;
  /** Its notBefore. */
  notBefore: Date;
  /** Its notAfter. */
  notAfter: Date;
}

/**
 * An issuing certificate authority: signs X.509 v3 certificates from CertTemplates within
 * {@link CertificateProfile}s, and X.509 v2 CRLs. Made by {@link createCertificateAuthority}.
 */
export interface CertificateAuthority {
  /** The CA's certificate (DER). */
  readonly certificate: Uint8Array;
  /** The CA's name: the issuer of everything it signs. */
  readonly subject: Name;
  /** The certificates above the CA's own, issuer first, up to the root (empty for a root CA). */
  readonly chain: readonly Uint8Array[];
  /** Start of the CA certificate's validity. */
  readonly notBefore: Date;
  /** End of the CA certificate's validity; no certificate it issues outlives it. */
  readonly notAfter: Date;
  /**
   * Issues a certificate for `request.template` under `request.profile`.
   *
   * @throws IssuanceError `badCertTemplate` (no or malformed public key, an RSA key of a size the
   *   profile does not accept, no subject, a subject or subjectAltName value that is not of its
   *   RFC 5280 type (a string attribute holding other ASN.1, invalid UTF-8, a control character,
   *   a value over its X.520 upper bound, a malformed GeneralName), a template extension or
   *   subjectAltName the profile does not allow, a keyUsage/extKeyUsage outside the profile, a
   *   pathLenConstraint without cA, fields RFC 4211 reserves to the CA), `badAlg` (key algorithm or
   *   curve not accepted),
   *   `wrongAuthority` (template issuer is another CA), `notAuthorized` (a CA profile under a CA
   *   whose pathLenConstraint forbids it), `badRequest` (an invalid `serialNumber`),
   *   `systemUnavail` (the CA certificate is expired or not yet valid), `systemFailure` (the CA key
   *   does not match its certificate, or the profile is inconsistent).
   */
  issue(request: IssueRequest): Promise<IssuedCertificate>;
  /**
   * Signs an X.509 v2 CRL listing `options.entries`, with the cRLNumber and
   * authorityKeyIdentifier CRL extensions. Returns its DER.
   *
   * @throws IssuanceError `badRequest` (nextUpdate not after thisUpdate, an invalid serial number
   *   or cRLNumber, a duplicate entry, removeFromCRL), `systemFailure` (the CA certificate's
   *   keyUsage lacks cRLSign, or the key does not match).
   */
  createCrl(options: CreateCrlOptions): Promise<Uint8Array>;
}

interface Ready {
  signer: Signer;
  keyId: Uint8Array;
}

function kuFlags(names: readonly KeyUsageName[]): number {
  let flags = 0;
  for (const n of names) flags |= 1 << KEY_USAGE_BITS.indexOf(n);
  return flags;
}

function badTemplate(why: string): never {
  throw new IssuanceError('badCertTemplate', why);
}

/** True when `der` is exactly one DER OCTET STRING (a KeyIdentifier). */
function isOctetString(der: Uint8Array): boolean {
  const t = readTlv(der, 0);
  return t !== null && t.tag === 0x04 && t.end === der.length && t.contents.length > 0;
}

function parseExtension<T>(ext: Extension, type: new () => T, what: string): T {
  try {
    return AsnConvert.parse(ext.extnValue, type);
  } catch {
    return badTemplate(`the ${what} extension of the template is malformed`);
  }
}

/**
 * The DER of a schema value that depends only on `key`, built once: the extension values a CA
 * writes into every certificate of a profile (basicConstraints, keyUsage, extKeyUsage, CRL
 * distribution points, authority information access) repeat, and serializing them through the
 * schema library is the costliest part of issuance after the signature.
 */
const derMemo = new Map<string, Uint8Array>();
function memoDer(key: string, build: () => unknown): Uint8Array {
  let der = derMemo.get(key);
  if (!der) {
    der = derOf(build());
    if (derMemo.size >= 1024) derMemo.clear();
    derMemo.set(key, der);
  }
  return der;
}

function uriNames(urls: readonly string[]): AsnGeneralName[] {
  return urls.map((u) => new AsnGeneralName({ uniformResourceIdentifier: u }));
}

/**
 * Creates an issuing CA from its certificate and private key. The certificate is checked at once
 * (it must be able to issue); that the key matches the certificate is checked on first use.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, createSelfSignedCa, profiles } from '@cmpkit/ca';
 *
 * const root = await createSelfSignedCa({ subject: '/CN=Example Root CA' });
 * const ca = createCertificateAuthority(root);
 * const { certificate } = await ca.issue({ template, profile: profiles.tlsClient });
 * ```
 *
 * @throws IssuanceError `systemFailure` when the certificate does not parse or is not a CA
 *   certificate with keyCertSign, or the key is of an unsupported algorithm.
 */
export function createCertificateAuthority(init: CertificateAuthorityInit): CertificateAuthority {
  const crypto = cryptoOf(init.crypto);
  const clock = clockOf(init.clock);
  const method = init.keyIdentifierMethod ?? 'sha1';
  const certificate = init.certificate.slice();
  const chain = Object.freeze((init.chain ?? []).map((c) => c.slice()));
  const info: CertificateInfo = readCertificate(certificate, 'CA certificate');
  checkIssuingCertificate(info);
  const signer = signerFor(init.privateKey, crypto);
  const subject = decodeName(info.subjectDer);

  let ready: Promise<Ready> | undefined;
  const prepare = (): Promise<Ready> =>
    (ready ??= (async () => {
      if (!(await signer.matches(info.publicKey))) {
        throw new IssuanceError('systemFailure', 'the CA private key does not match the CA certificate');
      }
      const keyId = info.subjectKeyIdentifier ?? (await keyIdentifier(crypto, info.subjectPublicKey, method));
      return { signer, keyId };
    })());

  async function issue(request: IssueRequest): Promise<IssuedCertificate> {
    const { template, profile } = request;
    checkProfile(profile);
    const { keyId } = await prepare();

    // Fields RFC 4211 section 5 reserves to the CA.
    if (template.version !== undefined && template.version !== 2) badTemplate('the template version must be absent or v3 (2)');
    if (template.serialNumber !== undefined) badTemplate('the template must not carry a serialNumber');
    if (template.signingAlg !== undefined) badTemplate('the template must not carry a signingAlg');
    if (template.issuerUID !== undefined || template.subjectUID !== undefined)
      badTemplate('the template must not carry unique identifiers');
    if (template.issuer !== undefined && template.issuer.length > 0) {
      let same = false;
      try {
        same = bytesEqual(encodeName(template.issuer), info.subjectDer);
      } catch {
        same = false;
      }
      if (!same) throw new IssuanceError('wrongAuthority', 'the template names another issuer than this CA');
    }

    const serialNumber = checkSerialNumber(request.serialNumber ?? randomSerialNumber(crypto));

    // Public key.
    const spki = request.publicKey ?? template.publicKey;
    if (!spki) return badTemplate('the template carries no public key');
    const key = checkPublicKey(spki, profile);

    // Template extensions.
    const requested = new Map<string, Extension>();
    for (const ext of template.extensions ?? []) {
      if (requested.has(ext.extnID)) badTemplate(`the template carries extension ${ext.extnID} twice`);
      requested.set(ext.extnID, ext);
    }
    let san: Uint8Array | undefined;
    let kuRequested: number | undefined;
    let ekuRequested: string[] | undefined;
    let pathLenRequested: number | undefined;
    const copied: Extension[] = [];
    for (const ext of requested.values()) {
      switch (ext.extnID) {
        case oids.id_ce_subjectAltName:
          san = checkSubjectAltName(ext.extnValue, profile);
          break;
        case oids.id_ce_keyUsage:
          kuRequested = parseExtension(ext, KeyUsage, 'keyUsage').toNumber();
          break;
        case oids.id_ce_extKeyUsage:
          ekuRequested = [...parseExtension(ext, ExtendedKeyUsage, 'extKeyUsage')];
          break;
        case oids.id_ce_basicConstraints: {
          const bc = parseExtension(ext, BasicConstraints, 'basicConstraints');
          if (bc.cA && !profile.basicConstraints.cA) badTemplate(`certificate profile "${profile.name}" does not issue CA certificates`);
          // RFC 5280 section 4.2.1.9: pathLenConstraint only where cA is asserted.
          if (bc.pathLenConstraint !== undefined && !bc.cA) badTemplate('basicConstraints pathLenConstraint without cA makes no sense');
          if (bc.cA && bc.pathLenConstraint !== undefined) pathLenRequested = bc.pathLenConstraint;
          break;
        }
        case oids.id_ce_subjectKeyIdentifier:
          // Asked for (a PKCS#10 request may carry it): the CA writes the identifier it computes.
          if (!isOctetString(ext.extnValue)) badTemplate('the subjectKeyIdentifier extension of the template is malformed');
          break;
        default:
          if (CA_MANAGED_EXTENSIONS.has(ext.extnID) || !profile.allowedExtensions.includes(ext.extnID)) {
            badTemplate(`extension ${ext.extnID} is not allowed by certificate profile "${profile.name}"`);
          }
          copied.push(extension(ext.extnID, ext.critical === true, ext.extnValue));
      }
    }

    // Subject.
    let subjectName: Name;
    if (template.subject && template.subject.length > 0) subjectName = template.subject;
    else if (profile.subject && profile.subject.length > 0) subjectName = profile.subject;
    else if (san) subjectName = [];
    else return badTemplate('the template carries no subject and no subjectAltName');
    if (subjectName !== profile.subject) checkName(subjectName, 'the subject');
    const subject = nameDer(subjectName, 'subject');
    if (!profile.basicConstraints.cA && bytesEqual(subject, info.subjectDer)) {
      badTemplate("the subject must differ from the CA's name");
    }

    // Validity.
    const now = wholeSeconds(clock());
    if (now.getTime() >= info.notAfter.getTime() || now.getTime() < info.notBefore.getTime() - profile.backdateSeconds * 1000) {
      throw new IssuanceError('systemUnavail', 'the CA certificate is not valid at this time');
    }
    let notBefore = new Date(now.getTime() - profile.backdateSeconds * 1000);
    let notAfter: Date | undefined;
    if (profile.allowTemplateValidity && template.validity) {
      if (template.validity.notBefore) notBefore = wholeSeconds(template.validity.notBefore.value);
      if (template.validity.notAfter) notAfter = wholeSeconds(template.validity.notAfter.value);
    }
    if (notBefore.getTime() < info.notBefore.getTime()) notBefore = info.notBefore;
    const longest = addDays(notBefore, profile.validityDays);
    if (!notAfter || notAfter.getTime() > longest.getTime()) notAfter = longest;
    if (notAfter.getTime() > info.notAfter.getTime()) notAfter = info.notAfter;
    if (notAfter.getTime() <= notBefore.getTime()) badTemplate("the requested validity does not overlap the CA's validity");

    // Extensions the CA sets.
    const extensions: Extension[] = [];
    let pathLen = profile.basicConstraints.pathLenConstraint;
    if (pathLenRequested !== undefined && profile.basicConstraints.cA) pathLen = Math.min(pathLen ?? pathLenRequested, pathLenRequested);
    if (profile.basicConstraints.cA) {
      const caPathLen = info.basicConstraints?.pathLenConstraint;
      if (caPathLen !== undefined) {
        if (caPathLen === 0) throw new IssuanceError('notAuthorized', 'this CA may not issue CA certificates');
        pathLen = Math.min(pathLen ?? caPathLen - 1, caPathLen - 1);
      }
    }
    extensions.push(
      extension(
        oids.id_ce_basicConstraints,
        true,
        memoDer(
          `bc:${profile.basicConstraints.cA}:${pathLen}`,
          () =>
            new BasicConstraints({
              cA: profile.basicConstraints.cA,
              ...(profile.basicConstraints.cA && pathLen !== undefined ? { pathLenConstraint: pathLen } : {}),
            }),
        ),
      ),
    );

    const allowedKu = kuFlags(profile.keyUsage);
    if (kuRequested !== undefined && (kuRequested & ~allowedKu) !== 0) {
      badTemplate(`the requested keyUsage is not allowed by certificate profile "${profile.name}"`);
    }
    let ku = kuRequested ?? allowedKu;
    ku &= key.keyUsageMask;
    if (ku === 0 && (kuRequested !== undefined || allowedKu !== 0)) badTemplate('no requested keyUsage is possible with this key type');
    if (ku !== 0)
      extensions.push(
        extension(
          oids.id_ce_keyUsage,
          true,
          memoDer(`ku:${ku}`, () => new KeyUsage(ku)),
        ),
      );

    if (ekuRequested) {
      const outside = ekuRequested.find((e) => !profile.extendedKeyUsage.includes(e));
      if (outside !== undefined) badTemplate(`extKeyUsage ${outside} is not allowed by certificate profile "${profile.name}"`);
    }
    const eku = ekuRequested ?? profile.extendedKeyUsage;
    if (eku.length)
      extensions.push(
        extension(
          oids.id_ce_extKeyUsage,
          false,
          memoDer(`eku:${eku.join(',')}`, () => new ExtendedKeyUsage([...eku])),
        ),
      );

    if (san) extensions.push(extension(oids.id_ce_subjectAltName, subjectName.length === 0, san));

    const ski = await keyIdentifier(crypto, spki.subjectPublicKey, method);
    extensions.push(extension(oids.id_ce_subjectKeyIdentifier, false, tlv(0x04, ski)));
    extensions.push(extension(oids.id_ce_authorityKeyIdentifier, false, tlv(0x30, tlv(0x80, keyId))));

    const crlUrls = asList(profile.crlDistributionPoint);
    if (crlUrls.length) {
      const value = memoDer(`crldp:${JSON.stringify(crlUrls)}`, () => {
        const dp = new DistributionPoint({ distributionPoint: new DistributionPointName({ fullName: uriNames(crlUrls) }) });
        return new CRLDistributionPoints([dp]);
      });
      extensions.push(extension(oids.id_ce_cRLDistributionPoints, false, value));
    }
    const ocsp = asList(profile.authorityInfoAccess?.ocsp);
    const caIssuers = asList(profile.authorityInfoAccess?.caIssuers);
    if (ocsp.length || caIssuers.length) {
      const value = memoDer(`aia:${JSON.stringify([ocsp, caIssuers])}`, () => {
        const access = [
          ...ocsp.map(
            (u) =>
              new AccessDescription({ accessMethod: ID_AD_OCSP, accessLocation: new AsnGeneralName({ uniformResourceIdentifier: u }) }),
          ),
          ...caIssuers.map(
            (u) =>
              new AccessDescription({
                accessMethod: ID_AD_CA_ISSUERS,
                accessLocation: new AsnGeneralName({ uniformResourceIdentifier: u }),
              }),
          ),
        ];
        return new AuthorityInfoAccessSyntax(access);
      });
      extensions.push(extension(oids.id_pe_authorityInfoAccess, false, value));
    }

    for (const ext of profile.extensions) extensions.push(extension(ext.extnID, ext.critical === true, ext.extnValue));
    extensions.push(...copied);

    const der = await buildCertificate(
      { serialNumber, issuer: info.subjectDer, subject, notBefore, notAfter, publicKey: key.der, extensions },
      signer,
    );
    return { certificate: der, serialNumber, subject: subjectName, notBefore, notAfter };
  }

  async function createCrl(options: CreateCrlOptions): Promise<Uint8Array> {
    if (info.keyUsage !== undefined && !(info.keyUsage & KeyUsageFlags.cRLSign)) {
      throw new IssuanceError('systemFailure', 'the CA certificate does not allow CRL signing (keyUsage lacks cRLSign)');
    }
    const { keyId } = await prepare();
    const thisUpdate = wholeSeconds(options.thisUpdate ?? clock());
    return buildCrl(options, info.subject, keyId, thisUpdate, signer);
  }

  return Object.freeze({
    certificate,
    subject,
    chain,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    issue,
    createCrl,
  });
}

const ID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
const ID_AD_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
