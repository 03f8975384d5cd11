import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, record, screenshot, type Recorder } from './browser.js';
import { serveLocalOnly } from './local-server.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-e2e-local-open-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
const EMPTY = file('empty.csv', '');
// Line 4 has one field more than the header.
const RAGGED = file('ragged.csv', 'a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n11,12,13\n');
// Line 4 is short (padded with a null); two company names one edit apart.
const SHORT = file(
  'short.csv',
  'id,company,city\n1,Northwind Traders,Paris\n2,Northwind Tradrs,Lyon\n3,Contoso Limited\n4,Contoso Limited,Nice\n',
);
// A chain of names one edit apart: nearest-neighbour clusters that share values.
const CHAIN = file(
  'chain.csv',
  'name\nJonathan Smith\nJonathon Smith\nJonathon Smyth\nJonathon Smyths\nOther Person\n',
);

let srv: Awaited<ReturnType<typeof serveLocalOnly>>;
let browser: Browser;
let page: Page;
let rec: Recorder;

const gridRows = () => page.getByTestId('grid').getAttribute('data-rows');
const uploadError = () => page.getByTestId('upload-error').textContent();

async function deleteDataset(): Promise<void> {
  await page.getByRole('button', { name: 'Delete this dataset…' }).click();
  await page.getByRole('button', { name: 'Delete now' }).click();
  await page.getByRole('heading', { name: 'Open a file' }).waitFor();
}

describe('local mode: opening files, their errors and warnings', () => {
  beforeAll(async () => {
    srv = await serveLocalOnly();
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    rec = await record(context, page, srv.origin);
    await page.goto(`${srv.origin}/`);
    await page.getByRole('heading', { name: 'Open a file' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the file once in an open error', async () => {
    await page.getByTestId('file-input').setInputFiles(EMPTY);
    await expect.poll(uploadError, { timeout: 60_000 }).toBe('empty.csv: the file is empty');
  });

  it('refuses a row with too many fields naming its line, then adds columns when asked', async () => {
    await page.getByTestId('file-input').setInputFiles(RAGGED);
    await expect
      .poll(uploadError)
      .toBe(
        "ragged.csv: line 4: 4 fields, but the header has 3 (choose 'add columns' under How the file is read)",
      );
    // The options are open, the choice in view.
    const ragged = page.getByLabel('Rows with more fields than the header');
    await expect.poll(() => ragged.isVisible()).toBe(true);
    await screenshot(page, 'local-open-01-ragged');
    await ragged.selectOption({ label: 'add columns' });
    await page.getByRole('button', { name: 'Read ragged.csv again with these options' }).click();
    await expect.poll(gridRows, { timeout: 30_000 }).toBe('4');
    await expect.poll(() => page.getByTestId('shape').textContent()).toMatch(/4 rows × 4 columns/);
    await deleteDataset();
  });

  it('shows the import warnings, as the CLI prints them, until dismissed', async () => {
    await page.getByTestId('file-input').setInputFiles(SHORT);
    await expect.poll(gridRows, { timeout: 30_000 }).toBe('4');
    const warnings = page.getByTestId('import-warnings');
    await expect
      .poll(() => warnings.textContent())
      .toContain('short.csv: 1 row had fewer fields than the header and was padded with empty (null) cells');
    await screenshot(page, 'local-open-02-warnings');
  });

  it('offers "Merge all" as a re-applicable step for every method, saying how overlapping clusters merge', async () => {
    await page.getByRole('button', { name: 'Cluster…' }).click();
    const dialog = page.getByTestId('cluster-dialog');
    await dialog.getByLabel('Column').selectOption('company');
    await dialog.getByLabel('Method').selectOption('levenshtein');
    await dialog.getByRole('button', { name: 'Find clusters' }).click();
    await expect.poll(() => dialog.getByTestId('cluster').count()).toBe(1);
    const mergeAll = dialog.getByRole('button', { name: 'Merge all (re-applicable step)' });
    await expect.poll(() => mergeAll.isDisabled()).toBe(false);
    await expect
      .poll(() => dialog.getByTestId('cluster-merge-all-overlaps').textContent())
      .toMatch(/a value listed in several clusters joins the first one listed/);
    await screenshot(page, 'local-open-03-cluster-nearest-neighbour');
    await dialog.getByLabel('Method').selectOption('fingerprint');
    await expect.poll(() => dialog.getByTestId('cluster-merge-all-overlaps').count()).toBe(0);
    // A nearest-neighbour merge as a step: it clusters again on each run, in the tab.
    await dialog.getByLabel('Method').selectOption('levenshtein');
    await mergeAll.click();
    await expect.poll(() => page.getByTestId('step').count()).toBe(1);
    await expect.poll(() => page.getByTestId('step').first().textContent()).toMatch(/levenshtein/);
    // The two spellings are one now: clustering again finds nothing.
    await page.getByRole('button', { name: 'Cluster…' }).click();
    await dialog.getByLabel('Column').selectOption('company');
    await dialog.getByLabel('Method').selectOption('levenshtein');
    await dialog.getByRole('button', { name: 'Find clusters' }).click();
    await dialog.getByText('No clusters: every value of company stands alone').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('import-warnings').getByRole('button', { name: 'Dismiss the warnings' }).click();
    await expect.poll(() => page.getByTestId('import-warnings').count()).toBe(0);
  });

  it('says which values are in more than one selected cluster, and what each becomes', async () => {
    await deleteDataset();
    await page.getByTestId('file-input').setInputFiles(CHAIN);
    await expect.poll(gridRows, { timeout: 30_000 }).toBe('5');
    await page.getByRole('button', { name: 'Cluster…' }).click();
    const dialog = page.getByTestId('cluster-dialog');
    await dialog.getByLabel('Method').selectOption('levenshtein');
    await dialog.getByRole('button', { name: 'Find clusters' }).click();
    await expect.poll(() => dialog.getByTestId('cluster').count()).toBeGreaterThan(1);
    await dialog.getByLabel('Merge cluster 1').check();
    expect(await dialog.getByTestId('cluster-overlaps').count()).toBe(0);
    await dialog.getByLabel('Merge cluster 2').check();
    const overlaps = dialog.getByTestId('cluster-overlaps');
    await expect
      .poll(() => overlaps.textContent())
      .toMatch(/“Jonathon Smyth” \(clusters 1, 2\) becomes “Jonathan Smith”/);
    await screenshot(page, 'local-open-04-cluster-overlaps');
    await dialog.getByRole('button', { name: 'Merge 2 selected' }).click();
    await expect.poll(() => page.getByTestId('step').count()).toBe(1);
  });

  it('broke no CSP rule and logged no error', () => {
    expect(rec.cspViolations).toEqual([]);
    expect(rec.errors).toEqual([]);
  });
});
