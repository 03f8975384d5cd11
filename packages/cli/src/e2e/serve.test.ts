import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSize, serveSettings, whereDataLives } from '../commands/serve.js';
import { CLI, tidyvault, workdir } from './run-cli.js';

describe('tidyvault serve', () => {
  it('has help with examples', () => {
    const r = tidyvault(['serve', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: tidyvault serve/);
    expect(r.stdout).toMatch(/--tls-cert/);
    expect(r.stdout).toMatch(/Examples:/);
    expect(tidyvault(['--help']).stdout).toMatch(/serve \[--host 127\.0\.0\.1\] \[--port 5177\]/);
  });

  it('refuses a non-loopback address without TLS (usage error, exit 2)', () => {
    const home = path.join(workdir(), 'home');
    const r = tidyvault(['serve', '--host', '0.0.0.0', '--port', '0'], { env: { TIDYVAULT_HOME: home } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without TLS/);
    expect(fs.existsSync(home)).toBe(false);
  });

  it('refuses --local-only with a setting it cannot apply, naming it (usage error, exit 2)', () => {
    const r = tidyvault(['serve', '--local-only', '--auth', 'local', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--local-only serves only the workbench's files .*: --auth does not apply; only --host, --port and --config do/,
    );
  });

  it('says in its start line where data is held: memory only, or where it may spill', () => {
    expect(whereDataLives(undefined)).toBe("data held in this process's memory only");
    expect(whereDataLives('/srv/spill')).toBe(
      "data held in this process's memory; when memory runs short, DuckDB may write blocks of it, unencrypted, to /srv/spill (--spill-dir)",
    );
  });

  it('reads flags over environment over defaults', () => {
    const none = { positionals: [], values: {} };
    expect(serveSettings(none, {})).toMatchObject({ host: '127.0.0.1', port: 5177 });
    expect(serveSettings(none, { TIDYVAULT_PORT: '6000', TIDYVAULT_HOME: '/x' })).toMatchObject({
      port: 6000,
      home: '/x',
    });
    expect(
      serveSettings({ positionals: [], values: { port: '7000' } }, { TIDYVAULT_PORT: '6000' }).port,
    ).toBe(7000);
    expect(parseSize('500MB', '--max-upload')).toBe(500 * 2 ** 20);
    expect(() => parseSize('lots', '--max-upload')).toThrow(/size such as/);
  });

  it('prints a one-time login link, serves, and stops cleanly on SIGTERM', async () => {
    const home = path.join(workdir(), 'home');
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--port', '0', '--memory-limit', '256MB', '--threads', '1'],
      {
        env: { ...process.env, TIDYVAULT_HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    const link = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/auth\/token\?token=[\w-]+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    const first = await fetch(link, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(401);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(fs.statSync(home).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(home, 'server.key')).mode & 0o777).toBe(0o600);
    // The token is on stdout for the user, never in the logs.
    const token = new URL(link).searchParams.get('token')!;
    expect(err).not.toContain(token);
    expect(err).toContain('"op":"http"');
  });
});
