import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  postgresUnavailable,
  startTestPostgres,
  type TestPostgres,
} from '@tidyvault/server/postgres-testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, screenshot, signInWithPassword } from './browser.js';
import { serveWith } from './local-server.js';

/**
 * The workbench with a PostgreSQL connection its operator set up (`tidyvault secrets set
 * --server-users`): a real PostgreSQL from Debian over TLS verify-full, a real server, Chromium.
 */

const CLI = path.join(import.meta.dirname, '..', 'packages', 'cli', 'dist', 'main.js');
const PASSWORD = 'pg-password-canary-5d1e';
const skip = postgresUnavailable();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-e2e-pg-'));
const home = path.join(dir, 'home');
const key = path.join(dir, 'secrets.key');
const env = { TIDYVAULT_HOME: home, TIDYVAULT_SECRETS_KEY_FILE: key };

function cli(args: string[], input?: string): void {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`tidyvault ${args[0]} ${args[1]}: ${r.stderr}`);
}

let pg: TestPostgres;
let srv: Awaited<ReturnType<typeof serveWith>>;
let browser: Browser;

describe.skipIf(skip !== undefined)('the web workbench with a PostgreSQL connection', () => {
  beforeAll(async () => {
    fs.mkdirSync(home, { mode: 0o700 });
    pg = await startTestPostgres({ password: PASSWORD });
    await pg.sql(
      "CREATE TABLE public.people AS SELECT * FROM (VALUES (1, ' Ann '), (2, 'Bob'), (3, NULL)) AS t(id, name)",
    );
    cli(['secrets', 'new-key', '--out', key]);
    cli(['users', 'add', 'alice', '--password-stdin'], 'alice correct horse');
    cli(
      [
        'secrets',
        'set',
        'pg.shop',
        '--host',
        'localhost',
        '--port',
        String(pg.port),
        '--database',
        'postgres',
        '--user',
        pg.user,
        '--ca-file',
        pg.certs.caFile,
        '--server-users',
        'alice',
        '--password-stdin',
      ],
      PASSWORD + '\n',
    );
    srv = await serveWith(['--auth', 'local', '--secrets-key-file', key], { TIDYVAULT_HOME: home });
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    await pg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports a table, cleans it and writes it to a new table', async () => {
    const { page, rec } = await signInWithPassword(browser, srv.origin, 'alice', 'alice correct horse');
    const form = page.getByTestId('database-import');
    await form.getByLabel('Table', { exact: true }).fill('public.people');
    await screenshot(page, 'postgres-01-import');
    await form.getByRole('button', { name: 'Import' }).click();
    await expect
      .poll(() => page.getByTestId('grid').getAttribute('data-rows'), { timeout: 30_000 })
      .toBe('3');
    await expect.poll(() => page.getByTestId('where').textContent()).toMatch(/On the server/);

    await page.getByRole('button', { name: 'Export…' }).click();
    const out = page.getByTestId('database-export');
    await out.getByLabel('New table').fill('public.people_clean');
    await out.getByRole('button', { name: 'Write to the new table' }).click();
    await expect
      .poll(() => out.getByTestId('database-export-done').textContent(), { timeout: 30_000 })
      .toMatch(/Wrote 3 rows and 2 columns to public\.people_clean/);
    await screenshot(page, 'postgres-02-export');
    expect(await pg.sql('SELECT id, name FROM public.people_clean ORDER BY 1')).toEqual([
      ['1', ' Ann '],
      ['2', 'Bob'],
      ['3', null],
    ]);
    // A table that exists is refused, in words.
    await out.getByRole('button', { name: 'Write to the new table' }).click();
    await expect.poll(() => out.getByRole('alert').textContent()).toMatch(/exists/);
    // The password never reaches the page.
    expect(await page.content()).not.toContain(PASSWORD);
    expect(rec.foreign()).toEqual([]);
    expect(rec.cspViolations).toEqual([]);
  });
});
