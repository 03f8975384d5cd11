import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveSettings, settingsHelp } from '../../settings.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-oidc-settings-'));
const base = { auth: 'oidc', 'oidc-issuer': 'https://login.example.com/realms/main', 'oidc-client-id': 'tv' };

describe('serve settings for single sign-on (auth oidc)', () => {
  it('takes flag > environment > config file for each oidc setting', () => {
    const home = tmp();
    fs.writeFileSync(
      path.join(home, 'config.json'),
      JSON.stringify({
        auth: 'oidc',
        oidcIssuer: 'https://config.example.com',
        oidcClientId: 'from-config',
        oidcScopes: ['openid', 'email'],
        oidcAdminSubjects: ['a', 'b'],
      }),
    );
    const env = {
      TIDYVAULT_HOME: home,
      TIDYVAULT_OIDC_CLIENT_ID: 'from-env',
      TIDYVAULT_OIDC_ADMIN_SUBJECTS: 'c,d',
    };
    const r = resolveSettings(
      { 'oidc-issuer': 'https://flag.example.com', 'oidc-admin-subject': ['e'] },
      env,
    );
    expect(r.options).toMatchObject({
      auth: 'oidc',
      oidcIssuer: 'https://flag.example.com',
      oidcClientId: 'from-env',
      oidcScopes: ['openid', 'email'],
      oidcAdminSubjects: ['e'],
    });
    expect(r.sources).toMatchObject({
      oidcIssuer: 'flag',
      oidcClientId: 'environment',
      oidcScopes: 'config',
    });
    expect(resolveSettings({}, env).options.oidcAdminSubjects).toEqual(['c', 'd']);
    expect(
      resolveSettings({}, { ...env, TIDYVAULT_OIDC_SCOPES: 'openid profile' }).options.oidcScopes,
    ).toEqual(['openid', 'profile']);
  });

  it('takes the client secret from TIDYVAULT_OIDC_CLIENT_SECRET without ever printing it', () => {
    const home = tmp();
    const r = resolveSettings(base, {
      TIDYVAULT_HOME: home,
      TIDYVAULT_OIDC_CLIENT_SECRET: 'canary-secret-42',
    });
    expect(r.options.oidcClientSecret?.reveal()).toBe('canary-secret-42');
    expect(JSON.stringify(r)).not.toContain('canary-secret-42');
    expect(inspect(r, { depth: 10 })).not.toContain('canary-secret-42');
    // It is not a setting of the table: no flag, no config key can carry it.
    expect(settingsHelp()).not.toMatch(/--oidc-client-secret /);
    expect(() =>
      resolveSettings(
        { ...base, 'oidc-client-secret-file': 'x' },
        { TIDYVAULT_HOME: home, TIDYVAULT_OIDC_CLIENT_SECRET: 's' },
      ),
    ).toThrow(/TIDYVAULT_OIDC_CLIENT_SECRET and oidc-client-secret-file is set too/);
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ oidcClientSecret: 's' }));
    expect(() => resolveSettings(base, { TIDYVAULT_HOME: home })).toThrow(/unknown key "oidcClientSecret"/);
  });

  it('refuses what cannot work or would be unsafe, naming the setting', () => {
    const home = tmp();
    const env = { TIDYVAULT_HOME: home };
    expect(() => resolveSettings({ auth: 'oidc', 'oidc-issuer': 'https://x.example' }, env)).toThrow(
      /auth 'oidc' needs oidc-client-id/,
    );
    expect(() => resolveSettings({ ...base, 'oidc-issuer': 'http://login.example.com' }, env)).toThrow(
      /--oidc-issuer: must be https \(plain http only for a provider on this machine\)/,
    );
    expect(resolveSettings({ ...base, 'oidc-issuer': 'http://127.0.0.1:9000' }, env).options.oidcIssuer).toBe(
      'http://127.0.0.1:9000',
    );
    expect(() =>
      resolveSettings({ ...base, 'oidc-redirect-url': 'https://tidy.example.org/elsewhere' }, env),
    ).toThrow(/--oidc-redirect-url: must be this server's address followed by \/auth\/oidc\/callback/);
    expect(() => resolveSettings({ ...base, 'oidc-scopes': 'email,profile' }, env)).toThrow(
      /--oidc-scopes: must include 'openid'/,
    );
    // Beyond loopback or behind a proxy, the address people use must be given.
    expect(() => resolveSettings({ ...base, host: '0.0.0.0', 'trust-proxy': '10.0.0.1' }, env)).toThrow(
      /needs oidc-redirect-url/,
    );
    expect(() => resolveSettings({ ...base, 'trust-proxy': '127.0.0.1' }, env)).toThrow(
      /needs oidc-redirect-url/,
    );
    expect(
      resolveSettings(
        {
          ...base,
          host: '0.0.0.0',
          'trust-proxy': '10.0.0.1',
          'oidc-redirect-url': 'https://tidy.example.org/auth/oidc/callback',
        },
        env,
      ).options.oidcRedirectUrl,
    ).toBe('https://tidy.example.org/auth/oidc/callback');
  });
});
