import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, tidyvault, workdir } from './run-cli.js';

const users = (args: string[], home: string, input?: string) =>
  tidyvault(['users', ...args, '--home', home], input === undefined ? {} : { input });

describe('tidyvault users', () => {
  it('has help with examples, listed in the main help', () => {
    const r = tidyvault(['users', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: tidyvault users/);
    expect(r.stdout).toMatch(/reset-password <name> --password-stdin/);
    expect(r.stdout).toMatch(/Examples:/);
    expect(tidyvault(['--help']).stdout).toMatch(/users add\|list\|disable\|enable\|reset-password/);
    expect(tidyvault(['serve', '--help']).stdout).toMatch(/--auth <mode>/);
  });

  it('adds, lists, disables, enables and resets, in a private accounts file', () => {
    const home = path.join(workdir(), 'home');
    expect(users(['list'], home).stdout).toMatch(/No accounts in .*users\.json/);
    const add = users(['add', 'Alice', '--admin', '--password-stdin'], home, 'alice password\n');
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/Added alice \(admin\)/);
    expect(users(['add', 'bob', '--password-stdin'], home, 'bob password').code).toBe(0);
    expect(fs.statSync(home).mode & 0o777).toBe(0o700);
    const file = path.join(home, 'users.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const stored = fs.readFileSync(file, 'utf8');
    expect(stored).not.toContain('alice password');
    // The trailing newline of `echo` is not part of the password.
    expect(JSON.parse(stored).users[0].passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const list = users(['list'], home);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+ROLE\s+STATUS/);
    expect(list.stdout).toMatch(/\nalice\s+admin\s+active/);
    expect(list.stdout).toMatch(/\nbob\s+member\s+active/);

    expect(users(['disable', 'bob'], home).stdout).toMatch(/Disabled bob/);
    const json = JSON.parse(users(['list', '--json'], home).stdout);
    expect(json.users.map((u: { name: string; disabled: boolean }) => [u.name, u.disabled])).toEqual([
      ['alice', false],
      ['bob', true],
    ]);
    expect(JSON.stringify(json)).not.toContain('argon2');
    expect(users(['enable', 'bob'], home).code).toBe(0);
    const reset = users(['reset-password', 'bob', '--password-stdin'], home, 'a new password\n');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/New password set for bob/);

    // $TIDYVAULT_HOME without --home.
    const viaEnv = tidyvault(['users', 'list'], { env: { TIDYVAULT_HOME: home } });
    expect(viaEnv.stdout).toMatch(/alice/);
  });

  it('refuses with exit 1 and a clear message: taken, unknown, bad name, short password', () => {
    const home = path.join(workdir(), 'home');
    users(['add', 'carol', '--password-stdin'], home, 'carol password');
    const cases: [string[], string | undefined, RegExp][] = [
      [['add', 'carol', '--password-stdin'], 'another password', /a user named "carol" already exists/],
      [['add', 'dan', '--password-stdin'], 'short', /at least 8 characters/],
      [['add', 'dan', '--password-stdin'], '', /standard input held no password/],
      [['add', 'no spaces', '--password-stdin'], 'long enough', /not a valid username/],
      [['disable', 'nobody'], undefined, /there is no user named "nobody"/],
      [['reset-password', 'nobody', '--password-stdin'], 'long enough', /there is no user named "nobody"/],
    ];
    for (const [args, input, message] of cases) {
      const r = users(args, home, input);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/^tidyvault users /);
    }
    fs.chmodSync(path.join(home, 'users.json'), 0o644);
    const exposed = users(['list'], home);
    expect(exposed.code).toBe(1);
    expect(exposed.stderr).toMatch(/readable by other users .* chmod 600/);
  });

  it('adds a viewer, a member or an administrator with --role, and lists the role', () => {
    const home = path.join(workdir(), 'home');
    for (const [name, args] of [
      ['vera', ['--role', 'viewer']],
      ['mo', ['--role', 'member']],
      ['ada', ['--role', 'admin', '--admin']],
    ] as const) {
      const r = users(['add', name, ...args, '--password-stdin'], home, `${name} password here`);
      expect(r.code, r.stderr).toBe(0);
    }
    const list = users(['list'], home).stdout;
    expect(list).toMatch(/\nvera\s+viewer\s+active/);
    expect(list).toMatch(/\nmo\s+member\s+active/);
    expect(list).toMatch(/\nada\s+admin\s+active/);
    const json = JSON.parse(users(['list', '--json'], home).stdout);
    expect(json.users.map((u: { role: string }) => u.role)).toEqual(['viewer', 'member', 'admin']);
    expect(tidyvault(['users', '--help']).stdout).toMatch(/--role <role>/);
  });

  it('refuses bad usage with exit 2', () => {
    const home = path.join(workdir(), 'home');
    const cases: [string[], RegExp][] = [
      [[], /missing the subcommand/],
      [['remove', 'x'], /unknown subcommand "remove"/],
      [['add'], /add needs the user's name/],
      [['add', 'x', 'y', '--password-stdin'], /unexpected argument "y"/],
      [['add', 'x'], /pass --password-stdin/],
      [['list', '--admin'], /--admin does not apply to list/],
      [['disable', 'x', '--password-stdin'], /--password-stdin does not apply to disable/],
      [['add', 'x', '--password', 'secret'], /Unknown option '--password'/],
      [['add', 'x', '--role', 'owner', '--password-stdin'], /--role must be one of admin, member, viewer/],
      [['add', 'x', '--role', 'viewer', '--admin', '--password-stdin'], /--admin and --role viewer disagree/],
      [['list', '--role', 'viewer'], /--role does not apply to list/],
    ];
    for (const [args, message] of cases) {
      const r = users(args, home, 'long enough password');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(fs.existsSync(path.join(home, 'users.json'))).toBe(false);
  });
});

describe('tidyvault serve --auth local', () => {
  it('prints a setup token, takes the first administrator, and obeys the CLI while running', async () => {
    const home = path.join(workdir(), 'home');
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--auth', 'local', '--port', '0', '--memory-limit', '256MB', '--threads', '1'],
      { env: { ...process.env, TIDYVAULT_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const [base, token] = await new Promise<[string, string]>((resolve, reject) => {
        child.stdout.on('data', (c) => {
          out += c;
          const m = /Create the first one at (http:\/\/127\.0\.0\.1:\d+)\/\n[^\n]*\n\n\s+([\w-]{43})\n/.exec(
            out,
          );
          if (m) resolve([m[1]!, m[2]!]);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out} ${err}`)));
      });
      expect(out).not.toMatch(/auth\/token/);
      const post = (url: string, body: object, cookie?: string) =>
        fetch(`${base}${url}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
          body: JSON.stringify(body),
        });
      const me = (cookie: string) => fetch(`${base}/api/auth/me`, { headers: { cookie } });
      const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;

      expect((await fetch(`${base}/auth/token?token=x`)).status).toBe(404);
      const setup = await post('/api/auth/setup', { token, username: 'root', password: 'root password' });
      expect(setup.status).toBe(201);
      const root = cookieOf(setup);
      expect(await (await me(root)).json()).toMatchObject({ user: 'root', role: 'admin' });
      expect((await post('/api/auth/setup', { token, username: 'x', password: 'x password' })).status).toBe(
        401,
      );

      // Accounts made and changed by the CLI while the server runs.
      const add = users(['add', 'bob', '--password-stdin'], home, 'bob password\n');
      expect(add.code, add.stderr).toBe(0);
      const login = await post('/api/auth/login', { username: 'bob', password: 'bob password' });
      expect(login.status).toBe(200);
      const bob = cookieOf(login);
      expect((await me(bob)).status).toBe(200);
      expect(users(['disable', 'bob'], home).code).toBe(0);
      expect((await me(bob)).status).toBe(401);
      expect((await post('/api/auth/login', { username: 'bob', password: 'bob password' })).status).toBe(401);

      expect(users(['reset-password', 'root', '--password-stdin'], home, 'root new password').code).toBe(0);
      expect((await me(root)).status).toBe(401);
      expect(
        (await post('/api/auth/login', { username: 'root', password: 'root new password' })).status,
      ).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // Tokens and passwords are on stdout for the operator only, never in the logs.
    expect(err).not.toMatch(/password/);
    expect(err).toContain('"op":"auth.login"');
  });

  it('prints no setup token once an administrator exists', async () => {
    const home = path.join(workdir(), 'home');
    users(['add', 'admin', '--admin', '--password-stdin'], home, 'admin password');
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--auth', 'local', '--port', '0', '--threads', '1'],
      {
        env: { ...process.env, TIDYVAULT_HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        const m = /sign in at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m && /Press Ctrl\+C/.test(out)) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    expect(await (await fetch(`${base}/api/auth/mode`)).json()).toEqual({ mode: 'local', setup: false });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(/Local accounts: sign in at http:\/\/127\.0\.0\.1:\d+\//);
    expect(out).not.toMatch(/setup token|auth\/token/);
  });
});
