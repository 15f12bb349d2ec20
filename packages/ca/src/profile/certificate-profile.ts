import { KEY_USAGE_NAMES, type Extension, type GeneralName, type KeyUsageName, type Name } from '@cmpkit/codec';
import { IssuanceError } from '../errors/issuance-error.js';
import { parseDnsPattern } from '../internal/dns-name.js';
import { parseIpRange } from '../internal/ip-address.js';
import { asList } from '../internal/lists.js';
import { parseKeyAlgorithm } from '../internal/key-algorithm.js';
import { CA_MANAGED_EXTENSIONS } from '../internal/managed-extensions.js';

/** KeyUsage bit names in bit order (index = bit number), from the codec. */
export type { KeyUsageName };

export const KEY_USAGE_BITS: readonly KeyUsageName[] = KEY_USAGE_NAMES;

/** A GeneralName alternative that may appear in subjectAltName (`'dNSName'`, `'iPAddress'`, ...). */
export type SubjectAltNameType = GeneralName['type'];

/** Every GeneralName alternative (RFC 5280 section 4.2.1.6), in tag order: what `subjectAltNameTypes` may list. */
export const SUBJECT_ALT_NAME_TYPES: readonly SubjectAltNameType[] = Object.freeze([
  'otherName',
  'rfc822Name',
  'dNSName',
  'x400Address',
  'directoryName',
  'ediPartyName',
  'uniformResourceIdentifier',
  'iPAddress',
  'registeredID',
] as const);

/**
 * A public key algorithm (and size) a profile accepts for the certified key:
 *
 * - `'ec:P-256'`, `'ec:P-384'`, `'ec:P-521'`: id-ecPublicKey on that named curve (RFC 5480);
 * - `'rsa:2048+'`: rsaEncryption with a modulus of at least 2048 bits; `'rsa:3072'`: exactly 3072
 *   bits (moduli above 16384 bits are always refused);
 * - `'rsa-pss:2048+'`, `'rsa-pss:3072'`: the same for keys marked id-RSASSA-PSS (RFC 4055);
 * - `'ed25519'`, `'ed448'`, `'x25519'`, `'x448'` (RFC 8410);
 * - `'ml-dsa-44'`, `'ml-dsa-65'`, `'ml-dsa-87'` (FIPS 204) and `'ml-kem-512'`, `'ml-kem-768'`,
 *   `'ml-kem-1024'` (FIPS 203), checked for their algorithm identifier and key length.
 */
export type KeyAlgorithm =
  | 'ec:P-256'
  | 'ec:P-384'
  | 'ec:P-521'
  | `rsa:${number}`
  | `rsa:${number}+`
  | `rsa-pss:${number}`
  | `rsa-pss:${number}+`
  | 'ed25519'
  | 'ed448'
  | 'x25519'
  | 'x448'
  | 'ml-dsa-44'
  | 'ml-dsa-65'
  | 'ml-dsa-87'
  | 'ml-kem-512'
  | 'ml-kem-768'
  | 'ml-kem-1024';

/**
 * The basicConstraints a profile puts into its certificates, RFC 5280 section 4.2.1.9:
 *
 * ```asn1
 * BasicConstraints ::= SEQUENCE {
 *      cA                      BOOLEAN DEFAULT FALSE,
 *      pathLenConstraint       INTEGER (0..MAX) OPTIONAL }
 * ```
 */
export interface ProfileBasicConstraints {
  /** True for CA certificates. */
  readonly cA: boolean;
  /**
   * For CA profiles: the maximum number of intermediate CAs below the issued one. Lowered to fit
   * under the issuing CA's own constraint.
   */
  readonly pathLenConstraint?: number;
}

/**
 * Access locations for the authorityInfoAccess extension, RFC 5280 section 4.2.2.1 (each URL
 * becomes an AccessDescription with a uniformResourceIdentifier):
 *
 * ```asn1
 * AuthorityInfoAccessSyntax  ::=
 *         SEQUENCE SIZE (1..MAX) OF AccessDescription
 * AccessDescription  ::=  SEQUENCE {
 *         accessMethod          OBJECT IDENTIFIER,
 *         accessLocation        GeneralName  }
 * ```
 */
export interface ProfileAuthorityInfoAccess {
  /** URLs where the issuing CA's certificate can be fetched (id-ad-caIssuers). */
  readonly caIssuers?: string | readonly string[];
  /** URLs of OCSP responders (id-ad-ocsp). */
  readonly ocsp?: string | readonly string[];
}

/**
 * What a CA puts into the certificates it issues for one kind of subject, and what it accepts
 * from a request's CertTemplate. Make one with {@link defineProfile}, which fills the defaults and
 * checks the values; the built-in ones are in {@link profiles}.
 *
 * The issued certificate gets, in this order: basicConstraints (critical), keyUsage (critical,
 * when non-empty), extKeyUsage (when non-empty), subjectAltName (from the template, when
 * allowed), subjectKeyIdentifier, authorityKeyIdentifier, cRLDistributionPoints and
 * authorityInfoAccess (when set), the profile's fixed `extensions`, then the template's
 * extensions listed in `allowedExtensions`. Any other template extension is refused with
 * `badCertTemplate`.
 */
export interface CertificateProfile {
  /** The profile's name, e.g. as requested with id-it-certProfile (RFC 9810 section 5.3.19.16). */
  readonly name: string;
  /** Lifetime of issued certificates in days (the maximum when `allowTemplateValidity`). Never past the CA's own notAfter. */
  readonly validityDays: number;
  /** notBefore is set this many seconds before the issuing time, for relying parties with slow clocks. */
  readonly backdateSeconds: number;
  /**
   * Honour the template's validity (clamped to the CA's validity and to `validityDays` from
   * notBefore). When false, a requested validity is ignored.
   */
  readonly allowTemplateValidity: boolean;
  /** The subject used when the template carries none (or an empty one). */
  readonly subject?: Name;
  /** The public key algorithms and sizes accepted for the certified key. */
  readonly keyAlgorithms: readonly KeyAlgorithm[];
  /**
   * KeyUsage bits of issued certificates. A template's keyUsage must be a subset and then
   * narrows them. keyEncipherment and dataEncipherment are left out for keys that are not RSA.
   */
  readonly keyUsage: readonly KeyUsageName[];
  /** Dotted OIDs of extKeyUsage (e.g. `oids.id_kp_clientAuth`). A template's must be a subset and narrows them. */
  readonly extendedKeyUsage: readonly string[];
  /** basicConstraints of issued certificates; cA false for end entities. */
  readonly basicConstraints: ProfileBasicConstraints;
  /** Accept a subjectAltName extension from the template. When false such a template is refused. */
  readonly allowSubjectAltName: boolean;
  /** The GeneralName alternatives accepted in subjectAltName. */
  readonly subjectAltNameTypes: readonly SubjectAltNameType[];
  /**
   * When set, every dNSName must match one of these: an exact name (`host.example.com`) or
   * `*.example.com` for any name below example.com. Matching ignores case.
   */
  readonly dnsNamePatterns?: readonly string[];
  /** Accept wildcard dNSNames (`*.example.com`). */
  readonly allowWildcardDnsNames: boolean;
  /** When set, every iPAddress must lie in one of these CIDR ranges (`10.0.0.0/8`, `2001:db8::/32`). */
  readonly ipAddressRanges?: readonly string[];
  /**
   * Dotted OIDs of further template extensions copied into the certificate as requested
   * (e.g. certificatePolicies). The extensions this CA sets itself (basicConstraints, keyUsage,
   * extKeyUsage, subjectAltName, key identifiers, CRL distribution points, authorityInfoAccess)
   * cannot be listed.
   */
  readonly allowedExtensions: readonly string[];
  /** Extensions added to every certificate of this profile as given. */
  readonly extensions: readonly Extension[];
  /** URL(s) of the CRL, written as one DistributionPoint with these fullName URIs. */
  readonly crlDistributionPoint?: string | readonly string[];
  /** authorityInfoAccess locations. */
  readonly authorityInfoAccess?: ProfileAuthorityInfoAccess;
  /**
   * Carried for the CMP server, not used by the CA: requests under this profile wait for an
   * operator's approval (the server answers `waiting` and polls).
   */
  readonly requireApproval: boolean;
  /**
   * Carried for the CMP server, not used by the CA: delay issuance, answering `waiting` for this
   * many polls and/or seconds (to exercise or emulate delayed delivery, RFC 9810 section 5.3.22).
   */
  readonly issueDelay?: { readonly polls?: number; readonly seconds?: number };
}

/** Input of {@link defineProfile}: a name, and any {@link CertificateProfile} field to override a default. */
export type CertificateProfileInit = { name: string } & Partial<Omit<CertificateProfile, 'name'>>;

const DEFAULTS = {
  validityDays: 365,
  backdateSeconds: 60,
  allowTemplateValidity: false,
  keyAlgorithms: ['ec:P-256', 'ec:P-384', 'ec:P-521', 'rsa:2048+', 'ed25519'] as readonly KeyAlgorithm[],
  keyUsage: ['digitalSignature'] as readonly KeyUsageName[],
  extendedKeyUsage: [] as readonly string[],
  basicConstraints: { cA: false } as ProfileBasicConstraints,
  allowSubjectAltName: true,
  subjectAltNameTypes: ['dNSName', 'iPAddress', 'rfc822Name', 'uniformResourceIdentifier'] as readonly SubjectAltNameType[],
  allowWildcardDnsNames: false,
  allowedExtensions: [] as readonly string[],
  extensions: [] as readonly Extension[],
  requireApproval: false,
};

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;

function freezeDeep<T>(value: T): T {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) freezeDeep(v);
  }
  return value;
}

/**
 * A {@link CertificateProfile} from `init`, with defaults for everything not given: 365 days,
 * 60 s backdating, no template validity, keys `ec:P-256`, `ec:P-384`, `ec:P-521`, `rsa:2048+`,
 * `ed25519`, keyUsage digitalSignature, no extKeyUsage, basicConstraints cA false,
 * subjectAltName of dNSName/iPAddress/rfc822Name/uniformResourceIdentifier allowed, no further
 * extensions, no approval. The result is deeply frozen.
 *
 * @throws IssuanceError (`systemFailure`) when a value is inconsistent: a non-positive validity,
 *   an unknown key algorithm, keyCertSign without cA (or cA without keyCertSign), a malformed OID,
 *   DNS pattern or CIDR range, or an `allowedExtensions` entry the CA sets itself.
 */
export function defineProfile(init: CertificateProfileInit): CertificateProfile {
  const profile: CertificateProfile = freezeDeep({
    ...DEFAULTS,
    ...structuredCloneProfile(init),
  });
  checkProfile(profile);
  return profile;
}

function structuredCloneProfile(init: CertificateProfileInit): CertificateProfileInit {
  // Copies arrays and plain objects so a caller mutating its input later cannot change the profile.
  const copy = (v: unknown): unknown =>
    v instanceof Uint8Array
      ? v.slice()
      : Array.isArray(v)
        ? v.map(copy)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]))
          : v;
  return copy(init) as CertificateProfileInit;
}

/**
 * Checks a profile's values (what {@link defineProfile} does after filling defaults). The CA runs
 * it on every profile it is given, so hand-written profile objects are checked as well.
 *
 * @internal
 */
export function checkProfile(profile: CertificateProfile): void {
  const fail = (why: string): never => {
    throw new IssuanceError('systemFailure', `profile "${profile.name}": ${why}`);
  };
  if (typeof profile.name !== 'string' || profile.name === '') fail('a profile needs a name');
  if (!(Number.isFinite(profile.validityDays) && profile.validityDays > 0)) fail('validityDays must be a positive number');
  if (!(Number.isFinite(profile.backdateSeconds) && profile.backdateSeconds >= 0)) fail('backdateSeconds must be zero or more');
  if (profile.keyAlgorithms.length === 0) fail('keyAlgorithms is empty');
  for (const spec of profile.keyAlgorithms) {
    if (!parseKeyAlgorithm(spec)) fail(`unknown key algorithm "${spec}"`);
  }
  const seen = new Set<string>();
  for (const ku of profile.keyUsage) {
    if (!KEY_USAGE_BITS.includes(ku)) fail(`unknown keyUsage "${ku}"`);
    if (seen.has(ku)) fail(`keyUsage "${ku}" is listed twice`);
    seen.add(ku);
  }
  const { cA, pathLenConstraint } = profile.basicConstraints;
  if (cA !== seen.has('keyCertSign')) fail('keyCertSign goes with basicConstraints cA true, and only with it');
  if (pathLenConstraint !== undefined) {
    if (!cA) fail('pathLenConstraint is only for CA profiles');
    if (!(Number.isInteger(pathLenConstraint) && pathLenConstraint >= 0)) fail('pathLenConstraint must be an integer >= 0');
  }
  for (const eku of profile.extendedKeyUsage) if (!OID.test(eku)) fail(`extendedKeyUsage "${eku}" is not a dotted OID`);
  for (const t of profile.subjectAltNameTypes) if (!SUBJECT_ALT_NAME_TYPES.includes(t)) fail(`unknown subjectAltName type "${t}"`);
  for (const p of profile.dnsNamePatterns ?? [])
    if (!parseDnsPattern(p)) fail(`dnsNamePatterns entry "${p}" is not a DNS name or *.suffix`);
  for (const r of profile.ipAddressRanges ?? []) if (!parseIpRange(r)) fail(`ipAddressRanges entry "${r}" is not a CIDR range`);
  for (const oid of profile.allowedExtensions) {
    if (!OID.test(oid)) fail(`allowedExtensions entry "${oid}" is not a dotted OID`);
    if (CA_MANAGED_EXTENSIONS.has(oid)) fail(`extension ${oid} is set by the CA and cannot be taken from a template`);
  }
  const fixed = new Set<string>();
  for (const ext of profile.extensions) {
    if (!OID.test(ext.extnID)) fail(`extension "${ext.extnID}" is not a dotted OID`);
    if (CA_MANAGED_EXTENSIONS.has(ext.extnID)) fail(`extension ${ext.extnID} is set by the CA from the profile's other fields`);
    if (fixed.has(ext.extnID) || profile.allowedExtensions.includes(ext.extnID)) fail(`extension ${ext.extnID} appears twice`);
    fixed.add(ext.extnID);
  }
  const urls = [
    ...asList(profile.crlDistributionPoint),
    ...asList(profile.authorityInfoAccess?.caIssuers),
    ...asList(profile.authorityInfoAccess?.ocsp),
  ];
  for (const url of urls) if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:[\x21-\x7e]+$/.test(url)) fail(`"${url}" is not an ASCII URI`);
  const delay = profile.issueDelay;
  if (delay) {
    for (const v of [delay.polls, delay.seconds]) {
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) fail('issueDelay values must be zero or more');
    }
  }
}
