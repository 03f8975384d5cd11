import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch } from './browser.js';
import { serve, type E2eServer } from './server.js';

let srv: E2eServer;
let browser: Browser;
let page: Page;

const gridRows = () => page.getByTestId('grid').getAttribute('data-rows');

describe('server mode in Chromium: opening files, and the grid while the server works', () => {
  beforeAll(async () => {
    srv = await serve();
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    await page.goto(srv.server.loginUrl);
    await page.getByRole('heading', { name: 'Open a file' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('refuses a row with too many fields, then uploads with ragged=extend when asked', async () => {
    const ragged = path.join(srv.dir, 'ragged.csv');
    fs.writeFileSync(ragged, 'a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n11,12\n');
    await page.getByTestId('file-input').setInputFiles(ragged);
    await expect
      .poll(() => page.getByTestId('upload-error').textContent())
      .toBe(
        "ragged.csv: line 4: 4 fields, but the header has 3 (choose 'add columns' under How the file is read)",
      );
    await page.getByLabel('Rows with more fields than the header').selectOption({ label: 'add columns' });
    const upload = page.waitForRequest((r) => r.url().includes('/api/datasets?ragged=extend'));
    await page.getByRole('button', { name: 'Read ragged.csv again with these options' }).click();
    await upload;
    await expect.poll(gridRows, { timeout: 20_000 }).toBe('4');
    await expect.poll(() => page.getByTestId('shape').textContent()).toMatch(/4 rows × 4 columns/);
    // The server's warnings are shown too: the column added, and the narrower rows padded.
    const warnings = () => page.getByTestId('import-warnings').textContent();
    await expect
      .poll(warnings)
      .toMatch(
        /ragged\.csv: 1 column added for the extra fields \(column_4\): the widest row has 4 fields, the header 3/,
      );
    await expect
      .poll(warnings)
      .toMatch(/ragged\.csv: 3 rows had fewer fields than the widest row and were padded/);
  });

  it('shows the first rows of a dedupe at once, and every row once they are counted', async () => {
    // 60,000 rows, each of 20,000 three times: big enough for the server to answer the first rows
    // from the first rows while the dedupe's state is made, and count them after.
    const file = path.join(srv.dir, 'repeats.csv');
    const lines = ['id,v'];
    for (let i = 0; i < 60_000; i++) lines.push(`${i % 20_000},x${i % 20_000}`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const recipe = path.join(srv.dir, 'dedupe.json');
    fs.writeFileSync(recipe, JSON.stringify({ version: 1, steps: [{ op: 'dedupe-rows' }] }));
    await page.getByRole('button', { name: 'Open another…' }).click();
    await page.getByTestId('file-input').setInputFiles(file);
    await expect
      .poll(() => page.getByTestId('shape').textContent(), { timeout: 20_000 })
      .toMatch(/60,000 rows/);
    const totals: unknown[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/rows?'))
        void r.json().then(
          (b: { total: unknown }) => totals.push([new URL(r.url()).searchParams.get('limit'), b.total]),
          () => undefined,
        );
    });
    await page.getByTestId('recipe-file').setInputFiles(recipe);
    await expect
      .poll(() => page.getByTestId('shape').textContent(), { timeout: 20_000 })
      .toMatch(/20,000 rows × 2 columns/);
    await expect.poll(gridRows).toBe('20000');
    // Every row can be gone to, and no further.
    const go = page.getByTestId('go-to-row');
    await go.fill('20001');
    await go.press('Enter');
    await expect
      .poll(() => page.getByTestId('go-to-row-problem').textContent())
      .toBe('there are 20,000 rows');
    await go.fill('20000');
    await go.press('Enter');
    await expect.poll(() => page.getByTestId('go-to-row-problem').count()).toBe(0);
    // Whether the first rows came before their count depends on the machine: either way the count
    // was asked for once, with limit=0, or came with the rows.
    expect(totals.length).toBeGreaterThan(0);
    const first = totals[0] as [string, unknown];
    if (first[1] === null) expect(totals).toContainEqual(['0', 20_000]);
    else expect(first).toEqual(['200', 20_000]);
  });

  it('says nothing of rows it stopped computing when their step is undone', async () => {
    // ~80,000 distinct values over four letters: a levenshtein merge clusters for seconds.
    let seed = 11;
    const random = () => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const file = path.join(srv.dir, 'dense.csv');
    const values = Array.from({ length: 100_000 }, () =>
      Array.from({ length: 9 }, () => 'abcd'[Math.floor(random() * 4)]).join(''),
    );
    fs.writeFileSync(file, 'v\n' + values.join('\n') + '\n');
    const recipe = path.join(srv.dir, 'merge.json');
    const merge = { op: 'cluster-merge', column: 'v', method: 'levenshtein' };
    fs.writeFileSync(recipe, JSON.stringify({ version: 1, steps: [merge] }));
    await page.getByRole('button', { name: 'Open another…' }).click();
    await page.getByTestId('file-input').setInputFiles(file);
    await expect
      .poll(() => page.getByTestId('shape').textContent(), { timeout: 20_000 })
      .toMatch(/100,000 rows/);
    const stopped = page.waitForResponse((r) => r.url().includes('/rows?') && r.status() === 499, {
      timeout: 20_000,
    });
    await page.getByTestId('recipe-file').setInputFiles(recipe);
    await expect.poll(() => page.getByTestId('step').count()).toBe(1);
    await page.waitForTimeout(300);
    await page.getByRole('button', { name: 'Undo the last step' }).click();
    await expect.poll(() => page.getByTestId('step').count()).toBe(0);
    // The merge's page was stopped by the undo (CANCELLED), and the grid says nothing of it.
    await stopped;
    await page.waitForTimeout(500);
    expect(await page.getByTestId('error').count()).toBe(0);
    await expect.poll(() => page.getByTestId('shape').textContent()).toMatch(/100,000 rows × 1 column/);
  });
});
