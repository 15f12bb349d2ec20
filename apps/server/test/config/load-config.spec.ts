import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oids } from '@cmpkit/codec';
import { ConfigError } from '../../src/config/config-error.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/load-config.js';
import { buildCatalog } from '../../src/config/profile-catalog.js';
import { tempDir } from '../helpers.js';

function writeConfig(dir: string, value: unknown): string {
  const file = join(dir, 'server.json');
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

describe('loadConfig', () => {
  it('gives the embedded defaults without a file, with absolute paths', async () => {
    const config = await loadConfig({ cwd: '/srv/x' });
    const data = '/srv/x/.cmpkit-server';
    expect(config).toEqual({
      ...DEFAULT_CONFIG,
      dataDir: data,
      database: `${data}/cmpkit-server.sqlite`,
      ca: {
        ...DEFAULT_CONFIG.ca,
        certificate: `${data}/issuing-ca.pem`,
        key: `${data}/issuing-ca.key.pem`,
        chain: `${data}/root-ca.pem`,
        cmpCertificate: `${data}/cmp-server.pem`,
        cmpKey: `${data}/cmp-server.key.pem`,
      },
    });
    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 8080,
      path: '/.well-known/cmp',
      maxMessageBytes: 1048576,
      corsOrigins: [],
      tls: false,
    });
    expect(config.initialSecret).toEqual({ reference: 'demo', secret: 'demo-secret-change-me' });
    expect(Object.keys(config.profiles)).toEqual(['device', 'pqDevice', 'tlsServer', 'tlsClient', 'approval', 'delayed']);
  });

  it('merges a file over the defaults; its relative dataDir is relative to the file', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, {
      dataDir: 'state',
      http: { port: 9000 },
      policy: { allowMacRevocation: true },
      profiles: { delayed: null, sensors: { base: 'tlsClient', validityDays: 90 } },
      defaultProfile: 'sensors',
      initialSecret: null,
    });
    const config = await loadConfig({ cwd: '/elsewhere', configFile: file });
    expect(config.dataDir).toBe(join(dir, 'state'));
    expect(config.http).toEqual({ ...DEFAULT_CONFIG.http, port: 9000 });
    expect(config.policy).toEqual({ ...DEFAULT_CONFIG.policy, allowMacRevocation: true });
    expect(Object.keys(config.profiles)).toEqual(['device', 'pqDevice', 'tlsServer', 'tlsClient', 'approval', 'sensors']);
    expect(config.defaultProfile).toBe('sensors');
    expect(config.initialSecret).toBeNull();
  });

  it('lets command-line options win over the file', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, { dataDir: 'state', http: { port: 9000, host: '127.0.0.2' } });
    const config = await loadConfig({ cwd: '/work', configFile: file, dataDir: 'mine', port: 0, host: '::1' });
    expect(config.dataDir).toBe('/work/mine');
    expect(config.http.port).toBe(0);
    expect(config.http.host).toBe('::1');
  });

  it('takes TCP and WebSocket listeners from the file, off/on the HTTP port by default, and --tcp-port/--ws-port over it', async () => {
    const defaults = await loadConfig({ cwd: '/work' });
    expect(defaults.tcp).toEqual({ port: null, host: '127.0.0.1', idleTimeoutSeconds: 3600, tls: false });
    expect(defaults.ws).toEqual({ enabled: true, port: null, host: '127.0.0.1', path: '/.well-known/cmp', tls: false });
    const file = writeConfig(tempDir(), { tcp: { port: 1829 }, ws: { enabled: false, path: '/cmp' }, announcementFlushSeconds: 0.5 });
    const fromFile = await loadConfig({ cwd: '/work', configFile: file });
    expect(fromFile.tcp).toEqual({ port: 1829, host: '127.0.0.1', idleTimeoutSeconds: 3600, tls: false });
    expect(fromFile.ws).toEqual({ enabled: false, port: null, host: '127.0.0.1', path: '/cmp', tls: false });
    expect(fromFile.announcementFlushSeconds).toBe(0.5);
    const flags = await loadConfig({ cwd: '/work', configFile: file, tcpPort: 0, wsPort: 8081 });
    expect(flags.tcp.port).toBe(0);
    expect(flags.ws).toMatchObject({ enabled: true, port: 8081 });
  });

  it.each([
    [{ htp: {} }, 'unknown setting config.htp'],
    [{ tcp: { port: 70000 } }, 'tcp.port must be null or an integer from 0 to 65535'],
    [{ ws: { port: '8081' } }, 'config.ws.port must be a number'],
    [{ ws: { path: 'cmp' } }, "ws.path must start with '/'"],
    [{ tcp: { idleTimeoutSeconds: 0 } }, 'tcp.idleTimeoutSeconds must be positive'],
    [{ announcementFlushSeconds: 0 }, 'announcementFlushSeconds must be positive'],
    [{ http: { port: '80' } }, 'config.http.port must be a number'],
    [{ http: { port: 70000 } }, 'http.port must be an integer from 0 to 65535'],
    [{ http: { path: 'cmp' } }, "http.path must start with '/'"],
    [{ http: { corsOrigins: 'http://app.example' } }, 'config.http.corsOrigins must be a list of strings'],
    [
      { http: { corsOrigins: ['http://app.example/page'] } },
      'http.corsOrigins: not an origin (scheme://host[:port]): http://app.example/page',
    ],
    [{ http: { corsOrigins: ['*', 'http://app.example'] } }, 'http.corsOrigins: "*" stands alone'],
    [{ profiles: { x: { validityDay: 3 } } }, 'unknown setting config.profiles.x.validityDay'],
    [{ defaultProfile: 'nope' }, 'defaultProfile "nope" is not among the profiles'],
    [{ ca: { keyAlgorithm: 'dsa:1024' } }, 'ca.keyAlgorithm must be one of'],
    [{ logLevel: 'loud' }, 'logLevel must be one of'],
    [{ responseMac: 'HMAC' }, "responseMac must be 'request', 'PasswordBasedMac' or 'PBMAC1'"],
    [{ durability: 'fast' }, "durability must be 'full' or 'normal'"],
    [{ profiles: { 'a/b': {} } }, 'must be one URL path segment'],
    [[], 'config must be an object'],
  ])('refuses %j', async (value, message) => {
    const file = writeConfig(tempDir(), value);
    const error = await loadConfig({ cwd: '/', configFile: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
  });

  it('resolves externalAnchors relative to the file: file names (ir) and { file, requests }', async () => {
    const dir = tempDir();
    const config = await loadConfig({
      cwd: '/elsewhere',
      configFile: writeConfig(dir, { externalAnchors: ['mfg/root.pem', { file: '/abs/other.pem', requests: ['cr', 'rr'] }] }),
    });
    expect(config.externalAnchors).toEqual([join(dir, 'mfg/root.pem'), { file: '/abs/other.pem', requests: ['cr', 'rr'] }]);
    await expect(loadConfig({ cwd: dir, configFile: writeConfig(dir, { externalAnchors: 'root.pem' }) })).rejects.toThrow(
      /config\.externalAnchors must be a list/,
    );
    await expect(
      loadConfig({ cwd: dir, configFile: writeConfig(dir, { externalAnchors: [{ file: 'a.pem', requests: ['ir', 'certConf'] }] }) }),
    ).rejects.toThrow(/config\.externalAnchors\[0\]\.requests: 'certConf' is not one of ir, cr, kur, p10cr, rr, genm/);
    await expect(
      loadConfig({ cwd: dir, configFile: writeConfig(dir, { externalAnchors: [{ file: 'a.pem', requests: [] }] }) }),
    ).rejects.toThrow(/must name at least one request type/);
  });

  it('--tls turns TLS on for every listener; the TLS files are relative to the configuration file', async () => {
    const dir = tempDir();
    const config = await loadConfig({
      cwd: '/elsewhere',
      configFile: writeConfig(dir, { tls: { certificate: 'tls/cert.pem', key: 'tls/key.pem', clientCertificates: 'optional' } }),
      tls: true,
    });
    expect([config.http.tls, config.tcp.tls, config.ws.tls]).toEqual([true, true, true]);
    expect(config.tls).toMatchObject({
      certificate: join(dir, 'tls/cert.pem'),
      key: join(dir, 'tls/key.pem'),
      clientCertificates: 'optional',
    });
    await expect(loadConfig({ cwd: dir, configFile: writeConfig(dir, { tls: { clientCertificates: 'sometimes' } }) })).rejects.toThrow(
      "tls.clientCertificates must be 'none', 'optional' or 'required'",
    );
    await expect(
      loadConfig({ cwd: dir, configFile: writeConfig(dir, { tls: { validityDays: 10, renewBeforeDays: 10 } }) }),
    ).rejects.toThrow('tls.renewBeforeDays must be less than tls.validityDays');
  });

  it('resolves the CA material files against dataDir and keeps pkcs11: URIs', async () => {
    const dir = tempDir();
    const config = await loadConfig({
      cwd: dir,
      configFile: writeConfig(dir, {
        dataDir: 'data',
        ca: { certificate: '/etc/pki/ca.pem', key: 'pkcs11:token=ca;object=issuing', chain: 'root.pem', cmpCredential: 'ca' },
        pkcs11: { module: 'lib/softhsm.so', pin: 'env:HSM_PIN' },
      }),
    });
    expect(config.ca).toMatchObject({
      certificate: '/etc/pki/ca.pem',
      key: 'pkcs11:token=ca;object=issuing',
      chain: join(dir, 'data', 'root.pem'),
      cmpCredential: 'ca',
      cmpCertificate: join(dir, 'data', 'cmp-server.pem'),
      cmpKey: join(dir, 'data', 'cmp-server.key.pem'),
    });
    expect(config.pkcs11).toEqual({ module: join(dir, 'lib/softhsm.so'), pin: 'env:HSM_PIN' });
    await expect(loadConfig({ cwd: dir, configFile: writeConfig(dir, { ca: { cmpCredential: 'own' } }) })).rejects.toThrow(
      /ca\.cmpCredential must be 'separate' or 'ca'/,
    );
    await expect(loadConfig({ cwd: dir, configFile: writeConfig(dir, { pkcs11: { pin: '1234' } }) })).rejects.toThrow(
      /pkcs11\.pin must be pass:TEXT, env:VAR or file:PATH/,
    );
  });

  it('takes MAC bounds per algorithm over the library defaults, and refuses inconsistent ones', async () => {
    const dir = tempDir();
    const config = await loadConfig({
      cwd: dir,
      configFile: writeConfig(dir, { macBounds: { PBMAC1: { maxIterations: 600000 } }, policy: { allowKeyReuseOnUpdate: true } }),
    });
    expect(config.macBounds).toEqual({ PBMAC1: { maxIterations: 600000 }, PasswordBasedMac: {} });
    expect(config.policy.allowKeyReuseOnUpdate).toBe(true);
    for (const [value, message] of [
      [{ PBMAC1: { maxIterations: 500 } }, /minIterations 1000 is above maxIterations 500/],
      [{ PasswordBasedMac: { minSaltLength: 2.5 } }, /whole number/],
      [{ PBMAC1: { minIterations: 0 } }, /at least 1/],
      [{ PBMAC1: { rounds: 5 } }, /unknown setting config.macBounds.PBMAC1.rounds/],
      [{ HMAC: {} }, /unknown setting config.macBounds.HMAC/],
    ] as const) {
      await expect(loadConfig({ cwd: dir, configFile: writeConfig(dir, { macBounds: value }) })).rejects.toThrow(message);
    }
  });

  it('names the file when it is not JSON or missing', async () => {
    const dir = tempDir();
    await expect(loadConfig({ cwd: dir, configFile: writeConfig(dir, '{ nope') })).rejects.toThrow(/server\.json is not valid JSON/);
    await expect(loadConfig({ cwd: dir, configFile: 'missing.json' })).rejects.toThrow(/cannot read .*missing\.json/);
  });
});

describe('buildCatalog', () => {
  it('builds the default profiles over their bases', () => {
    const catalog = buildCatalog(DEFAULT_CONFIG);
    expect(catalog.defaultProfile).toBe('device');
    expect(catalog.profiles.get('tlsServer')?.profile.extendedKeyUsage).toEqual([oids.id_kp_serverAuth]);
    expect(catalog.profiles.get('approval')?.profile).toMatchObject({ name: 'approval', requireApproval: true, validityDays: 730 });
    expect(catalog.profiles.get('delayed')?.profile.issueDelay).toEqual({ polls: 2 });
  });

  it('reads subjects, EKU names and overrides', () => {
    const catalog = buildCatalog({
      defaultProfile: 'x',
      profiles: {
        x: {
          base: 'tlsClient',
          subject: '/CN=fallback',
          subjectTemplate: '/O=Example',
          extendedKeyUsage: ['clientAuth', '1.2.3.4'],
          keyAlgorithms: ['ec:P-384'],
        },
      },
    });
    const entry = catalog.profiles.get('x')!;
    expect(entry.profile.extendedKeyUsage).toEqual([oids.id_kp_clientAuth, '1.2.3.4']);
    expect(entry.profile.keyAlgorithms).toEqual(['ec:P-384']);
    expect(entry.profile.subject).toHaveLength(1);
    expect(entry.subjectTemplate).toHaveLength(1);
  });

  it('reports an inconsistent profile as a configuration error naming it', () => {
    expect(() => buildCatalog({ defaultProfile: 'x', profiles: { x: { keyAlgorithms: ['rsa:abc'] } } })).toThrow(
      /profiles\.x: profile "x": unknown key algorithm/,
    );
    expect(() => buildCatalog({ defaultProfile: 'x', profiles: { x: { base: 'nope' } } })).toThrow(/profiles\.x\.base must be one of/);
    expect(() => buildCatalog({ defaultProfile: 'x', profiles: { x: { subject: 'CN=x' } } })).toThrow(ConfigError);
  });
});
