import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serve } from '../serve.js';
import { KEY_ENV, KEY_FILE_ENV, newKeyText, parseKey, SecretsStore } from './index.js';

const quiet = () => ({ write: () => true }) as unknown as NodeJS.WritableStream;
const saved = { key: process.env[KEY_ENV], file: process.env[KEY_FILE_ENV] };
let dir: string;
let home: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-serve-secrets-'));
  home = path.join(dir, 'home');
  delete process.env[KEY_ENV];
  delete process.env[KEY_FILE_ENV];
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [name, value] of [
    [KEY_ENV, saved.key],
    [KEY_FILE_ENV, saved.file],
  ] as const)
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
});

const keyFile = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text, { mode: 0o600 });
  return f;
};

describe('tidyvault serve and the secrets key', () => {
  it('starts with the key the store was written with, and lists its connections to whom they are open', async () => {
    const text = newKeyText();
    new SecretsStore(home, parseKey(text, 'k')).setPostgres(
      'pg.a',
      { host: 'h', port: 5432, database: 'd', user: 'u', sslmode: 'verify-full', serverUsers: ['*'] },
      'CANARY_PW_serve',
    );
    const s = await serve({
      host: '127.0.0.1',
      port: 0,
      home,
      secretsKeyFile: keyFile('k', text),
      logStream: quiet(),
    });
    try {
      const login = await fetch(s.loginUrl, { redirect: 'manual' });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const res = await fetch(`${s.url}/api/connections`, { headers: { cookie } });
      const body = await res.text();
      expect(res.status).toBe(200);
      expect(JSON.parse(body)).toMatchObject({
        connections: [{ name: 'pg.a', password: null, hasPassword: true }],
      });
      expect(body).not.toContain('CANARY_PW_serve');
    } finally {
      await s.close();
    }
  });

  it('refuses to start with another key, naming the problem', async () => {
    new SecretsStore(home, parseKey(newKeyText(), 'k')).setPostgres(
      'pg.a',
      { host: 'h', port: 5432, database: 'd', user: 'u', sslmode: 'verify-full', serverUsers: [] },
      'pw',
    );
    process.env[KEY_ENV] = newKeyText();
    await expect(serve({ host: '127.0.0.1', port: 0, home, logStream: quiet() })).rejects.toThrow(
      /encrypted with another secrets key .* from TIDYVAULT_SECRETS_KEY/,
    );
  });

  it('reads the OIDC client secret from the store (--oidc-client-secret-name), and refuses to start without it', async () => {
    const text = newKeyText();
    new SecretsStore(home, parseKey(text, 'k')).setValue('oidc.client', 'CANARY_OIDC_SECRET');
    const base = {
      host: '127.0.0.1',
      port: 0,
      home,
      auth: 'oidc' as const,
      oidcIssuer: 'http://127.0.0.1:9/realms/none',
      oidcClientId: 'tidyvault',
      logStream: quiet(),
    };
    const s = await serve({
      ...base,
      oidcClientSecretName: 'oidc.client',
      secretsKeyFile: keyFile('k', text),
    });
    await s.close();
    await expect(
      serve({ ...base, oidcClientSecretName: 'oidc.nope', secretsKeyFile: keyFile('k2', text) }),
    ).rejects.toThrow(/no secret value named "oidc.nope"/);
    await expect(serve({ ...base, oidcClientSecretName: 'oidc.client' })).rejects.toThrow(
      /named in the secrets store \(oidc.client\), but no secrets key was given/,
    );
  });
});
