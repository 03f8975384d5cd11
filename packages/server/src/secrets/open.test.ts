import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY_ENV, newKeyText, parseKey, SecretsStore } from './index.js';
import { openSecrets } from './open.js';

let dir: string;
let home: string;
const saved = process.env[KEY_ENV];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-open-secrets-'));
  home = path.join(dir, 'home');
  delete process.env[KEY_ENV];
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env[KEY_ENV];
  else process.env[KEY_ENV] = saved;
});

const keyFile = (name: string, text = newKeyText()) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text, { mode: 0o600 });
  return f;
};

describe('the server opens its secrets store at start', () => {
  it('without a key: no store (no connections)', () => {
    expect(openSecrets(home)).toBeUndefined();
  });

  it('with the key the store was written with (file or environment): the store', () => {
    const text = newKeyText();
    new SecretsStore(home, parseKey(text, 'k')).setPostgres(
      'pg.a',
      { host: 'h', port: 5432, database: 'd', user: 'u', sslmode: 'verify-full', serverUsers: [] },
      'pw',
    );
    expect(openSecrets(home, keyFile('k', text))!.postgres('pg.a').password).toBe('pw');
    process.env[KEY_ENV] = text;
    expect(openSecrets(home)!.list()).toHaveLength(1);
  });

  it('refuses to start with another key, a weak key, or a key kept in the data folder', () => {
    new SecretsStore(home, parseKey(newKeyText(), 'k')).setPostgres(
      'pg.a',
      { host: 'h', port: 5432, database: 'd', user: 'u', sslmode: 'verify-full', serverUsers: [] },
      'pw',
    );
    expect(() => openSecrets(home, keyFile('other'))).toThrow(/encrypted with another secrets key/);
    expect(() => openSecrets(home, keyFile('weak', Buffer.alloc(32, 7).toString('base64')))).toThrow(/weak/);
    const inside = path.join(home, 'key');
    fs.writeFileSync(inside, newKeyText(), { mode: 0o600 });
    expect(() => openSecrets(home, inside)).toThrow(/inside the data folder/);
  });
});
