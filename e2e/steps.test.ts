import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, record, screenshot, type Recorder } from './browser.js';
import { serve, type E2eServer } from './server.js';

/**
 * Every kind of step the column menu offers that workbench.test.ts does not apply, through its
 * forms as a person would, on a messy order list: whitespace runs, blanks, mixed case, dates in
 * two formats, whole numbers with thousands separators, "last, first" names and a row that is a
 * duplicate only once the rest is clean. Each step is checked in the recipe panel and in the data.
 */
const ORDERS = path.join(import.meta.dirname, 'fixtures', 'orders.csv');

type Cell = string | number | null;

let srv: E2eServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let rec: Recorder;
let id: string;
let applied = 0;

const steps = () => page.getByTestId('step');
const gridRows = () => page.getByTestId('grid').getAttribute('data-rows');
const menu = () => page.getByTestId('column-menu');

/** The current data as the server gives it to the page: column names and rows by name. */
async function table(): Promise<{ names: string[]; rows: Record<string, Cell>[] }> {
  const got = await page.evaluate(
    (u) => fetch(u).then((r) => r.json()),
    `/api/datasets/${id}/rows?offset=0&limit=100`,
  );
  const names = (got.columns as { name: string }[]).map((c) => c.name);
  const rows = (got.rows as Cell[][]).map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]!])));
  return { names, rows };
}
const values = async (column: string): Promise<Cell[]> => (await table()).rows.map((r) => r[column]!);

async function openColumn(name: string): Promise<void> {
  await page.getByTestId('column-picker').selectOption(name);
  await menu().waitFor();
}

/** The step recorded last reads exactly so in the recipe panel. */
async function recorded(description: string): Promise<void> {
  applied += 1;
  await expect.poll(() => steps().count()).toBe(applied);
  await expect
    .poll(() =>
      steps()
        .nth(applied - 1)
        .getByRole('button')
        .first()
        .textContent(),
    )
    .toBe(`${applied}. ${description}`);
}

/** A step without parameters: one click in the column menu applies it. */
async function applyNow(column: string, item: string, shot: string): Promise<void> {
  await openColumn(column);
  await screenshot(page, shot);
  await menu().getByRole('button', { name: item, exact: true }).click();
}

/** Opens a step's form from the column menu, fills it with `fill`, screenshots it and applies it. */
async function applyForm(
  column: string,
  item: string,
  formId: string,
  fill: (form: Locator) => Promise<void>,
  shot: string,
): Promise<void> {
  await openColumn(column);
  await menu()
    .getByRole('button', { name: `${item}…`, exact: true })
    .click();
  const form = page.getByTestId(`form-${formId}`);
  await form.waitFor();
  await fill(form);
  await screenshot(page, shot);
  await form.getByRole('button', { name: 'Apply', exact: true }).click();
}

describe('every kind of step, from the column menu, on a messy file', () => {
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

  it('opens the messy order list', async () => {
    await page.goto(srv.server.loginUrl);
    await page.getByRole('heading', { name: 'Open a file' }).waitFor();
    await page.getByTestId('file-input').setInputFiles(ORDERS);
    await expect.poll(gridRows, { timeout: 20_000 }).toBe('6');
    await expect.poll(() => page.getByTestId('shape').textContent()).toMatch(/6 rows × 8 columns/);
    id = (await page.evaluate(() => fetch('/api/datasets').then((r) => r.json()))).datasets[0].id as string;
    const { names, rows } = await table();
    expect(names).toEqual(['code', 'full_name', 'city', 'note', 'status', 'qty', 'signed', 'company']);
    // Imported as text, as written: empty fields are blank text, not null.
    expect(rows.map((r) => r.city)).toEqual(['Paris', '', 'Lyon', '', '', 'Nice']);
  });

  it('trims and rewrites codes with a case-insensitive regular expression', async () => {
    await applyNow('code', 'Trim whitespace', 'steps-01-trim');
    await recorded('Trim leading and trailing whitespace in "code"');
    await expect
      .poll(() => values('code'))
      .toEqual(['sku-001', 'SKU_002', 'Sku 003', 'sku-004', 'SKU_004', 'sku-005']);

    await applyForm(
      'code',
      'Find and replace',
      'replace',
      async (form) => {
        await form.getByLabel('Find', { exact: true }).fill('^sku[-_ ]*');
        await form.getByLabel('Replace with', { exact: true }).fill('SKU-');
        await form.getByLabel('Regular expression (RE2)', { exact: true }).check();
        await form.getByLabel('Match case', { exact: true }).uncheck();
      },
      'steps-02-replace-regex',
    );
    await recorded('Replace pattern "^sku[-_ ]*" with "SKU-" in "code", ignoring case');
    await expect
      .poll(() => values('code'))
      .toEqual(['SKU-001', 'SKU-002', 'SKU-003', 'SKU-004', 'SKU-004', 'SKU-005']);
  });

  it('collapses whitespace runs, then replaces plain text ignoring case', async () => {
    await applyNow('note', 'Collapse consecutive whitespace', 'steps-03-collapse-whitespace');
    await recorded('Collapse runs of whitespace to one space and trim in "note"');
    await expect
      .poll(() => values('note'))
      .toEqual(['big order', 'rush ORDER', 'small Order', 'big order', 'big order', 'tiny order']);

    await applyForm(
      'note',
      'Find and replace',
      'replace',
      async (form) => {
        await form.getByLabel('Find', { exact: true }).fill('order');
        await form.getByLabel('Replace with', { exact: true }).fill('purchase');
        // Matching case, the preview shows only the lower-case "order" replaced.
        const preview = form.getByTestId('preview');
        await expect.poll(() => preview.textContent()).toContain('"big order""big purchase"');
        await expect.poll(() => preview.textContent()).toContain('"rush ORDER""rush ORDER"');
        await form.getByLabel('Match case', { exact: true }).uncheck();
      },
      'steps-04-replace-plain',
    );
    await recorded('Replace "order" with "purchase" in "note", ignoring case');
    await expect
      .poll(() => values('note'))
      .toEqual([
        'big purchase',
        'rush purchase',
        'small purchase',
        'big purchase',
        'big purchase',
        'tiny purchase',
      ]);
  });

  it('turns blank statuses into null and fills them with a value', async () => {
    await applyNow('status', 'Blank cells to null', 'steps-05-blank-to-null');
    await recorded('Turn empty and whitespace-only values into null in "status"');
    await expect
      .poll(() => values('status'))
      .toEqual(['active', null, null, 'inactive', 'inactive', 'active']);

    await applyForm(
      'status',
      'Fill empty cells',
      'fill-null',
      async (form) => {
        await form.getByLabel('Fill with', { exact: true }).selectOption('value');
        await form.getByLabel('Value (for a fixed value)', { exact: true }).fill('unknown');
      },
      'steps-06-fill-value',
    );
    await recorded('Fill empty cells of "status" with "unknown"');
    await expect
      .poll(() => values('status'))
      .toEqual(['active', 'unknown', 'unknown', 'inactive', 'inactive', 'active']);
  });

  it('fills a city down into the blank cells below it, once they are null', async () => {
    // Blank text is a value: the fill form says which choices skip those cells, and what to do first.
    await openColumn('city');
    await menu().getByRole('button', { name: 'Fill empty cells…', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('form-notice').textContent())
      .toMatch(
        /^3 cells of "city" are blank text, not null \(∅\): the value above or below fills only the empty ones/,
      );
    await screenshot(page, 'steps-07-fill-notice');
    await menu().getByRole('button', { name: 'back', exact: true }).click();
    await menu().getByRole('button', { name: 'Blank cells to null', exact: true }).click();
    await recorded('Turn empty and whitespace-only values into null in "city"');
    await expect.poll(() => values('city')).toEqual(['Paris', null, 'Lyon', null, null, 'Nice']);
    await applyForm(
      'city',
      'Fill empty cells',
      'fill-null',
      async (form) => {
        await form.getByLabel('Fill with', { exact: true }).selectOption('down');
      },
      'steps-08-fill-down',
    );
    await recorded('Fill empty cells of "city" (down)');
    await expect.poll(() => values('city')).toEqual(['Paris', 'Paris', 'Lyon', 'Lyon', 'Lyon', 'Nice']);
  });

  it('converts quantities with thousands separators to whole numbers', async () => {
    await applyForm(
      'qty',
      'Convert to whole number',
      'to-integer',
      async (form) => {
        await expect
          .poll(() => form.getByLabel('Thousands separator', { exact: true }).inputValue())
          .toBe(',');
      },
      'steps-09-to-integer',
    );
    await recorded('Convert "qty" to whole numbers');
    await expect.poll(() => values('qty')).toEqual([1200, 35, 7, 2000000, 2000000, null]);
    await expect.poll(() => page.getByTestId('shape').textContent()).toMatch(/6 rows × 8 columns/);
  });

  it('converts dates written three ways (one with a comma), trying the formats in order', async () => {
    await applyForm(
      'signed',
      'Convert to date',
      'to-date',
      async (form) => {
        await form
          .getByLabel('Formats, tried in order (comma-separated)', { exact: true })
          .fill('%d/%m/%Y, %b %d, %Y, %Y-%m-%d');
      },
      'steps-10-to-date',
    );
    await recorded('Convert "signed" to dates ("%d/%m/%Y", "%b %d, %Y", "%Y-%m-%d")');
    await expect
      .poll(() => values('signed'))
      .toEqual(['2024-01-05', '2024-02-05', '2024-03-15', '2024-04-20', '2024-04-20', null]);
  });

  it('splits "last, first" names on a pattern and merges them back as "first last"', async () => {
    await applyForm(
      'full_name',
      'Split into columns',
      'split-column',
      async (form) => {
        await form.getByLabel('Separator', { exact: true }).fill('\\s*,\\s*');
        await form.getByLabel('New column names (comma-separated)', { exact: true }).fill('last, first');
        await form.getByLabel('Separator is a regular expression', { exact: true }).check();
        await form.getByLabel('Remove this column afterwards', { exact: true }).check();
      },
      'steps-11-split-column',
    );
    await recorded('Split "full_name" on pattern "\\s*,\\s*" into "last", "first"');
    let t = await table();
    expect(t.names).toEqual(['code', 'last', 'first', 'city', 'note', 'status', 'qty', 'signed', 'company']);
    expect(t.rows.map((r) => [r.last, r.first])).toEqual([
      ['Lee', 'Ann'],
      ['Stone', 'Bob'],
      ['Martin', 'Chloé'],
      ['Brown', 'Dan'],
      ['Brown', 'Dan'],
      ['Adams', 'Eve'],
    ]);

    await applyForm(
      'first',
      'Merge with other columns',
      'merge-columns',
      async (form) => {
        await form.getByLabel('last', { exact: true }).check();
        await expect.poll(() => form.getByLabel('Separator', { exact: true }).inputValue()).toBe(' ');
        await form.getByLabel('New column name', { exact: true }).fill('name');
        await form.getByLabel('Remove the merged columns', { exact: true }).check();
      },
      'steps-12-merge-columns',
    );
    await recorded('Merge "first", "last" into "name" with " "');
    t = await table();
    expect(t.names).toEqual(['code', 'name', 'city', 'note', 'status', 'qty', 'signed', 'company']);
    expect(t.rows.map((r) => r.name)).toEqual([
      'Ann Lee',
      'Bob Stone',
      'Chloé Martin',
      'Dan Brown',
      'Dan Brown',
      'Eve Adams',
    ]);
  });

  it('renames a column', async () => {
    await applyForm(
      'qty',
      'Rename',
      'rename-columns',
      async (form) => {
        await form.getByLabel('New name', { exact: true }).fill('quantity');
      },
      'steps-13-rename',
    );
    await recorded('Rename "qty" to "quantity"');
    await expect
      .poll(async () => (await table()).names)
      .toEqual(['code', 'name', 'city', 'note', 'status', 'quantity', 'signed', 'company']);
    await expect.poll(() => values('quantity')).toEqual([1200, 35, 7, 2000000, 2000000, null]);
  });

  it('merges every cluster of company spellings into its most frequent one', async () => {
    await page.getByRole('button', { name: 'Cluster…', exact: true }).click();
    const dialog = page.getByTestId('cluster-dialog');
    await dialog.getByLabel('Column').selectOption('company');
    await dialog.getByRole('button', { name: 'Find clusters' }).click();
    await expect.poll(() => dialog.getByTestId('cluster').count()).toBe(1);
    await screenshot(page, 'steps-14-cluster-merge');
    await dialog.getByRole('button', { name: 'Merge all (re-applicable step)' }).click();
    await recorded(
      `Merge similar values of "company" (fingerprint) into each cluster's most frequent spelling`,
    );
    await expect
      .poll(() => values('company'))
      .toEqual(['Acme Inc', 'Acme Inc', 'Acme Inc', 'Globex', 'Globex', 'Acme Inc']);
  });

  it('removes the row that is a duplicate once everything else is clean', async () => {
    await applyForm(
      'code',
      'Remove duplicate rows',
      'dedupe-rows',
      async (form) => {
        await expect.poll(() => form.getByLabel(/Judge by this column only/).isChecked()).toBe(false);
      },
      'steps-15-dedupe-rows',
    );
    await recorded('Remove duplicate rows');
    await expect.poll(gridRows).toBe('5');
    await expect
      .poll(() => values('name'))
      .toEqual(['Ann Lee', 'Bob Stone', 'Chloé Martin', 'Dan Brown', 'Eve Adams']);
  });

  it('sorts by quantity, largest first, then by city, keeping that order within a city', async () => {
    await applyNow('quantity', 'Sort rows Z → A / 9 → 0', 'steps-16-sort-desc');
    await recorded('Sort rows by "quantity" (descending)');
    await expect
      .poll(() => values('name'))
      .toEqual(['Dan Brown', 'Ann Lee', 'Bob Stone', 'Chloé Martin', 'Eve Adams']);
    await applyNow('city', 'Sort rows A → Z / 0 → 9', 'steps-17-sort-asc');
    await recorded('Sort rows by "city"');
    await expect
      .poll(() => values('name'))
      .toEqual(['Dan Brown', 'Chloé Martin', 'Eve Adams', 'Ann Lee', 'Bob Stone']);
  });

  it('undoes and redoes the last sort with the toolbar', async () => {
    await page.locator('header.topbar').getByRole('button', { name: 'Undo', exact: true }).click();
    await expect.poll(() => steps().count()).toBe(applied - 1);
    await expect
      .poll(() => values('name'))
      .toEqual(['Dan Brown', 'Ann Lee', 'Bob Stone', 'Chloé Martin', 'Eve Adams']);
    await page.locator('header.topbar').getByRole('button', { name: 'Redo', exact: true }).click();
    await expect.poll(() => steps().count()).toBe(applied);
    await expect
      .poll(() => values('name'))
      .toEqual(['Dan Brown', 'Chloé Martin', 'Eve Adams', 'Ann Lee', 'Bob Stone']);
  });

  it('exports exactly what the steps produce', async () => {
    await page.getByRole('button', { name: 'Export…', exact: true }).click();
    const dialog = page.getByTestId('export-dialog');
    await expect.poll(() => dialog.getByTestId('export-format').inputValue()).toBe('csv');
    // No mass edit and no chosen duplicates: the recipe holds no values from the data.
    await expect.poll(() => dialog.getByTestId('recipe-values-warning').count()).toBe(0);
    // The file is saved under the name the button promises.
    await expect.poll(() => dialog.getByTestId('download').textContent()).toBe('Download orders-clean.csv');
    await screenshot(page, 'steps-18-export');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByTestId('download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('orders-clean.csv');
    const file = path.join(srv.dir, 'orders-clean.csv');
    await download.saveAs(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(
      [
        '"code","name","city","note","status",quantity,signed,"company"',
        '"SKU-004","Dan Brown","Lyon","big purchase","inactive",2000000,2024-04-20,"Globex"',
        '"SKU-003","Chloé Martin","Lyon","small purchase","unknown",7,2024-03-15,"Acme Inc"',
        '"SKU-005","Eve Adams","Nice","tiny purchase","active",,,"Acme Inc"',
        '"SKU-001","Ann Lee","Paris","big purchase","active",1200,2024-01-05,"Acme Inc"',
        '"SKU-002","Bob Stone","Paris","rush purchase","unknown",35,2024-02-05,"Acme Inc"',
        '',
      ].join('\n'),
    );
    await page.keyboard.press('Escape');
  });

  it('splits a multi-valued cell into one row per part, in the row’s place, and joins them back', async () => {
    await applyForm(
      'note',
      'Split into rows (multi-valued cells)',
      'split-rows',
      async (form) => {
        await form.getByLabel('Separator', { exact: true }).fill(' ');
      },
      'steps-19-split-rows',
    );
    await recorded('Split "note" on " " into one row per part');
    await expect.poll(gridRows).toBe('10');
    const t = await table();
    expect(t.rows.map((r) => [r.name, r.note])).toEqual([
      ['Dan Brown', 'big'],
      ['Dan Brown', 'purchase'],
      ['Chloé Martin', 'small'],
      ['Chloé Martin', 'purchase'],
      ['Eve Adams', 'tiny'],
      ['Eve Adams', 'purchase'],
      ['Ann Lee', 'big'],
      ['Ann Lee', 'purchase'],
      ['Bob Stone', 'rush'],
      ['Bob Stone', 'purchase'],
    ]);

    await applyForm(
      'note',
      'Join rows into one (multi-valued cells)',
      'join-rows',
      async (form) => {
        // Apply waits for the columns that make a record.
        await expect.poll(() => form.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
        await form.getByLabel('code', { exact: true }).check();
        await form.getByLabel('Separator', { exact: true }).fill(' + ');
      },
      'steps-19b-join-rows',
    );
    await recorded('Join "note" with " + " over rows with the same "code"');
    await expect.poll(gridRows).toBe('5');
    expect((await table()).rows.map((r) => r.note)).toEqual([
      'big + purchase',
      'small + purchase',
      'tiny + purchase',
      'big + purchase',
      'rush + purchase',
    ]);
  });

  it('copies a column and moves the copy to the first position, then the original to the last', async () => {
    await applyForm(
      'city',
      'Copy to a new column',
      'copy-column',
      async (form) => {
        await form.getByLabel('New column name', { exact: true }).fill('town');
      },
      'steps-20-copy-column',
    );
    await recorded('Copy "city" into a new column "town"');
    await applyNow('town', 'Move to the first position', 'steps-21-move');
    await recorded('Put "town" first');
    await applyNow('city', 'Move to the last position', 'steps-22-move-last');
    await recorded('Put "city" last');
    const t = await table();
    expect(t.names).toEqual([
      'town',
      'code',
      'name',
      'note',
      'status',
      'quantity',
      'signed',
      'company',
      'city',
    ]);
    expect(t.rows.map((r) => r.town)).toEqual(t.rows.map((r) => r.city));
    expect(t.rows[0]!.town).toBe('Lyon');
  });

  it('asked nothing of any other origin, and broke no CSP rule', () => {
    expect(rec.requests.length).toBeGreaterThan(10);
    expect(rec.foreign()).toEqual([]);
    expect(rec.cspViolations).toEqual([]);
    expect(rec.errors).toEqual([]);
    expect(rec.failedAssets).toEqual([]);
  });
});
