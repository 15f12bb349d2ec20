import { readFileSync } from 'node:fs';
import { Module, ObjectClass, SessionFlag, type Session, type SessionObject, type Slot } from 'graphene-pk11';
import { Crypto as P11Crypto, CryptoKey as P11CryptoKey } from 'node-webcrypto-p11';
import { tokenAwareCrypto } from './internal/token-aware-crypto.js';
import { Pkcs11Error } from './pkcs11-error.js';
import { parsePkcs11Uri, redactPkcs11Uri, type Pkcs11Uri } from './pkcs11-uri.js';

/** Construction input of {@link openPkcs11}. */
export interface Pkcs11Init {
  /** The PKCS#11 module (shared library) used when a URI has no `module-path`, e.g. `/usr/lib/softhsm/libsofthsm2.so`. */
  module?: string;
  /** The user PIN used when a URI has neither `pin-value` nor `pin-source`. */
  pin?: string;
  /** The WebCrypto for everything that is not a token key. Default: `globalThis.crypto`. */
  crypto?: Crypto;
}

/** Signature algorithms a token key is used with: the WebCrypto names cmpkit signs with. */
export type TokenKeyAlgorithm = EcKeyImportParams | RsaHashedImportParams;

/** How a token protects a key (its CKA_ attributes), the evidence that it never leaves the token. */
export interface TokenKeyProtection {
  /** CKA_SENSITIVE: the key value is never revealed in plaintext. */
  sensitive: boolean;
  /** CKA_EXTRACTABLE: the key may be wrapped out of the token. */
  extractable: boolean;
  /** CKA_ALWAYS_SENSITIVE: sensitive since it was made. */
  alwaysSensitive: boolean;
  /** CKA_NEVER_EXTRACTABLE: never extractable since it was made. */
  neverExtractable: boolean;
}

/** Keys on PKCS#11 tokens, from {@link openPkcs11}. */
export interface Pkcs11Keys {
  /**
   * A `Crypto` that signs (and exports public keys) with token keys on their token and does
   * everything else with the `crypto` of {@link Pkcs11Init}: pass it as the `crypto` option of
   * `@cmpkit/ca` and `@cmpkit/core` (or as the base of `createNodeCrypto`).
   */
  readonly crypto: Crypto;
  /**
   * The private key a PKCS#11 URI names (`object` and/or `id`, type `private` if given), as a
   * non-extractable `CryptoKey` usable for `sign` through {@link crypto}. `algorithm` says how it
   * signs (the algorithm of its certificate's public key); without it, the token's key type
   * decides (ECDSA with its curve, RSASSA-PKCS1-v1_5).
   *
   * @throws Pkcs11Error when no token or no key, or more than one key, matches, or the PIN is refused.
   */
  privateKey(uri: string, algorithm?: TokenKeyAlgorithm): Promise<CryptoKey>;
  /**
   * The public key beside the private key a URI names (same label and id): for a certification
   * request of a key that was generated on the token with other tools.
   *
   * @throws Pkcs11Error when no public key, or more than one, matches.
   */
  publicKey(uri: string, algorithm?: TokenKeyAlgorithm): Promise<CryptoKey>;
  /**
   * Generates a key pair on the token a URI names, labelled with its `object` (required) and
   * `id` (when given): the private key sensitive and non-extractable, so it never leaves the token.
   *
   * @throws Pkcs11Error when a private key with that label (and id) already exists.
   */
  generateKeyPair(uri: string, algorithm: EcKeyGenParams | RsaHashedKeyGenParams): Promise<CryptoKeyPair>;
  /** The protection attributes of a token key from this object; undefined for any other key. */
  protectionOf(key: CryptoKey): TokenKeyProtection | undefined;
  /** Logs out, closes the sessions and finalizes the modules. */
  close(): void;
}

/**
 * Loaded modules, shared by every {@link openPkcs11} of the process: PKCS#11 allows one
 * C_Initialize per module and process, and C_Finalize ends every session of it, so a module is
 * finalized only when its last user closes.
 */
const loadedModules = new Map<string, { module: Module; users: number }>();

function acquireModule(path: string, name: string | undefined): Module {
  const loaded = loadedModules.get(path);
  if (loaded) {
    loaded.users++;
    return loaded.module;
  }
  let module: Module;
  try {
    module = Module.load(path, name ?? 'pkcs11');
    module.initialize();
  } catch (cause) {
    throw new Pkcs11Error(`pkcs11: cannot load the PKCS#11 module ${path}: ${(cause as Error).message}`, { cause });
  }
  loadedModules.set(path, { module, users: 1 });
  return module;
}

function releaseModule(path: string): void {
  const loaded = loadedModules.get(path);
  if (!loaded || --loaded.users > 0) return;
  loadedModules.delete(path);
  loaded.module.finalize();
}

interface OpenToken {
  slot: Slot;
  session: Session;
  crypto: P11Crypto;
}

/**
 * Opens PKCS#11 tokens on demand: each URI is resolved to a token of its module (matching the
 * URI's token and slot attributes), a read-write session is opened and logged in with the URI's
 * PIN or {@link Pkcs11Init.pin}, and kept until {@link Pkcs11Keys.close}. Built on
 * `node-webcrypto-p11` (WebCrypto over PKCS#11) and `graphene-pk11`.
 *
 * @example
 * ```ts
 * const keys = openPkcs11({ module: '/usr/lib/softhsm/libsofthsm2.so', pin: process.env.HSM_PIN });
 * const privateKey = await keys.privateKey('pkcs11:token=ca;object=issuing-ca;type=private', { name: 'ECDSA', namedCurve: 'P-256' });
 * const ca = createCertificateAuthority({ certificate, privateKey, crypto: keys.crypto });
 * ```
 */
export function openPkcs11(init: Pkcs11Init = {}): Pkcs11Keys {
  const fallback = init.crypto ?? globalThis.crypto;
  const modules = new Map<string, Module>();
  const tokens = new Map<string, OpenToken>();
  const owners = new WeakMap<CryptoKey, OpenToken>();
  const crypto = tokenAwareCrypto(fallback, (key) => owners.get(key)?.crypto as Crypto | undefined);

  const moduleOf = (uri: Pkcs11Uri, text: string): Module => {
    const path = uri.modulePath ?? init.module;
    if (path === undefined) {
      throw new Pkcs11Error(`pkcs11: no PKCS#11 module for ${redactPkcs11Uri(text)}: give module-path in the URI or a module setting`);
    }
    let module = modules.get(path);
    if (!module) {
      module = acquireModule(path, uri.moduleName);
      modules.set(path, module);
    }
    return module;
  };

  const pinOf = (uri: Pkcs11Uri): string | undefined => {
    if (uri.pinValue !== undefined) return uri.pinValue;
    if (uri.pinSource !== undefined) {
      const file = uri.pinSource.replace(/^file:(\/\/)?/i, '');
      try {
        return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (cause) {
        throw new Pkcs11Error(`pkcs11: cannot read the pin-source ${file}: ${(cause as Error).message}`, { cause });
      }
    }
    return init.pin;
  };

  const openTokens = (text: string): OpenToken[] => {
    const uri = parsePkcs11Uri(text);
    const module = moduleOf(uri, text);
    const found: OpenToken[] = [];
    const slots = module.getSlots(true);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots.items(i);
      if (!slotMatches(slot, uri)) continue;
      const token = slot.getToken();
      const key = `${uri.modulePath ?? init.module}#${token.serialNumber.trim()}#${token.label.trim()}`;
      let open = tokens.get(key);
      if (!open) {
        const session = slot.open(SessionFlag.SERIAL_SESSION | SessionFlag.RW_SESSION);
        try {
          if (token.flags & 0x4 /* CKF_LOGIN_REQUIRED */) login(session, pinOf(uri), token.label.trim());
        } catch (error) {
          session.close();
          throw error;
        }
        open = { slot, session, crypto: new P11Crypto({ session }) };
        tokens.set(key, open);
      }
      found.push(open);
    }
    if (found.length === 0) throw new Pkcs11Error(`pkcs11: no token matches ${redactPkcs11Uri(text)}`);
    return found;
  };

  const findKeys = (text: string, kind: 'private' | 'public'): Array<{ open: OpenToken; object: SessionObject }> => {
    const uri = parsePkcs11Uri(text);
    if (kind === 'private' && uri.type !== undefined && uri.type !== 'private')
      throw new Pkcs11Error(`pkcs11: ${redactPkcs11Uri(text)} names a ${uri.type} object, not a private key`);
    if (uri.object === undefined && uri.id === undefined)
      throw new Pkcs11Error(`pkcs11: ${redactPkcs11Uri(text)} names no key: give object= and/or id=`);
    const template: Record<string, unknown> = { class: kind === 'private' ? ObjectClass.PRIVATE_KEY : ObjectClass.PUBLIC_KEY };
    if (uri.object !== undefined) template.label = uri.object;
    if (uri.id !== undefined) template.id = Buffer.from(uri.id);
    const matches: Array<{ open: OpenToken; object: SessionObject }> = [];
    for (const open of openTokens(text)) {
      const collection = open.session.find(template);
      for (let i = 0; i < collection.length; i++) matches.push({ open, object: collection.items(i) });
    }
    return matches;
  };

  const keyOf = async (text: string, kind: 'private' | 'public', algorithm: TokenKeyAlgorithm | undefined): Promise<CryptoKey> => {
    const matches = findKeys(text, kind);
    if (matches.length === 0) throw new Pkcs11Error(`pkcs11: no ${kind} key matches ${redactPkcs11Uri(text)}`);
    if (matches.length > 1)
      throw new Pkcs11Error(`pkcs11: ${matches.length} ${kind} keys match ${redactPkcs11Uri(text)}; add id= or token= to choose one`);
    const { open, object } = matches[0]!;
    const index = P11CryptoKey.getID(object.toType());
    let key: CryptoKey;
    try {
      const usages: KeyUsage[] = [kind === 'private' ? 'sign' : 'verify'];
      key = (await (algorithm === undefined
        ? open.crypto.keyStorage.getItem(index)
        : open.crypto.keyStorage.getItem(index, algorithm as never, kind === 'public', usages))) as unknown as CryptoKey;
    } catch (cause) {
      throw new Pkcs11Error(
        `pkcs11: cannot use ${redactPkcs11Uri(text)} as a ${algorithm?.name ?? 'signing'} key: ${(cause as Error).message}`,
        { cause },
      );
    }
    owners.set(key, open);
    return key;
  };

  return {
    crypto,
    privateKey: (text, algorithm) => keyOf(text, 'private', algorithm),
    publicKey: (text, algorithm) => keyOf(text, 'public', algorithm),
    async generateKeyPair(text, algorithm) {
      const uri = parsePkcs11Uri(text);
      if (uri.object === undefined) throw new Pkcs11Error(`pkcs11: ${redactPkcs11Uri(text)} needs object= to label the new key`);
      if (findKeys(text, 'private').length > 0) throw new Pkcs11Error(`pkcs11: a private key ${redactPkcs11Uri(text)} exists already`);
      const [open, ...others] = openTokens(text);
      if (others.length > 0)
        throw new Pkcs11Error(`pkcs11: ${redactPkcs11Uri(text)} matches ${others.length + 1} tokens; add token= to choose one`);
      const params = { ...algorithm, token: true, sensitive: true, label: uri.object };
      let pair: CryptoKeyPair;
      try {
        pair = (await open!.crypto.subtle.generateKey(params as EcKeyGenParams, false, ['sign', 'verify'])) as CryptoKeyPair;
      } catch (cause) {
        throw new Pkcs11Error(`pkcs11: the token cannot generate a ${algorithm.name} key: ${(cause as Error).message}`, { cause });
      }
      if (uri.id !== undefined) {
        const id = Buffer.from(uri.id);
        for (const key of [pair.privateKey, pair.publicKey]) (key as unknown as P11CryptoKey).p11Object.setAttribute({ id });
      }
      owners.set(pair.privateKey, open!);
      owners.set(pair.publicKey, open!);
      return pair;
    },
    protectionOf(key) {
      if (!owners.has(key)) return undefined;
      const attributes = (key as unknown as P11CryptoKey).p11Object.getAttribute({
        sensitive: null,
        extractable: null,
        alwaysSensitive: null,
        neverExtractable: null,
      });
      return {
        sensitive: attributes.sensitive === true,
        extractable: attributes.extractable === true,
        alwaysSensitive: attributes.alwaysSensitive === true,
        neverExtractable: attributes.neverExtractable === true,
      };
    },
    close() {
      for (const open of tokens.values()) {
        try {
          open.session.logout();
        } catch {
          // not logged in (a token without login)
        }
        open.session.close();
      }
      tokens.clear();
      for (const path of modules.keys()) releaseModule(path);
      modules.clear();
    },
  };
}

function login(session: Session, pin: string | undefined, label: string): void {
  if (pin === undefined)
    throw new Pkcs11Error(`pkcs11: the token '${label}' needs a PIN: give pin-value or pin-source in the URI, or a pin setting`);
  try {
    session.login(pin);
  } catch (cause) {
    const message = (cause as Error).message;
    if (/ALREADY_LOGGED_IN/.test(message)) return;
    if (/PIN_INCORRECT|PIN_LEN_RANGE|PIN_INVALID/.test(message))
      throw new Pkcs11Error(`pkcs11: the token '${label}' refused the PIN`, { cause });
    if (/PIN_LOCKED/.test(message)) throw new Pkcs11Error(`pkcs11: the PIN of the token '${label}' is locked`, { cause });
    throw new Pkcs11Error(`pkcs11: login to the token '${label}' failed: ${message}`, { cause });
  }
}

function slotMatches(slot: Slot, uri: Pkcs11Uri): boolean {
  const token = slot.getToken();
  const same = (wanted: string | undefined, actual: string): boolean => wanted === undefined || wanted === actual.trim();
  return (
    same(uri.token, token.label) &&
    same(uri.manufacturer, token.manufacturerID) &&
    same(uri.serial, token.serialNumber) &&
    same(uri.model, token.model) &&
    same(uri.slotDescription, slot.slotDescription) &&
    same(uri.slotManufacturer, slot.manufacturerID) &&
    (uri.slotId === undefined || Number(slot.handle.readBigUInt64LE?.(0) ?? slot.handle.readUInt32LE(0)) === uri.slotId)
  );
}
