import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Accounts, AccountsError } from './accounts.js';
import { verifyPassword } from './passwords.js';

const tmpHome = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-accounts-test-')), 'home');

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof AccountsError ? e.code : `other: ${(e as Error).message}`;
  }
  return undefined;
};
const asyncCode = async (f: () => Promise<unknown>): Promise<string | undefined> => {
  try {
    await f();
  } catch (e) {
    return e instanceof AccountsError ? e.code : `other: ${(e as Error).message}`;
  }
  return undefined;
};

describe('local accounts file', () => {
  it('starts empty, with no default account', () => {
    const a = new Accounts(tmpHome());
    expect(a.list()).toEqual([]);
    expect(a.hasAdmin()).toBe(false);
    expect(fs.existsSync(a.file)).toBe(false);
  });

  it('stores accounts 0600 in a 0700 home, with an argon2id hash and never the password', async () => {
    const home = tmpHome();
    const a = new Accounts(home);
    const alice = await a.add('Alice', 'alice password', 'admin');
    expect(alice).toMatchObject({ name: 'alice', role: 'admin', disabled: false, generation: 1 });
    expect(fs.statSync(home).mode & 0o777).toBe(0o700);
    expect(fs.statSync(a.file).mode & 0o777).toBe(0o600);
    const body = fs.readFileSync(a.file, 'utf8');
    expect(body).not.toContain('alice password');
    expect(JSON.parse(body).users[0].passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(a.get('alice')!.passwordHash, 'alice password')).toBe(true);
    expect(a.hasAdmin()).toBe(true);
    // No temporary file or lock is left beside it.
    expect(fs.readdirSync(home)).toEqual(['users.json']);
  });

  it('refuses bad names, short passwords and duplicates, with clear codes', async () => {
    const a = new Accounts(tmpHome());
    await a.add('bob', 'bob password', 'member');
    expect(await asyncCode(() => a.add('bob', 'another one', 'member'))).toBe('USER_EXISTS');
    expect(await asyncCode(() => a.add('BOB', 'another one', 'member'))).toBe('USER_EXISTS');
    expect(await asyncCode(() => a.add('bad name', 'long enough', 'member'))).toBe('BAD_USERNAME');
    expect(await asyncCode(() => a.add('', 'long enough', 'member'))).toBe('BAD_USERNAME');
    expect(await asyncCode(() => a.add('x'.repeat(65), 'long enough', 'member'))).toBe('BAD_USERNAME');
    expect(await asyncCode(() => a.add('carol', 'short', 'member'))).toBe('BAD_PASSWORD');
    expect(await asyncCode(() => a.resetPassword('nobody', 'long enough'))).toBe('NO_SUCH_USER');
    expect(code(() => a.disable('nobody'))).toBe('NO_SUCH_USER');
    expect(a.list().map((u) => u.name)).toEqual(['bob']);
  });

  it('raises the generation on a password change and on disable, not on enable', async () => {
    const a = new Accounts(tmpHome());
    await a.add('dave', 'first password', 'member');
    const before = a.get('dave')!.passwordHash;
    expect((await a.resetPassword('dave', 'second password')).generation).toBe(2);
    expect(a.get('dave')!.passwordHash).not.toBe(before);
    expect(await verifyPassword(a.get('dave')!.passwordHash, 'second password')).toBe(true);
    expect(a.disable('dave')).toMatchObject({ disabled: true, generation: 3 });
    expect(a.disable('dave').generation).toBe(3);
    expect(a.enable('dave')).toMatchObject({ disabled: false, generation: 3 });
  });

  it('sees changes made by another process at the next read', async () => {
    const home = tmpHome();
    const server = new Accounts(home);
    const cli = new Accounts(home);
    await cli.add('erin', 'erin password', 'member');
    expect(server.get('erin')?.disabled).toBe(false);
    cli.disable('erin');
    expect(server.get('erin')?.disabled).toBe(true);
  });

  it('refuses an accounts file others can read, or one that is not an accounts file', async () => {
    const a = new Accounts(tmpHome());
    await a.add('frank', 'frank password', 'member');
    fs.chmodSync(a.file, 0o644);
    expect(code(() => new Accounts(a.home).list())).toBe('ACCOUNTS_FILE');
    expect(() => new Accounts(a.home).list()).toThrow(/readable by other users/);
    fs.chmodSync(a.file, 0o600);
    fs.writeFileSync(a.file, '{"version":1,"users":[{"name":"x"}]}');
    expect(() => new Accounts(a.home).list()).toThrow(/users\.json: not an accounts file \(users\.0\./);
    fs.writeFileSync(a.file, '{');
    expect(() => new Accounts(a.home).list()).toThrow(/not valid JSON/);
  });

  it('waits for the lock, and takes over one left by a dead process', async () => {
    const a = new Accounts(tmpHome());
    await a.add('gina', 'gina password', 'member');
    const lock = `${a.file}.lock`;
    // A pid that has exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout;
    fs.writeFileSync(lock, String(dead));
    expect(a.disable('gina').disabled).toBe(true);
    expect(fs.existsSync(lock)).toBe(false);
    // A live holder (this process) that never lets go: refused after the wait, named.
    fs.writeFileSync(lock, String(process.pid));
    const started = Date.now();
    expect(code(() => a.enable('gina'))).toBe('ACCOUNTS_LOCKED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
    fs.rmSync(lock);
    expect(a.enable('gina').disabled).toBe(false);
  }, 15_000);

  it('keeps concurrent writers from losing each other’s changes', async () => {
    const home = tmpHome();
    const seed = new Accounts(home);
    for (let w = 0; w < 4; w++) await seed.add(`w${w}`, 'writer password', 'member');
    // Each writer process flips its own account 40 times; the others rewrite the same file.
    const script = `
      import { Accounts } from ${JSON.stringify(new URL('../../dist/auth/accounts.js', import.meta.url).pathname)};
      const a = new Accounts(process.argv[1]);
      for (let i = 0; i < 40; i++) { a.disable(process.argv[2]); a.enable(process.argv[2]); }
    `;
    const { spawn } = await import('node:child_process');
    const children = Array.from(
      { length: 4 },
      (_, w) =>
        new Promise<number | null>((resolve) =>
          spawn(process.execPath, ['--input-type=module', '-e', script, home, `w${w}`], {
            stdio: 'inherit',
          }).once('exit', resolve),
        ),
    );
    expect(await Promise.all(children)).toEqual([0, 0, 0, 0]);
    // Every disable of every writer counted: a lost update would leave a lower generation.
    const after = new Accounts(home).list();
    expect(after.map((u) => [u.name, u.generation, u.disabled])).toEqual(
      [0, 1, 2, 3].map((w) => [`w${w}`, 41, false]),
    );
  }, 30_000);
});
