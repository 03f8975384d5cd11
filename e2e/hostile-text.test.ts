import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, record, type Recorder } from './browser.js';
import { serve, type E2eServer } from './server.js';

/** Markup that runs script if any of it reaches the page as HTML (SECURITY-CONTROLS 37). */
// No quotes in the file name: the browser sends them percent-encoded in the multipart header.
const NAME = '<img src=x onerror=window.__xss=1>';
const HEADER = '<img src=x onerror="window.__xss=2">';
const CELLS = ['<script>window.__xss=3</script>', '<img src=x onerror="window.__xss=4">', '<b>bold</b>'];

let srv: E2eServer;
let browser: Browser;
let page: Page;
let rec: Recorder;

describe('file names, column names and cells that hold markup', () => {
  beforeAll(async () => {
    srv = await serve();
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    rec = await record(context, page, srv.server.origin);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('are shown as text (the file name, the column picker, a facet) and run nothing', async () => {
    await page.goto(srv.server.loginUrl);
    await page.getByRole('heading', { name: 'Open a file' }).waitFor();
    const file = path.join(srv.dir, 'hostile.csv');
    const quoted = (v: string) => `"${v.replaceAll('"', '""')}"`;
    fs.writeFileSync(file, [quoted(HEADER), ...CELLS.map(quoted), quoted(CELLS[0]!)].join('\n') + '\n');
    await page.getByTestId('file-input').setInputFiles({
      name: `${NAME}.csv`,
      mimeType: 'text/csv',
      buffer: fs.readFileSync(file),
    });
    await expect
      .poll(() => page.getByTestId('grid').getAttribute('data-rows'), { timeout: 20_000 })
      .toBe('4');
    // The column, by its name as text, in the picker; then its facet lists the cells as text.
    await page.getByTestId('column-picker').selectOption(HEADER);
    await page.getByTestId('column-menu').waitFor();
    await page.getByRole('button', { name: 'Text facet' }).click();
    const facet = page.getByTestId(`facet-text-${HEADER}`);
    for (const cell of CELLS) await facet.getByRole('button', { name: cell }).first().waitFor();
    expect(await page.getByText(NAME).count()).toBeGreaterThan(0);
    // Nothing ran, and none of it became an element.
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('img[src="x"], b:text("bold")').count()).toBe(0);
    expect(rec.cspViolations).toEqual([]);
    expect(rec.errors).toEqual([]);
  });
});
