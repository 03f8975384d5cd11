import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, record, screenshot, type Recorder } from './browser.js';
import { serve, type E2eServer } from './server.js';

const MESSY = path.join(import.meta.dirname, 'fixtures', 'messy.csv');

let srv: E2eServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let rec: Recorder;

const steps = () => page.getByTestId('step');
const gridRows = () => page.getByTestId('grid').getAttribute('data-rows');

async function openColumn(name: string): Promise<void> {
  await page.getByTestId('column-picker').selectOption(name);
  await page.getByTestId('column-menu').waitFor();
}

describe('the web workbench in Chromium, as a new user meets it', () => {
  beforeAll(async () => {
    srv = await serve();
    browser = await launch();
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    rec = await record(context, page, srv.server.origin);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('signs in with the login link and offers to open a file', async () => {
    await page.goto(srv.server.loginUrl);
    await expect.poll(() => page.url()).toBe(`${srv.server.origin}/`);
    await page.getByRole('heading', { name: 'Open a file' }).waitFor();
    await screenshot(page, '01-open-file');
    // The single user is the administrator, of no one else's datasets: opening the page lists none
    // (each listing is an audit event, which filled the activity log at every page load).
    await page.waitForTimeout(300);
    const actions = await page.evaluate(async () =>
      ((await (await fetch('/api/audit')).json()) as { events: { action: string }[] }).events.map(
        (e) => e.action,
      ),
    );
    expect(actions).toContain('login');
    expect(actions).not.toContain('admin_list');
  });

  it('shows upload progress and cancels an upload, leaving nothing on the server', async () => {
    const big = path.join(srv.dir, 'big.csv');
    fs.writeFileSync(big, 'a,b\n' + 'x,1\n'.repeat(1_500_000));
    const cdp = await context.newCDPSession(page);
    // 200 KiB/s: the 6 MB upload takes long enough to be cancelled by hand.
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 200 * 1024,
    });
    await page.getByTestId('file-input').setInputFiles(big);
    await page.getByRole('status').filter({ hasText: 'Uploading big.csv' }).waitFor();
    await screenshot(page, '01b-upload-progress');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect
      .poll(() => page.getByTestId('upload-error').textContent())
      .toMatch(/big\.csv: upload cancelled/);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    const list = await (await context.request.get(`${srv.server.origin}/api/datasets`)).json();
    expect(list.datasets).toEqual([]);
  });

  it('uploads a messy CSV and shows it in the grid, with where it lives', async () => {
    await page.getByTestId('file-input').setInputFiles(MESSY);
    await expect.poll(gridRows, { timeout: 20_000 }).toBe('8');
    await expect.poll(() => page.getByTestId('shape').textContent()).toMatch(/8 rows × 6 columns/);
    await expect
      .poll(() => page.getByTestId('where').textContent())
      .toMatch(/in the memory of the Tidyvault process only/);
    await expect
      .poll(() => page.getByTestId('expires').textContent())
      .toMatch(/Deleted automatically in \d+ min/);
    await page
      .getByTestId('suggestions')
      .getByRole('button', { name: /^Trim: / })
      .first()
      .waitFor();
    await screenshot(page, '02-workbench');
  });

  it('says why "Go to row" goes nowhere', async () => {
    const go = page.getByTestId('go-to-row');
    for (const [typed, says] of [
      ['abc', 'give a row number from 1 to 8'],
      ['0', 'give a row number from 1 to 8'],
      ['999', 'there are 8 rows'],
    ]) {
      await go.fill(typed);
      await go.press('Enter');
      await expect.poll(() => page.getByTestId('go-to-row-problem').textContent()).toBe(says);
      expect(await go.getAttribute('aria-invalid')).toBe('true');
    }
    await go.fill('3');
    await go.press('Enter');
    await expect.poll(() => page.getByTestId('go-to-row-problem').count()).toBe(0);
    await go.fill('');
  });

  it('applies a suggestion in one click (recorded as a step)', async () => {
    // Each suggestion's button names its column: "Trim: name", not one of many "Trim".
    const trim = page.getByTestId('suggestions').getByRole('button', { name: 'Trim: name', exact: true });
    await trim.click();
    await expect.poll(() => steps().count()).toBe(1);
    await expect
      .poll(() => steps().first().textContent())
      .toMatch(/Trim leading and trailing whitespace in "name"/);
  });

  it('warns before signing out of a server without accounts that no new link comes until a restart', async () => {
    await page.getByRole('button', { name: /^Sign out/ }).click();
    const dialog = page.getByTestId('sign-out-dialog');
    await expect
      .poll(() => dialog.getByTestId('single-user-sign-out').textContent())
      .toMatch(/only with a new one-time link, which the server prints when it starts/);
    // Nobody else can sign in to a server without accounts: there is no one to have shared with.
    await expect.poll(() => dialog.textContent()).not.toMatch(/shared/);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it('applies a step from the column menu with a before/after preview', async () => {
    await openColumn('city');
    await page.getByTestId('column-profile').waitFor();
    await page.getByRole('button', { name: 'Change case…' }).click();
    await page.getByLabel('Case', { exact: true }).selectOption('upper');
    const preview = page.getByTestId('preview');
    await expect.poll(() => preview.textContent()).toContain('"PARIS"');
    await screenshot(page, '03-step-form');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => steps().count()).toBe(2);
    await expect.poll(() => steps().nth(1).textContent()).toMatch(/Change "city" to upper case/);
  });

  it('filters with a text facet and mass-edits a value from it', async () => {
    await openColumn('city');
    await page.getByRole('button', { name: 'Text facet' }).click();
    const facet = page.getByTestId('facet-text-city');
    await facet.getByRole('button', { name: /^PARIS/ }).click();
    await expect.poll(gridRows).toBe('3');
    await expect.poll(() => page.getByTestId('shape').textContent()).toMatch(/filtered by facets/);
    await screenshot(page, '04-facet');
    await facet.getByRole('button', { name: 'Edit NICE' }).click();
    await facet.getByLabel('New value for NICE').fill('NICE (FR)');
    await facet.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => steps().count()).toBe(3);
    await expect.poll(() => steps().nth(2).textContent()).toMatch(/Edit 1 value of "city"/);
    await facet.getByRole('button', { name: /^NICE \(FR\)\s*2$/ }).waitFor();
    await page.getByRole('button', { name: 'Remove the city facet' }).click();
    await expect.poll(gridRows).toBe('8');
  });

  it('marks whitespace that a facet list would hide', async () => {
    await openColumn('email');
    await page.getByRole('button', { name: 'Text facet' }).click();
    const facet = page.getByTestId('facet-text-email');
    // " gus@example.com" in the file: its leading space is shown, and named for a screen reader.
    await expect.poll(() => facet.textContent()).toContain('␣gus@example.com');
    await facet.getByRole('button', { name: 'Edit [space]gus@example.com' }).waitFor();
    await page.getByRole('button', { name: 'Remove the email facet' }).click();
  });

  it('from the keyboard: arrows in the column picker open no menu, and focus returns to it when the menu closes', async () => {
    const picker = page.getByTestId('column-picker');
    await picker.focus();
    await page.keyboard.press('ArrowDown');
    // A change of the closed select would open the first column's menu within a frame.
    await page.waitForTimeout(300);
    expect(await page.getByTestId('column-menu').count()).toBe(0);
    await page.keyboard.press('Escape');
    await picker.selectOption('city');
    await page.getByTestId('column-menu').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('column-menu').count()).toBe(0);
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')))
      .toBe('column-picker');
  });

  it('keeps the keyboard in a dialog whose button is disabled while it works', async () => {
    await page.getByRole('button', { name: 'Cluster…' }).click();
    const dialog = page.getByTestId('cluster-dialog');
    await dialog.getByLabel('Column').selectOption('company');
    await dialog.getByRole('button', { name: 'Find clusters' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.getByTestId('cluster').count()).toBe(1);
    // The button was disabled while it worked, which drops the focus to the page: Escape still closes.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('clusters a column and merges the chosen cluster', async () => {
    await page.getByRole('button', { name: 'Cluster…' }).click();
    const dialog = page.getByTestId('cluster-dialog');
    await dialog.getByLabel('Column').selectOption('company');
    await dialog.getByRole('button', { name: 'Find clusters' }).click();
    await expect.poll(() => dialog.getByTestId('cluster').count()).toBe(1);
    await expect.poll(() => dialog.getByTestId('cluster').first().textContent()).toContain('Acme Inc');
    await dialog.getByLabel('Merge cluster 1').check();
    await dialog.getByLabel('New value for cluster 1').fill('Acme Inc.');
    await screenshot(page, '05-cluster');
    await dialog.getByRole('button', { name: 'Merge 1 selected' }).click();
    await expect.poll(() => steps().count()).toBe(4);
    await expect.poll(() => steps().nth(3).textContent()).toMatch(/Edit 3 values of "company"/);
  });

  it('undoes and redoes with the keyboard', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => steps().count()).toBe(3);
    await page.keyboard.press('Shift+Control+z');
    await expect.poll(() => steps().count()).toBe(4);
    // Not behind an open dialog: the dialog shows this recipe.
    await page.getByRole('button', { name: 'Export…' }).click();
    await page.getByTestId('export-dialog').waitFor();
    const asked = rec.requests.length;
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Escape');
    await page.getByTestId('export-dialog').waitFor({ state: 'detached' });
    await page.waitForTimeout(300);
    expect(rec.requests.slice(asked).filter((u) => u.includes('/undo'))).toEqual([]);
    expect(await steps().count()).toBe(4);
    // The data as it was after step 1: city not yet upper case.
    await steps()
      .first()
      .getByRole('button', { name: /Trim leading/ })
      .click();
    await expect.poll(() => page.getByTestId('shape').textContent()).toMatch(/as after step 1/);
    // Steps wait for the latest view: they would be added after the last step, not after step 1.
    await expect
      .poll(() => page.getByTestId('viewing-step-banner').textContent())
      .toContain('go back to the latest step');
    expect(await page.getByTestId('suggestions').count()).toBe(0);
    // The export is of the whole recipe, and says so while an earlier step is on screen.
    await page.getByRole('button', { name: 'Export…' }).click();
    await expect
      .poll(() => page.getByTestId('export-view-step-note').textContent())
      .toMatch(/after step 1: the file holds the output of the whole recipe \(4 steps\)/);
    await page.keyboard.press('Escape');
    await page.getByTestId('export-dialog').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Back to the latest' }).click();
    await expect.poll(() => page.getByTestId('shape').textContent()).not.toMatch(/as after step/);
    await expect.poll(() => page.getByTestId('viewing-step-banner').count()).toBe(0);
  });

  it('exports the cleaned CSV with the formula guard, and the recipe labelled as holding values', async () => {
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.getByTestId('recipe-values-warning').waitFor();
    await screenshot(page, '06-export');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByTestId('download').click(),
    ]);
    const file = path.join(srv.dir, 'export.csv');
    await download.saveAs(file);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('"name","email","city","company","amount","joined"');
    expect(lines[1]).toBe('"Ann Lee","Ann.Lee@Example.com","PARIS","Acme Inc.","$1,200.50","2024-01-05"');
    expect(lines[3]).toContain('"Chloé Martin","CHLOE@EXAMPLE.COM","PARIS","Acme Inc."');
    expect(lines[7]).toContain(`"NICE (FR)","Initech","'=1+2"`);
    const [recipeDownload] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByTestId('download-recipe').click(),
    ]);
    const recipe = JSON.parse(fs.readFileSync((await recipeDownload.path())!, 'utf8'));
    expect(recipe.steps.map((s: { op: string }) => s.op)).toEqual([
      'trim',
      'change-case',
      'mass-edit',
      'mass-edit',
    ]);
    await page.keyboard.press('Escape');
  });

  it("shows the server's audit log of what this person did, without any cell value", async () => {
    await page.getByRole('button', { name: 'Activity…' }).click();
    const dialog = page.getByTestId('audit-dialog');
    await expect.poll(() => dialog.getByTestId('audit-event').count()).toBeGreaterThan(5);
    const text = (await dialog.textContent()) ?? '';
    for (const action of ['upload', 'step', 'export']) expect(text).toContain(action);
    for (const value of ['Ann Lee', 'PARIS', 'Acme', 'messy.csv']) expect(text).not.toContain(value);
    await screenshot(page, '06b-activity');
    await page.keyboard.press('Escape');
  });

  it('says why a step is refused, next to the form that asked for it', async () => {
    await openColumn('city');
    await page.getByRole('button', { name: 'Rename…' }).click();
    await page.getByLabel('New name', { exact: true }).fill('name');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByTestId('step-error').textContent()).toMatch(/"name"/);
    await screenshot(page, '07-refused-step');
    await expect.poll(() => steps().count()).toBe(4);
    await page.keyboard.press('Escape');
  });

  it('converts text to numbers and filters them with a numeric facet and its histogram', async () => {
    await openColumn('amount');
    // A text column's profile charts the lengths of its values.
    await page
      .getByTestId('column-histogram')
      .and(page.locator('[data-of="length"]'))
      .locator('canvas')
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Convert to number…' }).click();
    await page.getByLabel('Characters to remove first', { exact: true }).fill('$');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => steps().count()).toBe(5);
    // N/A and =1+2 are not numbers: the workbench says how many values became empty.
    await expect
      .poll(() => page.getByTestId('step-notice').textContent())
      .toMatch(/^2 values of "amount" could not be read as numbers/);
    await openColumn('amount');
    // Its most frequent values read as the grid shows numbers (not DuckDB's 1200.5 text).
    await expect.poll(() => page.getByTestId('column-profile').textContent()).toContain('1,200.5');
    await page
      .getByTestId('column-histogram')
      .and(page.locator('[data-of="value"]'))
      .locator('canvas')
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Numeric facet' }).click();
    const facet = page.getByTestId('facet-range-amount');
    await facet.locator('canvas').first().waitFor();
    await expect.poll(() => facet.textContent()).toMatch(/7 to 2,000; 2 null/);
    // A bound that is not a number is said so, and filters nothing (not taken as "no bound").
    await facet.getByLabel('from', { exact: true }).fill('ten');
    await facet.getByRole('button', { name: 'Filter' }).click();
    await expect
      .poll(() => facet.getByRole('alert').textContent())
      .toBe('"ten" is not a number: the filter is unchanged');
    expect(await gridRows()).toBe('8');
    // Bounds as the grid shows numbers, with thousands separators.
    await facet.getByLabel('from', { exact: true }).fill('10');
    await facet.getByLabel('to', { exact: true }).fill('1,500');
    await facet.getByRole('button', { name: 'Filter' }).click();
    // 1200.5, 300, 45.5 and 12 are in range; 7, 2000 and the nulls (N/A, =1+2) are not.
    await expect.poll(gridRows).toBe('4');
    expect(await facet.getByRole('alert').count()).toBe(0);
    await screenshot(page, '08-numeric-facet');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, '09-dark-theme');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: 'Remove the amount facet' }).click();
    await expect.poll(gridRows).toBe('8');
  });

  it('finds duplicate rows for review and keeps one row of each confirmed group', async () => {
    await page.getByRole('button', { name: 'Duplicates…' }).click();
    const dialog = page.getByTestId('duplicates-dialog');
    for (const c of ['name', 'email', 'city', 'joined'])
      await dialog.getByLabel(c, { exact: true }).uncheck();
    await dialog.getByLabel('company', { exact: true }).check();
    await dialog.getByRole('button', { name: 'Find duplicates' }).click();
    const initech = dialog.getByTestId('duplicate-group').filter({ hasText: 'Initech' });
    await expect.poll(() => initech.textContent()).toMatch(/Initech \(2\)/);
    await screenshot(page, '10-duplicates');
    await initech.getByRole('checkbox').check();
    await dialog.getByRole('button', { name: 'Keep one row of 1 confirmed group' }).click();
    await expect.poll(() => steps().count()).toBe(6);
    await expect.poll(gridRows).toBe('7');
  });

  it('drops a facet whose column a step removes, saying so', async () => {
    await openColumn('joined');
    await page.getByRole('button', { name: 'Text facet' }).click();
    await page
      .getByTestId('facet-text-joined')
      .getByRole('button', { name: /^2024-01-05/ })
      .click();
    await expect.poll(gridRows).toBe('1');
    await openColumn('joined');
    // The menu is taller than the room below it: it scrolls inside and stays on the screen.
    const box = (await page.getByTestId('column-menu').boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(900);
    await page.getByRole('button', { name: 'Remove this column' }).click();
    await expect.poll(() => page.getByTestId('error').textContent()).toMatch(/facet on "joined" was removed/);
    await expect.poll(() => page.getByTestId('facet-text-joined').count()).toBe(0);
    await expect.poll(gridRows).toBe('7');
    await page.keyboard.press('Control+z');
    await expect.poll(() => steps().count()).toBe(6);
  });

  it('after a reload, lists the datasets still on the server and opens one again', async () => {
    // "Open another…" goes back to the Open screen and leaves the dataset on the server.
    await page.getByRole('button', { name: 'Open another…' }).click();
    await page.getByTestId('dataset-list').getByText('messy.csv').waitFor();
    await page.reload();
    const list = page.getByTestId('dataset-list');
    await list.getByText('messy.csv').waitFor();
    await expect
      .poll(() => list.textContent())
      .toMatch(/8 rows × 6 columns; deleted automatically in \d+ min/);
    await screenshot(page, '11-dataset-list');
    // Deleting from the list asks first; cancel keeps the dataset.
    await list.getByRole('button', { name: 'Delete…' }).click();
    await list.getByText('Delete it from the server now?').waitFor();
    await list.getByRole('button', { name: 'cancel' }).click();
    await list.getByRole('button', { name: 'Delete…' }).waitFor();
    await list.getByRole('button', { name: 'Open' }).click();
    await expect.poll(gridRows).toBe('7');
    await expect.poll(() => steps().count()).toBe(6);
  });

  it('applies a cleaning step only to the rows the facets select, as OpenRefine does', async () => {
    await openColumn('city');
    await page.getByRole('button', { name: 'Text facet' }).click();
    const facet = page.getByTestId('facet-text-city');
    await facet.getByRole('button', { name: /^PARIS/ }).click();
    await expect.poll(() => page.getByTestId('shape').textContent()).toMatch(/filtered by facets/);
    // The grid shows the PARIS rows once the facet's filter is applied: fewer than all 7.
    await expect.poll(async () => Number(await gridRows())).toBeLessThan(7);
    const paris = Number(await gridRows());
    await openColumn('name');
    await expect
      .poll(() => page.getByTestId('scope-notice').textContent())
      .toMatch(new RegExp(`change only the ${paris} rows? they select`));
    await page.getByRole('button', { name: 'Change case…' }).click();
    await page.getByLabel('Case', { exact: true }).selectOption('upper');
    // The form says what it will record, and previews the rows the facets select only.
    const menu = page.getByTestId('column-menu');
    await expect
      .poll(() => menu.textContent())
      .toMatch(/Records: Change "name" to upper case, only in rows where "city" is "PARIS"/);
    const preview = page.getByTestId('preview');
    await expect
      .poll(() => preview.locator('caption').textContent())
      .toBe('Preview on rows the facets select');
    const before = await preview.locator('tbody tr td:first-child').allTextContents();
    expect(before).toContain('"Ann Lee"'); // a PARIS row
    expect(before).not.toContain('"Dan Brown"'); // a LYON row, among the first rows on screen
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => steps().count()).toBe(7);
    await expect
      .poll(() => steps().nth(6).textContent())
      .toMatch(/Change "name" to upper case, only in rows where "city" is "PARIS"/);
    // The export holds every row, and says so while facets select some.
    await page.getByRole('button', { name: 'Export…' }).click();
    await page.getByTestId('export-facets-note').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Remove the city facet' }).click();
    await page.getByRole('button', { name: 'Export…' }).click();
    await page.getByTestId('export-dialog').waitFor();
    expect(await page.getByTestId('export-facets-note').count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(gridRows).toBe('7');
    const id = (await page.evaluate(() => fetch('/api/datasets').then((r) => r.json()))).datasets[0]
      .id as string;
    const page0 = await page.evaluate(
      (u) => fetch(u).then((r) => r.json()),
      `/api/datasets/${id}/rows?offset=0&limit=50`,
    );
    const names = page0.columns.findIndex((c: { name: string }) => c.name === 'name');
    const cities = page0.columns.findIndex((c: { name: string }) => c.name === 'city');
    const rows = page0.rows as (string | null)[][];
    expect(rows.filter((r) => r[cities] === 'PARIS').length).toBe(paris);
    for (const r of rows) {
      const name = r[names];
      if (name === null) continue;
      if (r[cities] === 'PARIS') expect(name).toBe(name.toUpperCase());
      else expect(name).not.toBe(name.toUpperCase());
    }
    await page.keyboard.press('Control+z');
    await expect.poll(() => steps().count()).toBe(6);
  });

  it('says why the server cannot make an export, instead of starting a download that fails', async () => {
    const origin = srv.server.origin;
    const id = (await (await context.request.get(`${origin}/api/datasets`)).json()).datasets[0].id as string;
    const csrf = (await (await context.request.get(`${origin}/api/auth/me`)).json()).csrfToken as string;
    const change = (url: string, data?: object) =>
      context.request.post(`${origin}${url}`, {
        headers: { 'x-tidyvault-csrf': csrf, origin },
        ...(data ? { data } : {}),
      });
    // From another tab: a city of 32,767 characters starting with "=". It fits an Excel cell, so
    // this tab's check lets the download go; the formula guard's apostrophe makes it one too many.
    const step = {
      op: 'mass-edit',
      column: 'city',
      edits: [{ from: ['PARIS'], to: '=' + 'x'.repeat(32_766) }],
    };
    expect((await change(`/api/datasets/${id}/steps`, { step })).status()).toBe(200);
    try {
      await page.getByRole('button', { name: 'Export…' }).click();
      const dialog = page.getByTestId('export-dialog');
      await dialog.getByTestId('export-format').selectOption('xlsx');
      let downloads = 0;
      page.on('download', () => downloads++);
      await dialog.getByTestId('download').click();
      await expect
        .poll(() => dialog.getByRole('alert').textContent())
        .toMatch(/column "city": 32768 characters, more than the 32767/);
      expect(downloads).toBe(0);
      await screenshot(page, '12-export-refused');
      // The same export without the guard fits, and downloads.
      await dialog.getByRole('checkbox', { name: 'Formula guard' }).uncheck();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        dialog.getByTestId('download').click(),
      ]);
      expect(download.suggestedFilename()).toBe('messy-clean.xlsx');
      expect(await dialog.getByRole('alert').count()).toBe(0);
      await page.keyboard.press('Escape');
    } finally {
      expect((await change(`/api/datasets/${id}/undo`)).status()).toBe(200);
    }
  });

  it('deletes the dataset now, and the server no longer has it', async () => {
    const id = (await page.evaluate(() => fetch('/api/datasets').then((r) => r.json()))).datasets[0]
      .id as string;
    await page.getByRole('button', { name: 'Delete this dataset…' }).click();
    await page.getByRole('button', { name: 'Delete now' }).click();
    await page.getByRole('heading', { name: 'Open a file' }).waitFor();
    // Asked outside the page, so the expected 404 is not a console error of the app.
    const status = (await context.request.get(`${srv.server.origin}/api/datasets/${id}`)).status();
    expect(status).toBe(404);
  });

  it('asked nothing of any other origin, and broke no CSP rule', () => {
    expect(rec.requests.length).toBeGreaterThan(10);
    expect(rec.foreign()).toEqual([]);
    expect(rec.cspViolations).toEqual([]);
    expect(rec.errors).toEqual([]);
    expect(rec.failedAssets).toEqual([]);
  });
});
