import { Pkcs11Error } from './pkcs11-error.js';

/**
 * An RFC 7512 PKCS#11 URI, parsed: the path attributes that select a token and an object, and the
 * query attributes that say how to get there. Text values are percent-decoded UTF-8; `id` is the
 * raw CKA_ID bytes.
 *
 * ```
 * pk11-URI = "pkcs11:" pk11-path [ "?" pk11-query ]
 * ```
 * (RFC 7512 section 2.3)
 */
export interface Pkcs11Uri {
  /** CK_TOKEN_INFO label. */
  token?: string;
  /** CK_TOKEN_INFO manufacturerID. */
  manufacturer?: string;
  /** CK_TOKEN_INFO serialNumber. */
  serial?: string;
  /** CK_TOKEN_INFO model. */
  model?: string;
  /** CK_SLOT_INFO slotDescription. */
  slotDescription?: string;
  /** CK_SLOT_INFO manufacturerID. */
  slotManufacturer?: string;
  /** The CK_SLOT_ID (decimal in the URI). */
  slotId?: number;
  /** CK_INFO manufacturerID of the module. */
  libraryManufacturer?: string;
  /** CK_INFO libraryDescription of the module. */
  libraryDescription?: string;
  /** CKA_LABEL of the object. */
  object?: string;
  /** CKA_ID of the object. */
  id?: Uint8Array;
  /** CKA_CLASS of the object. */
  type?: 'public' | 'private' | 'cert' | 'secret-key' | 'data';
  /** `pin-value`: the PIN itself (RFC 7512 section 2.3: only where the URI is kept secret). */
  pinValue?: string;
  /** `pin-source`: where the PIN is read from, e.g. `file:/etc/cmpkit/pin`. */
  pinSource?: string;
  /** `module-path`: the module file to load. */
  modulePath?: string;
  /** `module-name`: the module's name without path or suffix. */
  moduleName?: string;
}

const PATH_ATTRIBUTES: Record<string, keyof Pkcs11Uri> = {
  token: 'token',
  manufacturer: 'manufacturer',
  serial: 'serial',
  model: 'model',
  'slot-description': 'slotDescription',
  'slot-manufacturer': 'slotManufacturer',
  'slot-id': 'slotId',
  'library-manufacturer': 'libraryManufacturer',
  'library-description': 'libraryDescription',
  'library-version': 'libraryDescription',
  object: 'object',
  id: 'id',
  type: 'type',
};

const QUERY_ATTRIBUTES: Record<string, keyof Pkcs11Uri> = {
  'pin-value': 'pinValue',
  'pin-source': 'pinSource',
  'module-path': 'modulePath',
  'module-name': 'moduleName',
};

const OBJECT_TYPES = new Set(['public', 'private', 'cert', 'secret-key', 'data']);

/** True when `text` is a PKCS#11 URI (starts with `pkcs11:`, in any case). */
export function isPkcs11Uri(text: string): boolean {
  return /^pkcs11:/i.test(text);
}

/**
 * Parses an RFC 7512 PKCS#11 URI. Vendor attributes (`x-...`) are ignored; any other unknown
 * attribute, a repeated attribute, a bad percent-encoding, an unknown `type` or a non-numeric
 * `slot-id` is refused (a URI we would read differently from its author must not select a key).
 *
 * @throws Pkcs11Error naming the problem (never echoing a `pin-value`).
 */
export function parsePkcs11Uri(text: string): Pkcs11Uri {
  if (!isPkcs11Uri(text)) throw new Pkcs11Error(`pkcs11: not a PKCS#11 URI (it must start with 'pkcs11:')`);
  const rest = text.slice('pkcs11:'.length);
  const queryAt = rest.indexOf('?');
  const path = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rest.slice(queryAt + 1);
  const uri: Pkcs11Uri = {};
  const seen = new Set<string>();
  const take = (part: string, separator: string, known: Record<string, keyof Pkcs11Uri>, where: string): void => {
    if (part === '') return;
    for (const item of part.split(separator)) {
      const eq = item.indexOf('=');
      if (eq <= 0) throw new Pkcs11Error(`pkcs11: '${item}' in the ${where} of a PKCS#11 URI is not name=value`);
      const name = item.slice(0, eq).toLowerCase();
      const raw = item.slice(eq + 1);
      if (name.startsWith('x-')) continue;
      const field = known[name];
      if (field === undefined) throw new Pkcs11Error(`pkcs11: unknown attribute '${name}' in the ${where} of a PKCS#11 URI`);
      if (seen.has(name)) throw new Pkcs11Error(`pkcs11: attribute '${name}' appears twice in a PKCS#11 URI`);
      seen.add(name);
      assign(uri, name, field, raw);
    }
  };
  take(path, ';', PATH_ATTRIBUTES, 'path');
  take(query, '&', QUERY_ATTRIBUTES, 'query');
  if (uri.pinValue !== undefined && uri.pinSource !== undefined) {
    throw new Pkcs11Error('pkcs11: a PKCS#11 URI may carry pin-value or pin-source, not both');
  }
  return uri;
}

function assign(uri: Pkcs11Uri, name: string, field: keyof Pkcs11Uri, raw: string): void {
  const bytes = percentDecode(raw, name);
  if (field === 'id') {
    uri.id = bytes;
    return;
  }
  let value: string;
  try {
    value = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Pkcs11Error(`pkcs11: the value of '${name}' is not UTF-8`);
  }
  if (field === 'slotId') {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new Pkcs11Error(`pkcs11: slot-id must be a decimal number`);
    uri.slotId = Number(value);
  } else if (field === 'type') {
    if (!OBJECT_TYPES.has(value)) throw new Pkcs11Error(`pkcs11: type must be one of ${[...OBJECT_TYPES].join(', ')}, not '${value}'`);
    uri.type = value as NonNullable<Pkcs11Uri['type']>;
  } else if (name === 'library-version') {
    // Accepted for compatibility; cmpkit selects modules by path, not version.
  } else {
    (uri as Record<string, unknown>)[field] = value;
  }
}

function percentDecode(raw: string, name: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25) {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Pkcs11Error(`pkcs11: bad percent-encoding in the value of '${name}'`);
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      const char = String.fromCodePoint(raw.codePointAt(i)!);
      out.push(...new TextEncoder().encode(char));
      i += char.length - 1;
    }
  }
  return Uint8Array.from(out);
}

/**
 * The URI without its `pin-value`, for messages and logs.
 */
export function redactPkcs11Uri(text: string): string {
  return text.replace(/([?&]pin-value=)[^&]*/i, '$1***');
}
