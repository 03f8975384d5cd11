import { createDecipheriv } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KEEP_PASSWORD,
  KEY_ENV,
  KEY_FILE_ENV,
  newKeyText,
  parseKey,
  resolveKey,
  SecretsError,
  SecretsStore,
  type PostgresSettings,
} from './index.js';
import { readClientSecret } from '../auth/oidc/client-secret.js';
import { seal, type Sealed } from './envelope.js';

const CANARY = 'CANARY_PW_7f3e9a1c';

const settings = (o: Partial<PostgresSettings> = {}): PostgresSettings => ({
  host: 'db.internal',
  port: 5432,
  database: 'sales',
  user: 'reader',
  sslmode: 'verify-full',
  caFile: '/etc/tidyvault/ca.pem',
  serverUsers: [],
  ...o,
});

let dir: string;
let home: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-secrets-'));
  home = path.join(dir, 'home');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const keyA = parseKey(newKeyText(), 'key A');
const keyB = parseKey(newKeyText(), 'key B');

type Doc = {
  keyId: string;
  records: {
    name: string;
    settings: PostgresSettings;
    secrets: { password?: { kid: string; dek: string; data: string } };
  }[];
};
const readDoc = (s: SecretsStore) => JSON.parse(fs.readFileSync(s.file, 'utf8')) as Doc;
const writeDoc = (s: SecretsStore, d: Doc) => fs.writeFileSync(s.file, JSON.stringify(d));

function failure(work: () => unknown): SecretsError {
  try {
    work();
  } catch (e) {
    expect(e).toBeInstanceOf(SecretsError);
    return e as SecretsError;
  }
  throw new Error('expected a refusal');
}

describe('secrets store: a password at rest', () => {
  it('is encrypted: neither it, its base64 or hex, nor the key is in the file; file 0600 in a 0700 folder', () => {
    const s = new SecretsStore(home, keyA);
    s.setPostgres('pg.sales', settings(), CANARY);
    const raw = fs.readFileSync(s.file);
    const text = raw.toString('utf8');
    for (const form of [CANARY, Buffer.from(CANARY).toString('base64'), Buffer.from(CANARY).toString('hex')])
      expect(text).not.toContain(form);
    expect(raw.includes(Buffer.from(CANARY))).toBe(false);
    expect(text).not.toContain(keyA.bytes.toString('base64'));
    expect(fs.statSync(s.file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(home).mode & 0o777).toBe(0o700);
    // Settings that are not secret stay readable; no temporary or lock file is left behind.
    expect(text).toContain('db.internal');
    expect(fs.readdirSync(home)).toEqual(['secrets.json']);
  });

  it('decrypts with the key it was written with, and lists only whether there is a password', () => {
    const s = new SecretsStore(home, keyA);
    s.setPostgres('pg.sales', settings(), CANARY);
    s.setPostgres('pg.nopass', settings({ user: 'certuser' }), undefined);
    expect(s.postgres('pg.sales').password).toBe(CANARY);
    expect(s.postgres('pg.nopass').password).toBeUndefined();
    const listed = new SecretsStore(home).list();
    expect(listed.map((c) => [c.name, c.hasPassword])).toEqual([
      ['pg.nopass', false],
      ['pg.sales', true],
    ]);
    expect(JSON.stringify(listed)).not.toContain(CANARY);
  });

  it('refuses another key with a clear error, and the cipher refuses it even when the key ids are forged', () => {
    new SecretsStore(home, keyA).setPostgres('pg.sales', settings(), CANARY);
    const wrong = new SecretsStore(home, keyB);
    const e = failure(() => wrong.postgres('pg.sales'));
    expect(e.reason).toBe('WRONG_KEY');
    expect(e.message).toMatch(/encrypted with another secrets key \(id [0-9a-f]{16}\).*key B/);
    // Forge the ids so only AES-GCM stands between key B and the password.
    const d = readDoc(wrong);
    d.keyId = keyB.id;
    d.records[0]!.secrets.password!.kid = keyB.id;
    writeDoc(wrong, d);
    expect(failure(() => wrong.postgres('pg.sales')).reason).toBe('TAMPERED');
    // Nor can key B overwrite a store written with key A.
    const fresh = path.join(dir, 'other');
    new SecretsStore(fresh, keyA).setPostgres('pg.a', settings(), 'x');
    expect(failure(() => new SecretsStore(fresh, keyB).setPostgres('pg.b', settings(), 'y')).reason).toBe(
      'WRONG_KEY',
    );
  });

  it('fails authentication when two records swap ciphertexts (the name and field are bound in)', () => {
    const s = new SecretsStore(home, keyA);
    s.setPostgres('pg.a', settings(), 'password-of-a');
    s.setPostgres('pg.b', settings(), CANARY);
    const d = readDoc(s);
    const [a, b] = d.records;
    [a!.secrets.password, b!.secrets.password] = [b!.secrets.password, a!.secrets.password];
    writeDoc(s, d);
    const e = failure(() => s.postgres('pg.a'));
    expect(e.reason).toBe('TAMPERED');
    expect(e.message).toContain('the password of pg.a does not decrypt');
    expect(failure(() => s.postgres('pg.b')).reason).toBe('TAMPERED');
  });

  it('fails authentication when a setting is changed without the key (a password cannot be sent to another host)', () => {
    const s = new SecretsStore(home, keyA);
    s.setPostgres('pg.sales', settings(), CANARY);
    for (const change of [
      { host: 'attacker.example' },
      { sslmode: 'disable' as const },
      { caFile: '/tmp/evil-ca.pem' },
      { serverUsers: ['*'] },
    ]) {
      const d = readDoc(s);
      const saved = structuredClone(d);
      Object.assign(d.records[0]!.settings, change);
      writeDoc(s, d);
      expect(failure(() => s.postgres('pg.sales')).reason).toBe('TAMPERED');
      writeDoc(s, saved);
    }
    expect(s.postgres('pg.sales').password).toBe(CANARY);
  });

  it('keeps the password when the settings change through the store (KEEP_PASSWORD)', () => {
    const s = new SecretsStore(home, keyA);
    s.setPostgres('pg.sales', settings(), CANARY);
    s.setPostgres('pg.sales', settings({ host: 'db2.internal' }), KEEP_PASSWORD);
    expect(s.postgres('pg.sales')).toMatchObject({ settings: { host: 'db2.internal' }, password: CANARY });
  });

  it('rotate-key: every secret re-encrypted with fresh data keys; the new key works, the old one does not', () => {
    const s = new SecretsStore(home, keyA);
    s.setPostgres('pg.a', settings(), 'password-of-a');
    s.setPostgres('pg.b', settings(), CANARY);
    s.setPostgres('pg.c', settings(), undefined);
    const before = readDoc(s);
    expect(s.rotate(keyB)).toBe(2);
    const after = readDoc(s);
    expect(after.keyId).toBe(keyB.id);
    for (const i of [0, 1]) {
      expect(after.records[i]!.secrets.password!.dek).not.toBe(before.records[i]!.secrets.password!.dek);
      expect(after.records[i]!.secrets.password!.data).not.toBe(before.records[i]!.secrets.password!.data);
    }
    const withNew = new SecretsStore(home, keyB);
    expect(withNew.postgres('pg.b').password).toBe(CANARY);
    expect(withNew.postgres('pg.a').password).toBe('password-of-a');
    expect(failure(() => s.postgres('pg.b')).reason).toBe('WRONG_KEY');
    // The old key with forged ids: the cipher refuses it too.
    const d = readDoc(s);
    d.keyId = keyA.id;
    for (const r of d.records) if (r.secrets.password) r.secrets.password.kid = keyA.id;
    writeDoc(s, d);
    expect(failure(() => s.postgres('pg.b')).reason).toBe('TAMPERED');
  });

  it('gives every value a fresh data key and fresh IVs, even the same plaintext twice; no data key is the operator key', () => {
    // Through the store: two records with the same password, and a value.
    const s = new SecretsStore(home, keyA);
    s.setPostgres('pg.a', settings(), CANARY);
    s.setPostgres('pg.b', settings(), CANARY);
    s.setValue('oidc.client', 'another');
    const stored = (
      JSON.parse(fs.readFileSync(s.file, 'utf8')) as {
        records: { secrets: { password?: Sealed; value?: Sealed } }[];
      }
    ).records.map((r) => (r.secrets.password ?? r.secrets.value)!);
    // Directly: the same plaintext under the same AAD three times, and another plaintext.
    const aad = Buffer.from('test record\u0000password');
    const direct = [
      seal(keyA, CANARY, aad),
      seal(keyA, CANARY, aad),
      seal(keyA, CANARY, aad),
      seal(keyA, 'x', aad),
    ];
    for (const [label, all] of [
      ['stored', stored],
      ['sealed', direct],
    ] as const) {
      expect(all, label).toHaveLength(label === 'stored' ? 3 : 4);
      const distinct = (f: (x: Sealed) => string, what: string) =>
        expect(new Set(all.map(f)).size, `${label}: ${what}`).toBe(all.length);
      distinct((x) => x.iv, 'value IVs');
      distinct((x) => x.data + x.tag, 'value ciphertexts');
      distinct((x) => x.dek, 'wrapped data keys');
      distinct(
        (x) => Buffer.from(x.dek, 'base64').subarray(0, 12).toString('hex'),
        'IVs of the wrapped data keys',
      );
      for (const x of all) {
        expect(Buffer.from(x.iv, 'base64').equals(Buffer.alloc(12)), `${label}: a zero IV`).toBe(false);
        expect(x.dek, label).not.toContain(keyA.bytes.toString('base64'));
      }
    }
    // Unwrap the data keys with the operator key: each is 32 fresh bytes, none is the operator key.
    const unwrap = (x: Sealed): Buffer => {
      const w = Buffer.from(x.dek, 'base64');
      const d = createDecipheriv('aes-256-gcm', keyA.bytes, w.subarray(0, 12), { authTagLength: 16 });
      d.setAAD(Buffer.concat([aad, Buffer.from('\u0000tidyvault-dek')]));
      d.setAuthTag(w.subarray(w.length - 16));
      return Buffer.concat([d.update(w.subarray(12, w.length - 16)), d.final()]);
    };
    const deks = direct.map(unwrap);
    for (const [i, dek] of deks.entries()) {
      expect(dek).toHaveLength(32);
      expect(dek.equals(keyA.bytes), 'a data key equal to the operator key').toBe(false);
      // The unwrapped key is the one the value was sealed with (so the check above is on the real key).
      const x = direct[i]!;
      const d = createDecipheriv('aes-256-gcm', dek, Buffer.from(x.iv, 'base64'), { authTagLength: 16 });
      d.setAAD(aad);
      d.setAuthTag(Buffer.from(x.tag, 'base64'));
      const plain = Buffer.concat([d.update(Buffer.from(x.data, 'base64')), d.final()]).toString('utf8');
      expect(plain).toBe(i < 3 ? CANARY : 'x');
    }
    expect(new Set(deks.map((k) => k.toString('hex'))).size, 'distinct data keys').toBe(direct.length);
  });

  it('rotate-key refuses the key in use as the new one', () => {
    const s = new SecretsStore(home, keyA);
    s.setPostgres('pg.a', settings(), 'x');
    expect(failure(() => s.rotate(parseKey(keyA.bytes.toString('base64'), 'same'))).reason).toBe('BAD_KEY');
  });

  it('needs the key to read or write a secret, not to list or delete', () => {
    new SecretsStore(home, keyA).setPostgres('pg.a', settings(), 'x');
    const keyless = new SecretsStore(home);
    expect(failure(() => keyless.postgres('pg.a')).reason).toBe('NO_KEY');
    expect(failure(() => keyless.setPostgres('pg.b', settings(), 'y')).reason).toBe('NO_KEY');
    expect(keyless.delete('pg.a')).toBe(true);
    expect(keyless.delete('pg.a')).toBe(false);
    expect(keyless.list()).toEqual([]);
  });

  it('refuses bad names and settings, and an exposed store file', () => {
    const s = new SecretsStore(home, keyA);
    expect(failure(() => s.setPostgres('PG Sales', settings(), 'x')).reason).toBe('BAD_SETTING');
    expect(failure(() => s.setPostgres('pg.a', settings({ port: 0 }), 'x')).reason).toBe('BAD_SETTING');
    s.setPostgres('pg.a', settings(), 'x');
    fs.chmodSync(s.file, 0o644);
    expect(failure(() => s.list()).message).toContain('run chmod 600');
  });
});

describe('secrets key', () => {
  it('refuses short, hex, weak and malformed keys, naming where the key came from and not the key', () => {
    const cases: [string, RegExp][] = [
      ['c2hvcnQ=', /too short/],
      ['00'.repeat(32), /looks like hex/],
      [Buffer.alloc(32).toString('base64'), /weak/],
      [Buffer.from('ab'.repeat(16)).toString('base64'), /weak/],
      ['correct horse battery staple correct horse b', /not 44 characters of base64/],
    ];
    for (const [text, why] of cases) {
      const e = failure(() => parseKey(text, KEY_ENV));
      expect(e.reason).toBe('BAD_KEY');
      expect(e.message).toMatch(why);
      expect(e.message).toContain(KEY_ENV);
      expect(e.message).not.toContain(text);
    }
  });

  it('never shows its bytes when printed or serialised', () => {
    const text = newKeyText();
    const key = parseKey(text, 'k');
    for (const shown of [inspect(key), JSON.stringify({ key }), String(key), `${key}`])
      expect(shown).not.toContain(text);
  });

  it('comes from the flag, else the key file variable, else the key variable', () => {
    fs.mkdirSync(home, { mode: 0o700 });
    const file = path.join(dir, 'kek');
    fs.writeFileSync(file, keyA.bytes.toString('base64') + '\n', { mode: 0o600 });
    const env = { [KEY_ENV]: keyB.bytes.toString('base64'), [KEY_FILE_ENV]: file };
    expect(resolveKey({ env: {} })).toBeUndefined();
    expect(resolveKey({ env: { [KEY_ENV]: env[KEY_ENV] } })!.id).toBe(keyB.id);
    expect(resolveKey({ env })!.id).toBe(keyA.id);
    const other = path.join(dir, 'kek2');
    fs.writeFileSync(other, keyB.bytes.toString('base64'), { mode: 0o600 });
    expect(resolveKey({ env, keyFile: other })!.id).toBe(keyB.id);
  });

  it('refuses a key file others can read, or one kept inside the data folder', () => {
    fs.mkdirSync(home, { mode: 0o700 });
    const open = path.join(dir, 'kek');
    fs.writeFileSync(open, newKeyText(), { mode: 0o644 });
    fs.chmodSync(open, 0o644);
    expect(failure(() => resolveKey({ keyFile: open, home })).message).toContain('chmod 600');
    const beside = path.join(home, 'kek');
    fs.writeFileSync(beside, newKeyText(), { mode: 0o600 });
    expect(failure(() => resolveKey({ keyFile: beside, home })).message).toContain('inside the data folder');
  });
});

describe('secrets store: secret values (server keys)', () => {
  it('keeps a value encrypted, bound to its name, re-encrypted by rotate-key', () => {
    const s = new SecretsStore(home, keyA);
    s.setValue('oidc.client', CANARY);
    s.setValue('other.value', 'another');
    s.setPostgres('pg.a', settings(), 'pw');
    expect(fs.readFileSync(s.file, 'utf8')).not.toContain(CANARY);
    expect(s.value('oidc.client')).toBe(CANARY);
    expect(new SecretsStore(home).list().map((r) => [r.name, r.kind])).toEqual([
      ['oidc.client', 'value'],
      ['other.value', 'value'],
      ['pg.a', 'postgres'],
    ]);
    // A value is not a connection, nor the reverse.
    expect(failure(() => s.postgres('oidc.client')).reason).toBe('NO_SUCH_SECRET');
    expect(failure(() => s.value('pg.a')).reason).toBe('NO_SUCH_SECRET');
    expect(failure(() => s.setPostgres('oidc.client', settings(), 'x')).reason).toBe('BAD_SETTING');
    // Swapped between two values: refused.
    const d = JSON.parse(fs.readFileSync(s.file, 'utf8')) as {
      records: { name: string; secrets: { value?: unknown } }[];
    };
    const [v1, v2] = d.records;
    const saved = structuredClone(d);
    [v1!.secrets.value, v2!.secrets.value] = [v2!.secrets.value, v1!.secrets.value];
    fs.writeFileSync(s.file, JSON.stringify(d));
    expect(failure(() => s.value('oidc.client')).reason).toBe('TAMPERED');
    fs.writeFileSync(s.file, JSON.stringify(saved));
    expect(s.rotate(keyB)).toBe(3);
    expect(new SecretsStore(home, keyB).value('oidc.client')).toBe(CANARY);
    expect(failure(() => s.value('oidc.client')).reason).toBe('WRONG_KEY');
  });
});

describe('the OIDC client secret from the store', () => {
  it('is handed on as a SecretValue that never prints', () => {
    const s = new SecretsStore(home, keyA);
    s.setValue('oidc.client', CANARY);
    const v = readClientSecret({ kind: 'store', name: 'oidc.client', store: s });
    expect(v.reveal()).toBe(CANARY);
    expect(`${v} ${JSON.stringify(v)} ${inspect(v)}`).not.toContain(CANARY);
  });
});
