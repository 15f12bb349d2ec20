import {
  decodePBKDF2Params,
  decodePBMAC1Params,
  decodePBMParameter,
  nameToString,
  oids,
  oidName,
  pkiStatusName,
  type DecodedPKIMessage,
  type Name,
} from '@cmpkit/codec';
import { describeCertificate } from './describe-certificate.js';

/** A JSON-safe view of a decoded value: what `cmpkit dump` prints. */
export type View = string | number | boolean | null | View[] | { [key: string]: View };

const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;
const CERTIFICATE_KEYS = new Set([
  'extraCerts',
  'caPubs',
  'certificate',
  'newSigCert',
  'caCerts',
  'rootCaCert',
  'caProtEncCert',
  'newWithNew',
  'newWithOld',
  'oldWithNew',
  'cann',
]);
const NAME_KEYS = new Set(['subject', 'issuer', 'directoryName']);
const STATUS_KEYS = new Set(['status']);
const TEXT_KEYS = new Set(['senderKID', 'recipKID']);

function hexWithText(bytes: Uint8Array): string {
  const printable = bytes.length > 0 && bytes.every((b) => b >= 0x20 && b < 0x7f);
  return printable ? `${hex(bytes)} ("${String.fromCharCode(...bytes)}")` : hex(bytes);
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function isName(value: unknown): value is Name {
  return (
    Array.isArray(value) &&
    value.every(
      (rdn) => Array.isArray(rdn) && rdn.every((atv) => typeof atv === 'object' && atv !== null && 'type' in atv && 'value' in atv),
    )
  );
}

function viewOf(value: unknown, key: string, certificates: boolean): View {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return TEXT_KEYS.has(key) ? hexWithText(value) : hex(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return `${value} (0x${value.toString(16)})`;
  if (typeof value === 'number') {
    return STATUS_KEYS.has(key) ? `${pkiStatusName(value)} (${value})` : value;
  }
  if (typeof value === 'string') {
    const name = OID.test(value) ? oidName(value) : undefined;
    return name ? `${name} (${value})` : value;
  }
  if (typeof value === 'boolean') return value;
  if (NAME_KEYS.has(key) && isName(value)) return nameToString(value) || '(empty name)';
  if (Array.isArray(value)) return value.map((item) => viewOf(item, key, certificates));
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (object['der'] instanceof Uint8Array && Object.keys(object).length === 1) {
      const der = object['der'];
      const summary = certificates ? describeCertificate(der) : null;
      return summary ? `certificate ${summary} (${der.length} bytes)` : `DER ${hex(der)}`;
    }
    if (typeof object['type'] === 'string' && 'value' in object && Object.keys(object).length === 2) {
      const type = object['type'];
      const inner = type === 'directoryName' ? 'directoryName' : key;
      return { [type]: viewOf(object['value'], inner, certificates || CERTIFICATE_KEYS.has(type)) };
    }
    if (typeof object['algorithm'] === 'string' && isDerValue(object['parameters'])) {
      const params = algorithmParameters(object['algorithm'], object['parameters'].der);
      if (params !== undefined) {
        return { algorithm: viewOf(object['algorithm'], 'algorithm', false), parameters: viewOf(params, 'parameters', false) };
      }
    }
    const out: Record<string, View> = {};
    for (const [k, v] of Object.entries(object)) {
      if (k === 'raw' || v === undefined) continue;
      out[k] = viewOf(v, k, certificates || CERTIFICATE_KEYS.has(k));
    }
    return out;
  }
  return String(value);
}

function isDerValue(value: unknown): value is { der: Uint8Array } {
  return typeof value === 'object' && value !== null && (value as { der?: unknown }).der instanceof Uint8Array;
}

/** Decoded parameters of the protection algorithms, for display; undefined when not known. */
function algorithmParameters(algorithm: string, der: Uint8Array): unknown {
  try {
    if (algorithm === oids.id_PasswordBasedMac) return decodePBMParameter(der);
    if (algorithm === oids.id_PBMAC1) {
      const params = decodePBMAC1Params(der);
      const kdf = params.keyDerivationFunc;
      if (kdf.algorithm === oids.id_PBKDF2 && kdf.parameters) {
        return { ...params, keyDerivationFunc: { algorithm: kdf.algorithm, parameters: decodePBKDF2Params(kdf.parameters.der) } };
      }
      return params;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The readable view of any decoded value (a genp's items, a template, ...). */
export function viewOfValue(value: unknown, key: string): View {
  return viewOf(value, key, true);
}

/** The readable view of a decoded PKIMessage (raw bytes left out). */
export function messageView(message: DecodedPKIMessage): View {
  const view: Record<string, View> = {
    bodyType: message.body.type,
    size: message.raw.message.length,
    header: viewOf(message.header, 'header', false),
    body: viewOf(message.body.content, message.body.type, CERTIFICATE_KEYS.has(message.body.type)),
  };
  if (message.protection) view['protection'] = hex(message.protection);
  if (message.extraCerts) view['extraCerts'] = viewOf(message.extraCerts, 'extraCerts', true);
  return view;
}

/** Renders a view as an indented tree, one field a line. */
export function renderTree(view: View, indent = ''): string {
  if (view === null || typeof view !== 'object') return `${String(view)}\n`;
  const lines: string[] = [];
  const entries: [string, View][] = Array.isArray(view) ? view.map((v, i) => [`[${i}]`, v]) : Object.entries(view);
  if (entries.length === 0) return `${Array.isArray(view) ? '(empty)' : '{}'}\n`;
  lines.push('\n');
  for (const [k, v] of entries) {
    if (v !== null && typeof v === 'object') lines.push(`${indent}${k}:${renderTree(v, `${indent}  `)}`);
    else lines.push(`${indent}${k}: ${String(v)}\n`);
  }
  return lines.join('');
}
