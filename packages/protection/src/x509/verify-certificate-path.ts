import { oidName, oids, nameToString } from '@cmpkit/codec';
import { cryptoOf } from '../crypto-options.js';
import { ProtectionError } from '../errors/protection-error.js';
import { equalBytes } from '../internal/bytes.js';
import { algorithmsOf, timeOfCheck, type AlgorithmOptions, type TimeOptions } from '../options.js';
import type { KeyUsageName, ParsedCertificate } from './certificate.js';
import {
  certificateEntry,
  createCertificateCache,
  entryPublicKey,
  type CertificateCache,
  type CertificateEntry,
} from './certificate-cache.js';
import { nameEqual } from './name-equal.js';

/** Inputs of {@link verifyCertificatePath}. */
export interface CertificatePathOptions extends AlgorithmOptions, TimeOptions {
  /** Trust anchors (DER certificates). A path must end at one of them. */
  anchors: readonly Uint8Array[];
  /** Further certificates that may serve as intermediates (e.g. extraCerts). */
  untrusted?: readonly Uint8Array[];
  /** KeyUsage bits the target must allow when it has a keyUsage extension. Default: none. */
  requiredKeyUsage?: readonly KeyUsageName[];
  /**
   * Extended key usages of which the target must list at least one (e.g. `oids.id_kp_cmcRA`,
   * `oids.id_kp_cmcCA`); a target without the extension then fails. Default: no requirement.
   */
  requiredExtendedKeyUsage?: readonly string[];
  /** Accept SHA-1 certificate signatures. Default false. */
  allowSha1?: boolean;
  /** Most certificates in a path, target and anchor included. Default 10. */
  maxPathLength?: number;
  /** Parsed certificates, imported keys and verified certificate signatures to reuse. */
  cache?: CertificateCache;
}

/** A verified path. */
export interface CertificatePath {
  /** The path, target first and anchor last (one element when the target is itself an anchor). */
  certificates: readonly Uint8Array[];
  /** The trust anchor the path ends at. */
  anchor: Uint8Array;
}

/** Extensions whose criticality cmpkit can honour; any other critical extension fails the path. */
const UNDERSTOOD = new Set<string>([
  oids.id_ce_basicConstraints,
  oids.id_ce_keyUsage,
  oids.id_ce_extKeyUsage,
  oids.id_ce_subjectKeyIdentifier,
  oids.id_ce_authorityKeyIdentifier,
  oids.id_ce_subjectAltName,
  oids.id_ce_issuerAltName,
  oids.id_ce_certificatePolicies,
  oids.id_ce_cRLDistributionPoints,
  oids.id_pe_authorityInfoAccess,
]);

const MAX_SIGNATURE_CHECKS = 64;

function label(cert: ParsedCertificate): string {
  return `"${nameToString(cert.subject)}"`;
}

function untrusted(reason: string, cause?: unknown): ProtectionError {
  return new ProtectionError('signerNotTrusted', reason, cause);
}

/** Why `cert` is unusable at `at` in any role, or undefined. */
function generalProblem(cert: ParsedCertificate, at: Date): string | undefined {
  if (at.getTime() < cert.notBefore.getTime())
    return `certificate ${label(cert)} is not yet valid (notBefore ${cert.notBefore.toISOString()})`;
  if (at.getTime() > cert.notAfter.getTime()) return `certificate ${label(cert)} has expired (notAfter ${cert.notAfter.toISOString()})`;
  const critical = cert.extensions.find((e) => e.critical && !UNDERSTOOD.has(e.extnID));
  if (critical) return `certificate ${label(cert)} has an unsupported critical extension ${oidName(critical.extnID) ?? critical.extnID}`;
  return undefined;
}

/** Why `issuer` cannot issue below `chain` (target first), or undefined. */
function issuerProblem(issuer: ParsedCertificate, isAnchor: boolean, chain: readonly ParsedCertificate[], at: Date): string | undefined {
  const general = generalProblem(issuer, at);
  if (general) return general;
  const bc = issuer.basicConstraints;
  if (!bc?.cA && !(isAnchor && issuer.version < 3)) return `issuer ${label(issuer)} is not a CA (basicConstraints cA missing)`;
  if (issuer.keyUsage && !issuer.keyUsage.includes('keyCertSign')) return `issuer ${label(issuer)} lacks keyUsage keyCertSign`;
  if (bc?.pathLenConstraint !== undefined) {
    // Intermediates below this issuer that are not self-issued (RFC 5280 section 6.1.4 (l)).
    const below = chain.slice(1).filter((c) => !nameEqual(c.subject, c.issuer)).length;
    if (below > bc.pathLenConstraint) return `issuer ${label(issuer)} pathLenConstraint ${bc.pathLenConstraint} exceeded`;
  }
  return undefined;
}

/** Checks the end of a path: validity, critical extensions, keyUsage, extended key usage. */
function targetProblem(cert: ParsedCertificate, options: CertificatePathOptions, at: Date): string | undefined {
  const general = generalProblem(cert, at);
  if (general) return general;
  const missing = (options.requiredKeyUsage ?? []).filter((u) => cert.keyUsage && !cert.keyUsage.includes(u));
  if (missing.length) return `certificate ${label(cert)} lacks keyUsage ${missing.join(', ')}`;
  const ekus = options.requiredExtendedKeyUsage;
  if (ekus?.length && !ekus.some((e) => cert.extKeyUsage?.includes(e))) {
    return `certificate ${label(cert)} lacks extended key usage ${ekus.map((e) => oidName(e) ?? e).join(' or ')}`;
  }
  return undefined;
}

function entries(cache: CertificateCache, list: readonly Uint8Array[] | undefined): CertificateEntry[] {
  const out: CertificateEntry[] = [];
  for (const der of list ?? []) {
    try {
      out.push(certificateEntry(cache, der));
    } catch {
      // An unparsable candidate is simply not a candidate.
    }
  }
  return out;
}

/** A verified path (target first). */
export interface EntryPath {
  certificates: readonly CertificateEntry[];
  anchor: CertificateEntry;
}

/** {@link verifyCertificatePath} for a cached target. */
export async function verifyEntryPath(
  target: CertificateEntry,
  options: CertificatePathOptions,
  cache: CertificateCache,
): Promise<EntryPath> {
  const crypto = cryptoOf(options);
  const registry = algorithmsOf(options);
  const at = timeOfCheck(options);
  const maxLength = options.maxPathLength ?? 10;
  const anchors = entries(cache, options.anchors);
  const intermediates = entries(cache, options.untrusted);
  const problem = targetProblem(target.parsed, options, at);
  if (problem) throw untrusted(problem);
  if (anchors.includes(target)) return { certificates: [target], anchor: target };

  const reasons: string[] = [];
  let signatureChecks = 0;

  async function signedBy(child: CertificateEntry, issuer: CertificateEntry): Promise<boolean> {
    const c = child.parsed;
    try {
      const algorithm = registry.signature(c.signatureAlgorithm);
      if (algorithm.weak && !options.allowSha1) {
        reasons.push(`certificate ${label(c)} is signed with ${algorithm.name}, which is not allowed (allowSha1)`);
        return false;
      }
      if (child.signedBy.has(issuer)) return true;
      if (++signatureChecks > MAX_SIGNATURE_CHECKS) {
        reasons.push('too many candidate certificates');
        return false;
      }
      const key = await entryPublicKey(issuer, algorithm, crypto);
      if (await algorithm.verify(crypto, key, c.signatureValue, c.tbsCertificate)) {
        child.signedBy.add(issuer);
        return true;
      }
      reasons.push(`the signature of ${label(c)} does not verify with the key of ${label(issuer.parsed)}`);
    } catch (e) {
      reasons.push(`cannot check the signature of ${label(c)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return false;
  }

  async function extend(chain: readonly CertificateEntry[]): Promise<EntryPath | null> {
    const child = chain[chain.length - 1] as CertificateEntry;
    const c = child.parsed;
    if (chain.length >= maxLength) {
      reasons.push(`path longer than ${maxLength} certificates`);
      return null;
    }
    const candidates = [
      ...anchors.map((entry) => ({ entry, isAnchor: true })),
      ...intermediates.map((entry) => ({ entry, isAnchor: false })),
    ].filter(
      ({ entry }) =>
        !chain.includes(entry) &&
        nameEqual(entry.parsed.subject, c.issuer) &&
        !(
          c.authorityKeyIdentifier &&
          entry.parsed.subjectKeyIdentifier &&
          !equalBytes(c.authorityKeyIdentifier, entry.parsed.subjectKeyIdentifier)
        ),
    );
    for (const { entry, isAnchor } of candidates) {
      const issue = issuerProblem(
        entry.parsed,
        isAnchor,
        chain.map((e) => e.parsed),
        at,
      );
      if (issue) {
        reasons.push(issue);
        continue;
      }
      if (!(await signedBy(child, entry))) continue;
      if (isAnchor) return { certificates: [...chain, entry], anchor: entry };
      const found = await extend([...chain, entry]);
      if (found) return found;
    }
    if (!candidates.length) reasons.push(`no issuer certificate found for ${label(c)} (issuer "${nameToString(c.issuer)}")`);
    return null;
  }

  const found = await extend([target]);
  if (found) return found;
  throw untrusted(`no trusted path for ${label(target.parsed)}: ${[...new Set(reasons)].join('; ')}`);
}

/**
 * Validates a certification path from `target` to one of `options.anchors` (RFC 5280 section 6,
 * the parts CMP needs): name chaining (with AKI/SKI to pick among candidates), every signature,
 * validity of every certificate at `options.at` (or `options.clock()`), basicConstraints cA,
 * keyUsage keyCertSign and pathLenConstraint for issuers, no unsupported critical extension,
 * and the target's required keyUsage and extended key usage. A target that is itself an anchor
 * is trusted directly (pinning). Revocation is not checked.
 *
 * @throws ProtectionError with failInfo signerNotTrusted, naming the reason.
 */
export async function verifyCertificatePath(target: Uint8Array, options: CertificatePathOptions): Promise<CertificatePath> {
  const cache = options.cache ?? createCertificateCache({ maxEntries: 256 });
  let entry: CertificateEntry;
  try {
    entry = certificateEntry(cache, target);
  } catch (e) {
    throw untrusted('the certificate cannot be parsed', e);
  }
  const path = await verifyEntryPath(entry, options, cache);
  return { certificates: path.certificates.map((c) => c.der), anchor: path.anchor.der };
}
