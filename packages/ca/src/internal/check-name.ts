import type { Name } from '@cmpkit/codec';
import { IssuanceError } from '../errors/issuance-error.js';
import { ATTRIBUTE_TYPES, UNKNOWN_ATTRIBUTE_TYPE } from './attribute-types.js';
import { checkCharacterString } from './character-string.js';

/**
 * Checks a requested distinguished name before it goes into a certificate (RFC 5280 section
 * 4.1.2.4): every attribute value is a character string of a type its attribute allows, valid for
 * that type, free of control characters and within the attribute's upper bound; an attribute type
 * appears at most once in a relative distinguished name (X.501). The codec has already made sure
 * the Name itself is DER; this is what it leaves open (`AttributeValue ::= ANY`).
 *
 * @throws IssuanceError badCertTemplate naming the offending attribute, `what` being e.g. `the subject`.
 */
export function checkName(name: Name, what: string): void {
  for (const rdn of name) {
    if (rdn.length === 0) throw new IssuanceError('badCertTemplate', `${what} has an empty relative distinguished name`);
    const seen = new Set<string>();
    for (const atv of rdn) {
      const rule = ATTRIBUTE_TYPES.get(atv.type);
      const label = `${what}'s ${rule?.name ?? `attribute ${atv.type}`}`;
      if (seen.has(atv.type)) throw new IssuanceError('badCertTemplate', `${label} appears twice in one relative distinguished name`);
      seen.add(atv.type);
      const text = checkCharacterString(atv.value.der, rule ?? UNKNOWN_ATTRIBUTE_TYPE, label);
      const problem = rule?.check?.(text);
      if (problem) throw new IssuanceError('badCertTemplate', `${label} ${problem}`);
    }
  }
}
