import type { KeyAlgorithm } from '@cmpkit/ca';
import { oids, type CertReqTemplateContent, type Control } from '@cmpkit/codec';
import { curveOid } from './pki/key-algorithms.js';
import { oidDer } from './pki/oid-der.js';
import type { ServerProfile } from './server-profile.js';

const ALGORITHM_OIDS: Partial<Record<string, string>> = {
  ed25519: oids.id_Ed25519,
  ed448: oids.id_Ed448,
  x25519: oids.id_X25519,
  x448: oids.id_X448,
  'ml-dsa-44': '2.16.840.1.101.3.4.3.17',
  'ml-dsa-65': '2.16.840.1.101.3.4.3.18',
  'ml-dsa-87': '2.16.840.1.101.3.4.3.19',
  'ml-kem-512': '2.16.840.1.101.3.4.4.1',
  'ml-kem-768': '2.16.840.1.101.3.4.4.2',
  'ml-kem-1024': '2.16.840.1.101.3.4.4.3',
};

/** The keySpec controls of one profile key algorithm (RFC 9810 section 5.3.19.16: algId, rsaKeyLen). */
function keySpecOf(spec: KeyAlgorithm): Control[] {
  const ec = /^ec:(.+)$/.exec(spec);
  if (ec) {
    const curve = curveOid(ec[1]!);
    return curve ? [{ type: 'algId', value: { algorithm: oids.id_ecPublicKey, parameters: { der: oidDer(curve) } } }] : [];
  }
  const rsa = /^(rsa|rsa-pss):(\d+)\+?$/.exec(spec);
  if (rsa) {
    const algorithm = rsa[1] === 'rsa' ? oids.rsaEncryption : oids.id_RSASSA_PSS;
    return [
      { type: 'algId', value: { algorithm } },
      { type: 'rsaKeyLen', value: Number(rsa[2]) },
    ];
  }
  const oid = ALGORITHM_OIDS[spec];
  return oid ? [{ type: 'algId', value: { algorithm: oid } }] : [];
}

function controlKey(c: Control): string {
  if (c.type === 'algId') return `algId:${c.value.algorithm}:${c.value.parameters ? Array.from(c.value.parameters.der).join(',') : ''}`;
  if (c.type === 'rsaKeyLen') return `rsaKeyLen:${c.value}`;
  return c.type;
}

/**
 * The genm certReqTemplate answer for a profile (RFC 9810 section 5.3.19.16, RFC 9483 section
 * 4.3.3): the fixed subject parts in certTemplate, and one keySpec control per accepted key
 * algorithm (algId with the curve for EC, algId and rsaKeyLen for RSA).
 */
export function certReqTemplateOf(entry: ServerProfile): CertReqTemplateContent {
  const seen = new Set<string>();
  const keySpec: Control[] = [];
  for (const spec of entry.profile.keyAlgorithms) {
    for (const control of keySpecOf(spec)) {
      const key = controlKey(control);
      if (!seen.has(key)) {
        seen.add(key);
        keySpec.push(control);
      }
    }
  }
  return {
    certTemplate: entry.subjectTemplate && entry.subjectTemplate.length > 0 ? { subject: entry.subjectTemplate } : {},
    ...(keySpec.length > 0 ? { keySpec } : {}),
  };
}
