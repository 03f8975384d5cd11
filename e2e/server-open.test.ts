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

describe('server mode: opening a file with rows of the wrong length', () => {
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
});
