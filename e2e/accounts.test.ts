import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserStorage, EMPTY_STORAGE, launch, screenshot, signInWithPassword } from './browser.js';
import { serveWith } from './local-server.js';

const CLI = path.join(import.meta.dirname, '..', 'packages', 'cli', 'dist', 'main.js');
const MESSY = path.join(import.meta.dirname, 'fixtures', 'messy.csv');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-e2e-accounts-'));
const env = { TIDYVAULT_HOME: home };

function addUser(name: string, password: string, admin = false): void {
  const r = spawnSync(
    process.execPath,
    [CLI, 'users', 'add', name, ...(admin ? ['--admin'] : []), '--password-stdin'],
    {
      input: password,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`users add ${name}: ${r.stderr}`);
}

let srv: Awaited<ReturnType<typeof serveWith>>;
let browser: Browser;

const signIn = (name: string, password: string) => signInWithPassword(browser, srv.origin, name, password);

describe('the web workbench with local accounts (serve --auth local)', () => {
  beforeAll(async () => {
    fs.chmodSync(home, 0o700);
    addUser('alice', 'alice correct horse', true);
    addUser('bob', 'bob battery staple');
    addUser('dora', 'dora long password');
    srv = await serveWith(['--auth', 'local'], env);
    browser = await launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('refuses a wrong password in words, then signs in and uploads to the server', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${srv.origin}/`);
    const form = page.getByTestId('sign-in');
    await form.getByLabel('User name').fill('alice');
    await form.getByLabel('Password').fill('not her password');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/./);
    await screenshot(page, 'accounts-01-refused');
    await context.close();

    const { page: alice, rec } = await signIn('alice', 'alice correct horse');
    await alice.getByTestId('file-input').setInputFiles(MESSY);
    await expect
      .poll(() => alice.getByTestId('grid').getAttribute('data-rows'), { timeout: 30_000 })
      .toBe('8');
    await expect.poll(() => alice.getByTestId('where').textContent()).toMatch(/On the server/);
    await expect.poll(() => alice.getByTestId('protection').textContent()).toMatch(/owner: alice/);
    await screenshot(alice, 'accounts-02-alice');
    expect(rec.foreign()).toEqual([]);
    expect(rec.cspViolations).toEqual([]);
  });

  it('alice shares a dataset with bob as viewer: he sees the data but cannot apply a step', async () => {
    const { page: alice } = await signIn('alice', 'alice correct horse');
    await alice.getByTestId('file-input').setInputFiles(MESSY);
    await expect
      .poll(() => alice.getByTestId('grid').getAttribute('data-rows'), { timeout: 30_000 })
      .toBe('8');
    await alice.getByTestId('share').click();
    const dialog = alice.getByTestId('share-dialog');
    await dialog.getByLabel('User name').fill('bob');
    await dialog.getByLabel('Role').selectOption('viewer');
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await expect.poll(() => dialog.getByTestId('share-list').textContent()).toMatch(/bob — viewer/);
    // Sharing with someone who has no account says so.
    await dialog.getByLabel('User name').fill('nobody');
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await expect
      .poll(() => dialog.getByRole('alert').textContent())
      .toMatch(/no active account named "nobody"/);
    await screenshot(alice, 'accounts-03-share-dialog');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => alice.getByTestId('shared-with').textContent()).toMatch(/bob \(viewer\)/);

    const { page: bob, rec } = await signIn('bob', 'bob battery staple');
    const list = bob.getByTestId('dataset-list');
    await expect
      .poll(() => list.getByTestId('shared-by').first().textContent())
      .toMatch(/shared by alice; you are a viewer/);
    expect(await list.getByRole('button', { name: /Delete/ }).count()).toBe(0);
    await list.getByRole('button', { name: 'Open' }).first().click();
    await expect.poll(() => bob.getByTestId('grid').getAttribute('data-rows'), { timeout: 30_000 }).toBe('8');
    // Why he cannot change it, in words; the step controls are off.
    await expect
      .poll(() => bob.getByTestId('read-only-banner').textContent())
      .toMatch(/Shared with you by alice to view only/);
    expect(await bob.getByRole('button', { name: 'Undo', exact: true }).isDisabled()).toBe(true);
    expect(await bob.getByTestId('share').count()).toBe(0);
    await bob.getByTestId('column-picker').selectOption({ index: 1 });
    await expect.poll(() => bob.locator('.notice').first().textContent()).toMatch(/view only/);
    expect(await bob.getByRole('button', { name: /^Trim/ }).count()).toBe(0);
    // His facets filter what he sees, with no step to record: no keep, remove or edit.
    await bob.getByRole('button', { name: 'Text facet' }).click();
    const facet = bob.getByTestId('facets').locator('.facet').first();
    await facet.locator('button.value').first().click();
    await expect.poll(() => facet.locator('button.value[aria-pressed="true"]').count()).toBe(1);
    expect(await facet.getByRole('button', { name: 'Keep these rows' }).count()).toBe(0);
    expect(await facet.getByRole('button', { name: /^Edit / }).count()).toBe(0);
    await screenshot(bob, 'accounts-04-viewer');
    // And the server refuses a step from him whatever the page does.
    const status = await bob.evaluate(async () => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string; csrfHeader: string };
      const list = (await (await fetch('/api/datasets')).json()) as { datasets: { id: string }[] };
      const res = await fetch(`/api/datasets/${list.datasets[0]!.id}/steps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [me.csrfHeader]: me.csrfToken },
        body: JSON.stringify({ step: { op: 'trim' } }),
      });
      return res.status;
    });
    expect(status).toBe(403);
    expect(rec.foreign()).toEqual([]);
    expect(rec.cspViolations).toEqual([]);
  });

  it("another user does not see alice's dataset", async () => {
    const { page: bob } = await signIn('bob', 'bob battery staple');
    await bob.getByRole('heading', { name: 'Open a file' }).waitFor();
    // Only what alice shared with him (the test before), never her other upload.
    await expect.poll(() => bob.getByTestId('shared-by').count()).toBe(1);
    expect(await bob.getByTestId('dataset-list').locator('li').count()).toBe(1);
  });
  it('signs out and, with the box left ticked, deletes her datasets from the server', async () => {
    const { page, rec } = await signIn('dora', 'dora long password');
    await page.getByTestId('file-input').setInputFiles(MESSY);
    await expect
      .poll(() => page.getByTestId('grid').getAttribute('data-rows'), { timeout: 30_000 })
      .toBe('8');
    expect((await page.context().cookies(srv.origin)).map((c) => c.httpOnly)).toEqual([true]);
    await page.getByRole('button', { name: /Sign out dora/ }).click();
    const dialog = page.getByTestId('sign-out-dialog');
    expect(await dialog.getByLabel('Delete my datasets from the server now').isChecked()).toBe(true);
    await screenshot(page, 'accounts-05-sign-out');
    await dialog.getByRole('button', { name: 'Sign out', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.request.get(`${srv.origin}/api/auth/me`).then((r) => r.status())).toBe(401);
    // Nothing of hers stays in the browser: no cookie (the session one is HttpOnly) and no store.
    expect(await page.context().cookies(srv.origin)).toEqual([]);
    expect(await browserStorage(page)).toEqual(EMPTY_STORAGE);
    const { page: again } = await signIn('dora', 'dora long password');
    const list = await again.request.get(`${srv.origin}/api/datasets`);
    expect((await list.json()).datasets).toEqual([]);
    expect(rec.foreign()).toEqual([]);
    expect(rec.cspViolations).toEqual([]);
  });
  it('an administrator breaks the glass to view a member’s dataset, and the owner sees it', async () => {
    const { page: bob } = await signIn('bob', 'bob battery staple');
    await bob.getByTestId('file-input').setInputFiles(MESSY);
    await expect.poll(() => bob.getByTestId('grid').getAttribute('data-rows'), { timeout: 30_000 }).toBe('8');

    const { page: alice, rec } = await signIn('alice', 'alice correct horse');
    const panel = alice.getByTestId('admin-datasets');
    await expect.poll(() => panel.textContent()).toMatch(/bob/);
    // The overview names no file.
    expect(await panel.textContent()).not.toMatch(/messy/);
    await panel.getByRole('button', { name: 'Break the glass…' }).last().click();
    const form = panel.getByTestId('break-glass-form');
    await form.getByLabel('Reason (the owner will see it)').fill('bob is away; checking the totals');
    await form.getByLabel(/Your password/).fill('alice correct horse');
    await screenshot(alice, 'accounts-06-break-glass');
    await form.getByRole('button', { name: 'View it for 15 minutes' }).click();
    await expect
      .poll(() => alice.getByTestId('grid').getAttribute('data-rows'), { timeout: 30_000 })
      .toBe('8');

    await bob.reload();
    // His own dataset: the one not shared with him by someone else.
    await bob
      .getByTestId('dataset-list')
      .getByRole('listitem')
      .filter({ hasNot: bob.getByTestId('shared-by') })
      .getByRole('button', { name: 'Open' })
      .click();
    await expect
      .poll(() => bob.getByTestId('break-glass').textContent())
      .toMatch(/Administrator alice can view this dataset until .*bob is away; checking the totals/);
    await screenshot(bob, 'accounts-07-owner-sees-break-glass');
    expect(rec.foreign()).toEqual([]);
    expect(rec.cspViolations).toEqual([]);
  });
});
