import { decodeName } from '@cmpkit/codec';
import { IssuanceError } from '../errors/issuance-error.js';
import type { CertificateProfile, SubjectAltNameType } from '../profile/certificate-profile.js';
import { readSequenceElements } from './der.js';
import { isDnsName, matchesDnsPattern, parseDnsPattern, type DnsPattern } from './dns-name.js';
import { inIpRange, parseIpRange, type IpRange } from './ip-address.js';

const TYPE_BY_TAG: Record<number, SubjectAltNameType> = {
  0xa0: 'otherName',
  0x81: 'rfc822Name',
  0x82: 'dNSName',
  0xa3: 'x400Address',
  0xa4: 'directoryName',
  0xa5: 'ediPartyName',
  0x86: 'uniformResourceIdentifier',
  0x87: 'iPAddress',
  0x88: 'registeredID',
};

function refuse(why: string): never {
  throw new IssuanceError('badCertTemplate', why);
}

function ascii(bytes: Uint8Array, what: string): string {
  let text = '';
  for (const b of bytes) {
    if (b < 0x21 || b > 0x7e) refuse(`a ${what} in subjectAltName has characters outside printable ASCII`);
    text += String.fromCharCode(b);
  }
  if (text === '') refuse(`a ${what} in subjectAltName is empty`);
  return text;
}

function ipText(ip: Uint8Array): string {
  if (ip.length === 4) return ip.join('.');
  const groups: string[] = [];
  for (let i = 0; i < ip.length; i += 2) groups.push((((ip[i] as number) << 8) | (ip[i + 1] as number)).toString(16));
  return groups.join(':');
}

/**
 * Checks a template's subjectAltName extension value against `profile`: it must be one DER
 * GeneralNames of the alternatives the profile accepts; dNSNames must be host names (wildcards
 * only when allowed) matching `dnsNamePatterns`; iPAddresses must be 4 or 16 bytes inside
 * `ipAddressRanges`; rfc822Name and URI values printable ASCII; directoryName a DER Name.
 * Refusals are `badCertTemplate`. Returns the value unchanged (its exact DER is what gets issued).
 */
export function checkSubjectAltName(extnValue: Uint8Array, profile: CertificateProfile): Uint8Array {
  if (!profile.allowSubjectAltName) {
    refuse(`certificate profile "${profile.name}" does not allow a subjectAltName`);
  }
  const names = readSequenceElements(extnValue);
  if (!names) return refuse('the subjectAltName extension is not DER GeneralNames');
  if (names.length === 0) refuse('the subjectAltName extension is empty');
  const patterns = profile.dnsNamePatterns?.map(parseDnsPattern).filter((p): p is DnsPattern => p !== null);
  const ranges = profile.ipAddressRanges?.map(parseIpRange).filter((r): r is IpRange => r !== null);
  for (const name of names) {
    const type = TYPE_BY_TAG[name.tag];
    if (!type) return refuse('the subjectAltName extension holds something that is not a GeneralName');
    if (!profile.subjectAltNameTypes.includes(type)) {
      refuse(`certificate profile "${profile.name}" does not allow ${type} in subjectAltName`);
    }
    switch (type) {
      case 'dNSName': {
        const dns = ascii(name.contents, 'dNSName');
        if (!isDnsName(dns, profile.allowWildcardDnsNames)) {
          refuse(`"${dns}" is not an acceptable DNS name${dns.startsWith('*') ? ' (no wildcards here)' : ''}`);
        }
        if (patterns && !matchesDnsPattern(dns, patterns)) refuse(`the DNS name "${dns}" is not allowed by the certificate profile`);
        break;
      }
      case 'iPAddress': {
        if (name.contents.length !== 4 && name.contents.length !== 16) refuse('an iPAddress in subjectAltName is not 4 or 16 bytes');
        if (ranges && !ranges.some((r) => inIpRange(name.contents, r))) {
          refuse(`the IP address ${ipText(name.contents)} is not allowed by the certificate profile`);
        }
        break;
      }
      case 'rfc822Name': {
        const mail = ascii(name.contents, 'rfc822Name');
        if (!/^[^@]+@[^@]+$/.test(mail)) refuse(`"${mail}" is not a mailbox address`);
        break;
      }
      case 'uniformResourceIdentifier': {
        const uri = ascii(name.contents, 'URI');
        if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri)) refuse(`"${uri}" is not an absolute URI`);
        break;
      }
      case 'directoryName': {
        try {
          decodeName(name.contents);
        } catch {
          refuse('a directoryName in subjectAltName is not a DER Name');
        }
        break;
      }
      default:
        break;
    }
  }
  return extnValue;
}
