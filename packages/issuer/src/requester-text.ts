import { nameToString, type GeneralName } from '@cmpkit/codec';
import type { Requester } from '@cmpkit/core';

function generalNameText(name: GeneralName): string {
  switch (name.type) {
    case 'directoryName':
      return nameToString(name.value) || '(NULL-DN)';
    case 'dNSName':
    case 'rfc822Name':
    case 'uniformResourceIdentifier':
    case 'registeredID':
      return name.value;
    default:
      return name.type;
  }
}

/**
 * Who asked, in one word for the database and the logs: `mac:<reference>`,
 * `signature:<sender>` (`signature-external:` for a manufacturer certificate), `kem:<sender>` or
 * `unprotected:<sender>`.
 */
export function describeRequester(requester: Requester): string {
  switch (requester.kind) {
    case 'mac': {
      const kid = requester.senderKID;
      if (!kid) return `mac:${generalNameText(requester.sender)}`;
      const text = new TextDecoder('utf-8', { fatal: false }).decode(kid);
      return `mac:${/^[\x20-\x7e]+$/.test(text) ? text : Array.from(kid, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    }
    case 'signature':
      return `${requester.external ? 'signature-external' : 'signature'}:${generalNameText(requester.sender)}`;
    case 'kem':
      return `kem:${generalNameText(requester.sender)}`;
    case 'unprotected':
      return `unprotected:${generalNameText(requester.sender)}`;
  }
}
