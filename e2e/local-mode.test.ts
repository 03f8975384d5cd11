import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserStorage, EMPTY_STORAGE, launch, record, screenshot, type Recorder } from './browser.js';
import { serveLocalOnly } from './local-server.js';

const MESSY = path.join(import.meta.dirname, 'fixtures', 'messy.csv');
const CLI = path.join(import.meta.dirname, '..', 'packages', 'cli', 'dist', 'main.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-e2e-local-'));

let srv: Awaited<ReturnType<typeof serveLocalOnly>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let rec: Recorder;

const steps = () => page.getByTestId('step');
const gridRows = () => page.getByTestId('grid').getAttribute('data-rows');
/** The app's own files: the page, its scripts and styles, DuckDB-WASM's module and worker. */
const isStaticAsset = (url: string) => {
  const p = new URL(url).pathname;
  return p === '/' || /^\/assets\/[\w.-]+$/.test(p);
};

describe('local mode: the workbench in the browser, the file never leaves the device', () => {
  beforeAll(async () => {
    srv = await serveLocalOnly();
    browser = await launch();
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    rec = await record(context, page, srv.origin);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('offers only "on this device": there is no server to send a file to', async () => {
    await page.goto(`${srv.origin}/`);
    await page.getByRole('heading', { name: 'Open a file' }).waitFor();
    const choice = page.getByTestId('where-choice');
    await expect.poll(() => choice.getByRole('radio').first().isChecked()).toBe(true);
    await expect.poll(() => choice.getByRole('radio').nth(1).isDisabled()).toBe(true);
    await expect.poll(() => choice.textContent()).toMatch(/runs without a server/);
  });

  it('loads a messy CSV in the tab, profiles it and says where it lives', async () => {
    await page.getByTestId('file-input').setInputFiles(MESSY);
    await expect.poll(gridRows, { timeout: 60_000 }).toBe('8');
    await expect
      .poll(() => page.getByTestId('where').textContent())
      .toMatch(/On this device, in this browser tab only/);
    await expect.poll(() => page.getByTestId('expires').textContent()).toMatch(/close or reload this tab/);
    await page
      .getByTestId('suggestions')
      .getByRole('button', { name: /^Trim: / })
      .first()
      .waitFor();
    await screenshot(page, 'local-01-workbench');
  });

  it('applies steps, undoes one, filters with a facet and clusters, all in the tab', async () => {
    await page.getByTestId('suggestions').getByRole('button', { name: 'Trim: name', exact: true }).click();
    await expect.poll(() => steps().count()).toBe(1);
    await page.getByTestId('column-picker').selectOption('city');
    await page.getByRole('button', { name: 'Change case…' }).click();
    await page.getByLabel('Case', { exact: true }).selectOption('upper');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => steps().count()).toBe(2);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => steps().count()).toBe(1);
    await page.keyboard.press('Shift+Control+z');
    await expect.poll(() => steps().count()).toBe(2);
    await page.getByTestId('column-picker').selectOption('city');
    await page.getByRole('button', { name: 'Text facet' }).click();
    await page
      .getByTestId('facet-text-city')
      .getByRole('button', { name: /^PARIS/ })
      .click();
    await expect.poll(gridRows).toBe('3');
    await page.getByRole('button', { name: 'Remove the city facet' }).click();
    await expect.poll(gridRows).toBe('8');
    // The data as after step 1 (read from the states held, none made for it), then back.
    await steps()
      .first()
      .getByRole('button', { name: /Trim leading/ })
      .click();
    await expect.poll(() => page.getByTestId('shape').textContent()).toMatch(/as after step 1/);
    await expect.poll(gridRows).toBe('8');
    await page.getByRole('button', { name: 'Back to the latest' }).click();
    await expect.poll(() => page.getByTestId('shape').textContent()).not.toMatch(/as after step/);
    await page.getByRole('button', { name: 'Cluster…' }).click();
    const dialog = page.getByTestId('cluster-dialog');
    await dialog.getByLabel('Column').selectOption('company');
    await dialog.getByRole('button', { name: 'Find clusters' }).click();
    await expect.poll(() => dialog.getByTestId('cluster').count()).toBe(1);
    await dialog.getByLabel('Merge cluster 1').check();
    await dialog.getByRole('button', { name: 'Merge 1 selected' }).click();
    await expect.poll(() => steps().count()).toBe(3);
    await screenshot(page, 'local-02-steps');
  });

  it('exports in the browser exactly what the CLI writes for the same recipe', async () => {
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByTestId('export-dialog');
    const [data] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('download').click()]);
    const [recipe] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByTestId('download-recipe').click(),
    ]);
    const browserCsv = fs.readFileSync((await data.path())!);
    const recipeFile = path.join(dir, 'recipe.json');
    fs.copyFileSync((await recipe.path())!, recipeFile);
    const out = path.join(dir, 'cli.csv');
    const r = spawnSync(
      process.execPath,
      [CLI, 'clean', MESSY, '--recipe', recipeFile, '-o', out, '--quiet'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(browserCsv.toString('utf8')).toBe(fs.readFileSync(out, 'utf8'));
    // The formula guard is on by default here too.
    expect(browserCsv.toString('utf8')).toContain("'=1+2");
    await page.keyboard.press('Escape');
  });

  it('says where a recipe file is not valid JSON, and keeps the steps', async () => {
    const bad = path.join(dir, 'bad-recipe.json');
    fs.writeFileSync(bad, '{"version": 1, "steps": [');
    const before = await page.getByTestId('step').count();
    await page.getByTestId('recipe-file').setInputFiles(bad);
    await expect
      .poll(() => page.getByTestId('error').textContent())
      .toMatch(/bad-recipe\.json is not valid JSON: .+/);
    expect(await page.getByTestId('step').count()).toBe(before);
  });

  it('deletes the dataset, leaving nothing in the browser’s storage', async () => {
    await page.getByRole('button', { name: 'Delete this dataset…' }).click();
    await page.getByRole('button', { name: 'Delete now' }).click();
    await page.getByRole('heading', { name: 'Open a file' }).waitFor();
    expect(await browserStorage(page)).toEqual(EMPTY_STORAGE);
  });

  it('asked for nothing but its own static files, and broke no CSP rule', () => {
    expect(rec.requests.length).toBeGreaterThan(3);
    expect(rec.foreign()).toEqual([]);
    // No XHR, fetch, beacon or websocket at all: only the page, its scripts, styles and DuckDB-WASM.
    expect(rec.requests.filter((u) => !isStaticAsset(u))).toEqual([]);
    expect(rec.cspViolations).toEqual([]);
    expect(rec.errors).toEqual([]);
    expect(rec.failedAssets).toEqual([]);
  });
});
