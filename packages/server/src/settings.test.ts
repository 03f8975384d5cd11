import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSettings, SETTINGS, settingsHelp } from './settings.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-settings-test-'));

function homeWith(config: unknown): string {
  const home = tmp();
  fs.writeFileSync(
    path.join(home, 'config.json'),
    typeof config === 'string' ? config : JSON.stringify(config),
  );
  return home;
}

describe('serve settings', () => {
  it('defaults to 127.0.0.1:5177 with nothing set and no config file', () => {
    const home = tmp();
    const r = resolveSettings({}, { TIDYVAULT_HOME: home });
    expect(r.options).toEqual({ home, host: '127.0.0.1', port: 5177 });
    expect(r.configFile).toBeUndefined();
  });

  it('takes a flag over the environment over the config file over the default', () => {
    const home = homeWith({ port: 6001, host: '127.0.0.3', threads: 3, maxUpload: '10MB' });
    const env = { TIDYVAULT_HOME: home, TIDYVAULT_PORT: '6002', TIDYVAULT_THREADS: '2' };
    const r = resolveSettings({ port: '6003' }, env);
    expect(r.options.port).toBe(6003);
    expect(r.sources.port).toBe('flag');
    expect(r.options.threads).toBe(2);
    expect(r.sources.threads).toBe('environment');
    expect(r.options.host).toBe('127.0.0.3');
    expect(r.options.maxUploadBytes).toBe(10 * 2 ** 20);
    expect(r.sources.host).toBe('config');
    expect(resolveSettings({}, env).options.port).toBe(6002);
    expect(resolveSettings({}, { TIDYVAULT_HOME: home }).options.port).toBe(6001);
  });

  it('reads every setting from the config file', () => {
    const spill = tmp();
    fs.chmodSync(spill, 0o700);
    const home = homeWith({
      host: '0.0.0.0',
      port: 8080,
      tlsCert: 'cert.pem',
      tlsKey: 'key.pem',
      trustProxy: ['10.0.0.1', '10.0.0.2'],
      allowedHosts: ['tidy.example.org'],
      memoryLimit: '4GB',
      threads: 2,
      maxUpload: 1000,
      maxColumns: 50,
      maxCellLength: '64KiB',
      maxUploads: 20,
      maxUploadsPerUser: 3,
      maxMemoryPerUser: '1GB',
      apiRateLimit: 0,
      datasetIdle: '30m',
      datasetMaxAge: '2h',
      spillDir: spill,
      auth: 'local',
      oidcIssuer: 'https://login.example.com/realms/main',
      oidcClientId: 'tidyvault',
      oidcClientSecretFile: 'oidc-secret',
      oidcClientSecretName: 'oidc.client',
      oidcRedirectUrl: 'https://tidy.example.org/auth/oidc/callback',
      oidcScopes: ['openid', 'email'],
      oidcProviderName: 'Example SSO',
      oidcAdminSubjects: ['248289761001'],
      secretsKeyFile: '/etc/tidyvault/secrets.key',
    });
    const { options } = resolveSettings({}, { TIDYVAULT_HOME: home });
    expect(options).toEqual({
      home,
      host: '0.0.0.0',
      port: 8080,
      tlsCert: path.join(home, 'cert.pem'),
      tlsKey: path.join(home, 'key.pem'),
      trustProxy: '10.0.0.1,10.0.0.2',
      allowedHosts: ['tidy.example.org'],
      memoryLimit: '4GB',
      threads: 2,
      maxUploadBytes: 1000,
      maxColumns: 50,
      maxCellBytes: 64 * 1024,
      maxConcurrentUploads: 20,
      maxUploadsPerUser: 3,
      maxUserBytes: 2 ** 30,
      apiRequestsPerMinute: 0,
      datasetIdleMs: 30 * 60_000,
      datasetAbsoluteMs: 2 * 3_600_000,
      spillDirectory: spill,
      auth: 'local',
      oidcIssuer: 'https://login.example.com/realms/main',
      oidcClientId: 'tidyvault',
      oidcClientSecretFile: path.join(home, 'oidc-secret'),
      oidcClientSecretName: 'oidc.client',
      oidcRedirectUrl: 'https://tidy.example.org/auth/oidc/callback',
      oidcScopes: ['openid', 'email'],
      oidcProviderName: 'Example SSO',
      oidcAdminSubjects: ['248289761001'],
      secretsKeyFile: '/etc/tidyvault/secrets.key',
    });
    // Every setting of the table was exercised above.
    expect(Object.keys(options).length).toBe(SETTINGS.length + 1);
  });

  it('refuses an unknown key or a bad value, naming the file and the key', () => {
    const unknown = homeWith({ prot: 8080 });
    expect(() => resolveSettings({}, { TIDYVAULT_HOME: unknown })).toThrow(
      new RegExp(`${path.join(unknown, 'config.json')}: unknown key "prot"`),
    );
    const badPort = homeWith({ port: 'eighty' });
    expect(() => resolveSettings({}, { TIDYVAULT_HOME: badPort })).toThrow(
      /config\.json: key "port": must be a whole number from 0 to 65535/,
    );
    const badIdle = homeWith({ datasetIdle: 30 });
    expect(() => resolveSettings({}, { TIDYVAULT_HOME: badIdle })).toThrow(
      /config\.json: key "datasetIdle": must be a duration/,
    );
    expect(() => resolveSettings({}, { TIDYVAULT_HOME: homeWith('{"port": 80,}') })).toThrow(
      /config\.json: not valid JSON/,
    );
    expect(() => resolveSettings({}, { TIDYVAULT_HOME: homeWith('[1]') })).toThrow(/must be a JSON object/);
    // A bad value that a flag overrides is not read at all.
    expect(resolveSettings({ port: '1' }, { TIDYVAULT_HOME: badPort }).options.port).toBe(1);
  });

  it('names the flag or the variable when those are wrong', () => {
    const home = tmp();
    expect(() => resolveSettings({ 'max-upload': 'lots' }, { TIDYVAULT_HOME: home })).toThrow(
      /--max-upload: must be a size such as 500MB/,
    );
    expect(() => resolveSettings({}, { TIDYVAULT_HOME: home, TIDYVAULT_MAX_COLUMNS: '0' })).toThrow(
      /TIDYVAULT_MAX_COLUMNS: must be a whole number from 1/,
    );
    expect(() => resolveSettings({ 'tls-cert': 'c.pem' }, { TIDYVAULT_HOME: home })).toThrow(
      /tls-cert and tls-key go together/,
    );
  });

  it('uses --config or TIDYVAULT_CONFIG instead of the default file, which must then exist', () => {
    const home = homeWith({ port: 1 });
    const other = path.join(tmp(), 'other.json');
    fs.writeFileSync(other, JSON.stringify({ port: 2 }));
    expect(resolveSettings({ config: other }, { TIDYVAULT_HOME: home }).options.port).toBe(2);
    expect(resolveSettings({}, { TIDYVAULT_HOME: home, TIDYVAULT_CONFIG: other }).configFile).toBe(other);
    expect(() => resolveSettings({ config: other + '.missing' }, { TIDYVAULT_HOME: home })).toThrow(
      /other\.json\.missing: cannot be read \(ENOENT\)/,
    );
  });

  it('splits lists from the environment, repeats from flags, and reads trust-proxy true', () => {
    const home = tmp();
    const env = { TIDYVAULT_HOME: home, TIDYVAULT_ALLOWED_HOSTS: 'a.example, b.example' };
    expect(resolveSettings({}, env).options.allowedHosts).toEqual(['a.example', 'b.example']);
    expect(resolveSettings({ 'allowed-host': ['c.example'] }, env).options.allowedHosts).toEqual([
      'c.example',
    ]);
    expect(resolveSettings({ 'trust-proxy': 'true' }, env).options.trustProxy).toBe(true);
  });

  it("takes auth 'single', 'local' or 'oidc' (default: unset, which serve takes as single)", () => {
    const home = tmp();
    expect(resolveSettings({}, { TIDYVAULT_HOME: home }).options.auth).toBeUndefined();
    expect(resolveSettings({ auth: 'local' }, { TIDYVAULT_HOME: home }).options.auth).toBe('local');
    expect(resolveSettings({}, { TIDYVAULT_HOME: home, TIDYVAULT_AUTH: 'single' }).options.auth).toBe(
      'single',
    );
    expect(() => resolveSettings({ auth: 'ldap' }, { TIDYVAULT_HOME: home })).toThrow(
      /--auth: must be 'single', 'local' or 'oidc'/,
    );
    expect(() => resolveSettings({}, { TIDYVAULT_HOME: home, TIDYVAULT_AUTH: 'oidc' })).toThrow(
      /auth 'oidc' needs oidc-issuer and oidc-client-id/,
    );
    expect(() => resolveSettings({}, { TIDYVAULT_HOME: homeWith({ auth: 7 }) })).toThrow(
      /config\.json: key "auth": must be a non-empty string/,
    );
  });

  it('takes a spill folder only when it is private', () => {
    const dir = tmp();
    fs.chmodSync(dir, 0o755);
    expect(() => resolveSettings({ 'spill-dir': dir }, { TIDYVAULT_HOME: tmp() })).toThrow(
      /--spill-dir: .* must be private \(chmod 700\)/,
    );
    expect(() => resolveSettings({ 'spill-dir': path.join(dir, 'nope') }, { TIDYVAULT_HOME: tmp() })).toThrow(
      /does not exist/,
    );
    fs.chmodSync(dir, 0o700);
    expect(resolveSettings({ 'spill-dir': dir }, { TIDYVAULT_HOME: tmp() }).options.spillDirectory).toBe(dir);
  });

  it('documents every setting in --help and in the README', () => {
    const help = settingsHelp();
    const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const s of SETTINGS) {
      expect(help).toContain(`--${s.flag} `);
      expect(help).toContain(s.env);
      expect(help).toContain(`"${s.config}"`);
      expect(readme).toContain(`--${s.flag}`);
      expect(readme).toContain(s.env);
      expect(readme).toContain(`\`${s.config}\``);
    }
    for (const line of help.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});
