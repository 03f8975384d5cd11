import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tidyvault, workdir, type CliResult } from './run-cli.js';

const CANARY = 'CANARY_PW_1d9f04be';

/** A fresh data folder and two key files beside it (never inside it). */
function setup() {
  const dir = workdir();
  const home = path.join(dir, 'home');
  const key = path.join(dir, 'secrets.key');
  const other = path.join(dir, 'other.key');
  expect(tidyvault(['secrets', 'new-key', '--out', key, '--home', home]).code).toBe(0);
  expect(tidyvault(['secrets', 'new-key', '--out', other, '--home', home]).code).toBe(0);
  return { dir, home, key, other };
}

const secrets = (args: string[], home: string, key: string | undefined, input?: string): CliResult =>
  tidyvault(['secrets', ...args, '--home', home], {
    env: { TIDYVAULT_SECRETS_KEY: '', TIDYVAULT_SECRETS_KEY_FILE: key ?? '' },
    ...(input === undefined ? {} : { input }),
  });

const all = (...rs: CliResult[]) => rs.map((r) => r.stdout + r.stderr).join('\n');

const SALES = ['--host', 'db.internal', '--database', 'sales', '--user', 'reader'];

describe('tidyvault secrets', () => {
  it('has help with examples, listed in the main help', () => {
    const r = tidyvault(['secrets', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: tidyvault secrets/);
    expect(r.stdout).toMatch(/rotate-key --new-key-file/);
    expect(r.stdout).toMatch(/Examples:/);
    expect(tidyvault(['--help']).stdout).toMatch(/secrets new-key\|set\|set-value\|list\|delete\|rotate-key/);
    expect(tidyvault(['clean', '--help']).stdout).toMatch(/--from-postgres <name>/);
  });

  it('new-key: 32 random bytes in base64 in a new 0600 file, never inside the data folder', () => {
    const { home, key } = setup();
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    expect(Buffer.from(fs.readFileSync(key, 'utf8').trim(), 'base64')).toHaveLength(32);
    const printed = tidyvault(['secrets', 'new-key']);
    expect(printed.stdout.trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(printed.stdout).not.toBe(tidyvault(['secrets', 'new-key']).stdout);
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    const inside = tidyvault(['secrets', 'new-key', '--out', path.join(home, 'k'), '--home', home]);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toContain('inside the data folder');
    expect(fs.existsSync(path.join(home, 'k'))).toBe(false);
    const again = tidyvault(['secrets', 'new-key', '--out', key, '--home', home]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; a key file is never overwritten/);
  });

  it('set and list: the password is encrypted at rest and never printed', () => {
    const { home, key } = setup();
    const set = secrets(['set', 'pg.sales', ...SALES, '--password-stdin'], home, key, CANARY + '\n');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toMatch(
      /saved pg\.sales: postgres reader@db\.internal:5432\/sales, sslmode verify-full, password stored \(encrypted\), CLI only/,
    );
    const file = path.join(home, 'secrets.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const stored = fs.readFileSync(file, 'utf8');
    expect(stored).not.toContain(CANARY);
    expect(stored).not.toContain(fs.readFileSync(key, 'utf8').trim());
    // Listing needs no key.
    const list = secrets(['list'], home, undefined);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+KIND\s+HOST\s+PORT\s+DATABASE\s+USER\s+SSLMODE\s+CA FILE\s+SECRET/);
    expect(list.stdout).toMatch(
      /\npg\.sales\s+postgres\s+db\.internal\s+5432\s+sales\s+reader\s+verify-full\s+\(system CAs\)\s+stored/,
    );
    const json = JSON.parse(secrets(['list', '--json'], home, undefined).stdout);
    expect(json.connections[0]).toMatchObject({
      name: 'pg.sales',
      hasPassword: true,
      sslmode: 'verify-full',
    });
    expect(all(set, list)).not.toContain(CANARY);
    expect(JSON.stringify(json)).not.toContain(CANARY);
  });

  it('refuses without a key, with a weak key, or with another key, saying why', () => {
    const { home, key, other } = setup();
    const none = secrets(['set', 'pg.sales', ...SALES, '--password-stdin'], home, undefined, CANARY);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no secrets key: pass --secrets-key-file/);
    const weak = tidyvault(['secrets', 'set', 'pg.sales', ...SALES, '--password-stdin', '--home', home], {
      env: { TIDYVAULT_SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'), TIDYVAULT_SECRETS_KEY_FILE: '' },
      input: CANARY,
    });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/TIDYVAULT_SECRETS_KEY: this secrets key is weak/);
    const short = tidyvault(['secrets', 'set', 'pg.sales', ...SALES, '--password-stdin', '--home', home], {
      env: { TIDYVAULT_SECRETS_KEY: 'c2hvcnQ=', TIDYVAULT_SECRETS_KEY_FILE: '' },
      input: CANARY,
    });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/must be 32 random bytes in base64.*too short/);
    expect(secrets(['set', 'pg.sales', ...SALES, '--password-stdin'], home, key, CANARY).code).toBe(0);
    const wrong = secrets(['set', 'pg.sales', '--port', '6543'], home, other);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/encrypted with another secrets key \(id [0-9a-f]{16}\)/);
    fs.chmodSync(key, 0o644);
    const exposed = secrets(['set', 'pg.sales', '--port', '6543'], home, key);
    expect(exposed.code).toBe(2);
    expect(exposed.stderr).toContain('chmod 600');
    expect(all(none, weak, short, wrong, exposed)).not.toContain(CANARY);
  });

  it('refuses sslmodes that do not verify the server, naming why', () => {
    const { home, key } = setup();
    const r = secrets(['set', 'pg.sales', ...SALES, '--sslmode', 'require'], home, key);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sslmode require is not offered: .*man in the middle/);
    const d = secrets(['set', 'pg.local', ...SALES, '--sslmode', 'disable'], home, key);
    expect(d.code).toBe(0);
    expect(d.stderr).toMatch(/warning: pg\.local has sslmode=disable/);
  });

  it('a record altered in the file (ciphertexts swapped) fails to decrypt', () => {
    const { home, key } = setup();
    expect(secrets(['set', 'pg.a', ...SALES, '--password-stdin'], home, key, 'password of a').code).toBe(0);
    expect(secrets(['set', 'pg.b', ...SALES, '--password-stdin'], home, key, CANARY).code).toBe(0);
    const file = path.join(home, 'secrets.json');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    [doc.records[0].secrets.password, doc.records[1].secrets.password] = [
      doc.records[1].secrets.password,
      doc.records[0].secrets.password,
    ];
    fs.writeFileSync(file, JSON.stringify(doc));
    // Changing a setting keeps the password, so it must decrypt it first.
    const r = secrets(['set', 'pg.a', '--port', '6543'], home, key);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the password of pg\.a does not decrypt: the secrets file was altered/);
    expect(r.stderr).not.toContain(CANARY);
  });

  it('rotate-key: re-encrypts everything; the old key then opens nothing, the new one does', () => {
    const { home, key, other } = setup();
    expect(secrets(['set', 'pg.a', ...SALES, '--password-stdin'], home, key, CANARY).code).toBe(0);
    expect(secrets(['set', 'pg.b', ...SALES], home, key).code).toBe(0);
    const before = fs.readFileSync(path.join(home, 'secrets.json'), 'utf8');
    const r = secrets(['rotate-key', '--new-key-file', other], home, key);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/re-encrypted 1 secret with the key in .*other\.key/);
    expect(r.stderr).toMatch(/destroy the old key/);
    const after = fs.readFileSync(path.join(home, 'secrets.json'), 'utf8');
    expect(JSON.parse(after).records[0].secrets.password.data).not.toBe(
      JSON.parse(before).records[0].secrets.password.data,
    );
    const old = secrets(['set', 'pg.a', '--port', '6543'], home, key);
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(/encrypted with another secrets key/);
    const fresh = secrets(['set', 'pg.a', '--port', '6543'], home, other);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).toMatch(/password stored \(encrypted\)/);
    expect(all(r, old, fresh)).not.toContain(CANARY);
  });

  it('delete forgets a connection; an unknown one is an error', () => {
    const { home, key } = setup();
    expect(secrets(['set', 'pg.a', ...SALES], home, key).code).toBe(0);
    expect(secrets(['delete', 'pg.a'], home, undefined).code).toBe(0);
    const again = secrets(['delete', 'pg.a'], home, undefined);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no connection or value named "pg\.a"/);
  });

  it('checks the subcommand and its options', () => {
    const { home, key } = setup();
    expect(secrets(['nope'], home, key).code).toBe(2);
    expect(secrets(['list', '--host', 'x'], home, key).stderr).toMatch(/--host does not apply to list/);
    const missing = secrets(['set', 'pg.a', '--host', 'h'], home, key);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/a new connection needs --database/);
  });

  it('set-value keeps a server key (the OIDC client secret) encrypted, listed without its value, rotated with the rest', () => {
    const { home, key, other } = setup();
    const noStdin = secrets(['set-value', 'oidc.client'], home, key);
    expect(noStdin.code).toBe(2);
    expect(noStdin.stderr).toMatch(/pass --value-stdin/);
    const set = secrets(['set-value', 'oidc.client', '--value-stdin'], home, key, CANARY + '\n');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toMatch(/saved oidc\.client: a secret value \(encrypted\)/);
    expect(fs.readFileSync(path.join(home, 'secrets.json'), 'utf8')).not.toContain(CANARY);
    const list = secrets(['list'], home, undefined);
    expect(list.stdout).toMatch(/\noidc\.client\s+value\s+stored/);
    const json = JSON.parse(secrets(['list', '--json'], home, undefined).stdout);
    expect(json.values).toEqual([expect.objectContaining({ name: 'oidc.client', kind: 'value' })]);
    const rotate = secrets(['rotate-key', '--new-key-file', other], home, key);
    expect(rotate.stderr).toMatch(/re-encrypted 1 secret /);
    expect(all(set, list, rotate)).not.toContain(CANARY);
    expect(JSON.stringify(json)).not.toContain(CANARY);
  });
});
