import { decodeAlgorithmIdentifier, decodeGeneralNames, isCmpError, type GeneralName, type GeneralNames } from '@cmpkit/codec';
import { IssuanceError } from '../errors/issuance-error.js';
import type { CertificateProfile } from '../profile/certificate-profile.js';
import { checkCharacterString, type StringRule } from './character-string.js';
import { checkName } from './check-name.js';
import { readTlv } from './der.js';
import { isDnsName, matchesDnsPattern, parseDnsPattern, type DnsPattern } from './dns-name.js';
import { inIpRange, parseIpRange, type IpRange } from './ip-address.js';
import { isWellFormedDer, validOid } from './well-formed-der.js';

function refuse(why: string): never {
  throw new IssuanceError('badCertTemplate', why);
}

function ascii(text: string, what: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) refuse(`a ${what} in subjectAltName has characters outside printable ASCII`);
  }
  if (text === '') refuse(`a ${what} in subjectAltName is empty`);
  return text;
}

const UTF8_VALUE: StringRule = { types: ['UTF8String'], maxLength: 1024 };
const DIRECTORY_STRING: StringRule = { types: ['PrintableString', 'UTF8String'], maxLength: 1024 };

/** Checks the value of an otherName whose type-id cmpkit knows; false when the type-id is unknown. */
function checkKnownOtherName(typeId: string, value: Uint8Array): boolean {
  switch (typeId) {
    case '1.3.6.1.4.1.311.20.2.3': // Microsoft UPN
      checkCharacterString(value, UTF8_VALUE, 'a userPrincipalName otherName');
      return true;
    case '1.3.6.1.5.5.7.8.9': // SmtpUTF8Mailbox, RFC 9598
      if (!checkCharacterString(value, UTF8_VALUE, 'an SmtpUTF8Mailbox otherName').includes('@')) {
        refuse('an SmtpUTF8Mailbox otherName is not a mailbox address');
      }
      return true;
    case '1.3.6.1.5.5.7.8.4': {
      // HardwareModuleName ::= SEQUENCE { hwType OBJECT IDENTIFIER, hwSerialNum OCTET STRING }, RFC 4108
      const seq = readTlv(value, 0);
      const hwType = seq?.tag === 0x30 ? readTlv(seq.contents, 0) : null;
      const serial = hwType ? readTlv(seq!.contents, hwType.end) : null;
      if (!hwType || hwType.tag !== 0x06 || !validOid(hwType.contents) || serial?.tag !== 0x04 || serial.end !== seq!.contents.length) {
        refuse('a hardwareModuleName otherName is not a HardwareModuleName');
      }
      return true;
    }
    case '1.3.6.1.5.5.7.8.3': {
      // PermanentIdentifier ::= SEQUENCE { identifierValue UTF8String OPTIONAL, assigner OBJECT IDENTIFIER OPTIONAL }, RFC 4043
      const seq = readTlv(value, 0);
      if (seq?.tag !== 0x30 || seq.end !== value.length) refuse('a permanentIdentifier otherName is not a PermanentIdentifier');
      let pos = 0;
      let item = readTlv(seq.contents, pos);
      if (item?.tag === 0x0c) {
        checkCharacterString(seq.contents.subarray(pos, item.end), UTF8_VALUE, 'a permanentIdentifier identifierValue');
        pos = item.end;
        item = readTlv(seq.contents, pos);
      }
      if (item?.tag === 0x06 && validOid(item.contents)) pos = item.end;
      if (pos !== seq.contents.length) refuse('a permanentIdentifier otherName is not a PermanentIdentifier');
      return true;
    }
    default:
      return false;
  }
}

/**
 * `OtherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY DEFINED BY type-id }`
 * (implicitly tagged [0] in GeneralName): the value of a known type-id must have its syntax, any
 * other must be well-formed DER.
 */
function checkOtherName(der: Uint8Array): void {
  // Retagged as a SEQUENCE, an OtherName has AlgorithmIdentifier's shape: the codec reads the type-id.
  const retagged = der.slice();
  retagged[0] = 0x30;
  let typeId: string;
  let wrapper: Uint8Array | undefined;
  try {
    const parsed = decodeAlgorithmIdentifier(retagged);
    typeId = parsed.algorithm;
    wrapper = parsed.parameters?.der;
  } catch {
    return refuse('an otherName in subjectAltName is not an OtherName');
  }
  const explicit = wrapper ? readTlv(wrapper, 0) : null;
  if (!explicit || explicit.tag !== 0xa0) refuse('an otherName in subjectAltName is not an OtherName');
  const value = explicit.contents;
  if (!isWellFormedDer(value)) refuse('the value of an otherName in subjectAltName is not one DER value');
  checkKnownOtherName(typeId, value);
}

/** `EDIPartyName ::= SEQUENCE { nameAssigner [0] DirectoryString OPTIONAL, partyName [1] DirectoryString }` */
function checkEdiPartyName(der: Uint8Array): void {
  const outer = readTlv(der, 0);
  if (!outer) return refuse('an ediPartyName in subjectAltName is not an EDIPartyName');
  let pos = 0;
  let item = readTlv(outer.contents, pos);
  if (item?.tag === 0xa0) {
    checkCharacterString(item.contents, DIRECTORY_STRING, 'the nameAssigner of an ediPartyName');
    pos = item.end;
    item = readTlv(outer.contents, pos);
  }
  if (item?.tag !== 0xa1 || item.end !== outer.contents.length) refuse('an ediPartyName in subjectAltName is not an EDIPartyName');
  checkCharacterString(item.contents, DIRECTORY_STRING, 'the partyName of an ediPartyName');
}

function ipText(ip: Uint8Array): string {
  if (ip.length === 4) return ip.join('.');
  const groups: string[] = [];
  for (let i = 0; i < ip.length; i += 2) groups.push((((ip[i] as number) << 8) | (ip[i + 1] as number)).toString(16));
  return groups.join(':');
}

/**
 * Checks a template's subjectAltName extension value against `profile` and RFC 5280 section
 * 4.2.1.6: it must be one DER GeneralNames of the alternatives the profile accepts; dNSNames host
 * names (wildcards only when allowed) matching `dnsNamePatterns`; iPAddresses 4 or 16 bytes inside
 * `ipAddressRanges`; rfc822Name and URI values printable ASCII (a mailbox, an absolute URI);
 * directoryNames non-empty names whose every attribute passes the subject's checks; otherNames of
 * a known type-id (userPrincipalName, SmtpUTF8Mailbox, hardwareModuleName, permanentIdentifier)
 * with their syntax, of any other type-id well-formed DER; ediPartyNames with DirectoryStrings;
 * x400Addresses well-formed DER. Refusals are `badCertTemplate`. Returns the value unchanged (its
 * exact DER is what gets issued).
 */
export function checkSubjectAltName(extnValue: Uint8Array, profile: CertificateProfile): Uint8Array {
  if (!profile.allowSubjectAltName) {
    refuse(`certificate profile "${profile.name}" does not allow a subjectAltName`);
  }
  let names: GeneralNames;
  try {
    names = decodeGeneralNames(extnValue);
  } catch (error) {
    if (!isCmpError(error)) throw error;
    return refuse(`the subjectAltName extension is not DER GeneralNames (${error.message})`);
  }
  const patterns = profile.dnsNamePatterns?.map(parseDnsPattern).filter((p): p is DnsPattern => p !== null);
  const ranges = profile.ipAddressRanges?.map(parseIpRange).filter((r): r is IpRange => r !== null);
  for (const name of names) {
    if (!profile.subjectAltNameTypes.includes(name.type)) {
      refuse(`certificate profile "${profile.name}" does not allow ${name.type} in subjectAltName`);
    }
    checkGeneralName(name, patterns, ranges, profile);
  }
  return extnValue;
}

function checkGeneralName(
  name: GeneralName,
  patterns: readonly DnsPattern[] | undefined,
  ranges: readonly IpRange[] | undefined,
  profile: CertificateProfile,
): void {
  switch (name.type) {
    case 'dNSName': {
      const dns = ascii(name.value, 'dNSName');
      if (!isDnsName(dns, profile.allowWildcardDnsNames)) {
        refuse(`"${dns}" is not an acceptable DNS name${dns.startsWith('*') ? ' (no wildcards here)' : ''}`);
      }
      if (patterns && !matchesDnsPattern(dns, patterns)) refuse(`the DNS name "${dns}" is not allowed by the certificate profile`);
      return;
    }
    case 'iPAddress':
      if (name.value.length !== 4 && name.value.length !== 16) refuse('an iPAddress in subjectAltName is not 4 or 16 bytes');
      if (ranges && !ranges.some((r) => inIpRange(name.value, r))) {
        refuse(`the IP address ${ipText(name.value)} is not allowed by the certificate profile`);
      }
      return;
    case 'rfc822Name': {
      const mail = ascii(name.value, 'rfc822Name');
      if (!/^[^@]+@[^@]+$/.test(mail)) refuse(`"${mail}" is not a mailbox address`);
      return;
    }
    case 'uniformResourceIdentifier': {
      const uri = ascii(name.value, 'URI');
      if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri)) refuse(`"${uri}" is not an absolute URI`);
      return;
    }
    case 'directoryName':
      if (name.value.length === 0) refuse('a directoryName in subjectAltName is empty');
      checkName(name.value, 'a directoryName in subjectAltName');
      return;
    case 'otherName':
      checkOtherName(name.value);
      return;
    case 'ediPartyName':
      checkEdiPartyName(name.value);
      return;
    case 'x400Address':
      if (!isWellFormedDer(name.value)) refuse('an x400Address in subjectAltName is not well-formed DER');
      return;
    case 'registeredID':
      return;
  }
}
