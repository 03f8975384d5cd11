import fs from 'node:fs';
import { NodeEngine } from '@tidyvault/engine-node';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGoldenCases } from '../packages/engine-node/src/conformance/golden-cases.js';
import { capture, type Captured } from '../packages/engine-wasm/test-page/capture.js';
import type { GoldenReport, PageCase } from '../packages/engine-wasm/test-page/main.js';
import { launch, record, type Recorder } from './browser.js';
import { IMPORT_CASES, RECIPE_CASES } from './engine-wasm-cases.js';
import { serveStatic, type StaticServer } from './engine-wasm-server.js';

/*
 * engine-wasm (DuckDB-WASM in a Web Worker) in Debian's Chromium, on a page served with the
 * server's strict CSP: the golden recipes pass and give exactly what engine-node gives, CSV
 * imports the same way, and nothing is requested from anywhere but the page's own origin.
 */

const golden = loadGoldenCases();
const base64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const EMPTY_RECIPE = { version: 1, steps: [] };

let srv: StaticServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let rec: Recorder;
let node: NodeEngine;

/** What engine-node makes of the same input and recipe. */
const onNode = (name: string, bytes: Uint8Array, recipe: unknown): Promise<Captured> =>
  capture(node, name, bytes, recipe);

describe('engine-wasm in Chromium (DuckDB-WASM in a worker, under the server CSP)', () => {
  beforeAll(async () => {
    srv = await serveStatic();
    browser = await launch();
    context = await browser.newContext();
    page = await context.newPage();
    rec = await record(context, page, srv.origin);
    node = await NodeEngine.open({ memoryLimit: '1GB', threads: 2 });
    await page.goto(`${srv.origin}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await node?.close();
  });

  it('opens locked down: the self-check read every security setting back', async () => {
    const { settings, version } = await page.evaluate(() => window.tidyvaultTest.ready);
    expect(version).toMatch(/^v1\./);
    expect(settings).toEqual({
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
      allow_unsigned_extensions: 'false',
      custom_extension_repository: `${srv.origin}/duckdb-ext`,
      lock_configuration: 'true',
    });
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^ready: DuckDB v1\./);
  });

  it('refuses to change a setting once locked', async () => {
    for (const sql of [
      'SET autoload_known_extensions = true',
      "SET custom_extension_repository = 'https://extensions.duckdb.org'",
      'SET lock_configuration = false',
    ]) {
      expect(await page.evaluate((s) => window.tidyvaultTest.sqlError(s), sql)).toMatch(/lock/i);
    }
  });

  it('fetches no extension: Parquet and JSON readers fail instead of being downloaded', async () => {
    const before = rec.requests.length;
    for (const sql of [
      "SELECT * FROM read_parquet('nowhere.parquet')",
      "SELECT * FROM read_json('nowhere.json')",
    ]) {
      expect(await page.evaluate((s) => window.tidyvaultTest.sqlError(s), sql)).toMatch(/not in the catalog/);
    }
    expect(rec.requests.slice(before)).toEqual([]);
  });

  it('keeps even the ICU load that DuckDB 1.4 attempts despite autoload=false on the page origin', async () => {
    // DuckDB-WASM still tries to fetch icu for a time-zone conversion with autoloading off: the
    // custom repository keeps that request on the page's own origin, which serves no extension.
    const before = rec.requests.length;
    const error = await page.evaluate(
      (s) => window.tidyvaultTest.sqlError(s),
      "SELECT '2024-01-01 10:00'::TIMESTAMPTZ AT TIME ZONE 'Europe/Paris'",
    );
    expect(error).toMatch(/icu/);
    const requests = rec.requests.slice(before);
    for (const url of requests) expect(url.startsWith(`${srv.origin}/duckdb-ext/`), url).toBe(true);
  });

  describe('the engine conformance suite (fixtures/golden, fixtures/golden-errors)', () => {
    const reports = new Map<string, GoldenReport>();
    const expected = new Map<string, Captured>();

    beforeAll(async () => {
      const cases: PageCase[] = golden.map((c) => ({
        name: c.name,
        input: base64(c.inputCsv),
        recipe: c.recipe,
        ...(c.expected ? { expected: c.expected } : {}),
        ...(c.expectedError ? { expectedError: c.expectedError } : {}),
      }));
      for (const r of await page.evaluate((cs) => window.tidyvaultTest.golden(cs), cases))
        reports.set(r.name, r);
      for (const c of golden) expected.set(c.name, await onNode(`${c.name}.csv`, c.inputCsv, c.recipe));
    }, 120_000);

    it('has every golden case', () => {
      expect(golden.length).toBeGreaterThan(60);
      expect([...reports.keys()]).toEqual(golden.map((c) => c.name));
    });

    for (const c of golden) {
      it(c.name, () => {
        const r = reports.get(c.name)!;
        expect(r.ok, r.message).toBe(true);
        // Identical to engine-node: columns, rows, warnings, or the error's code, message and location.
        expect(r.captured).toEqual(expected.get(c.name));
      });
    }
  });

  describe('CSV import: the same rules, messages and warnings as engine-node', () => {
    const names = Object.keys(IMPORT_CASES);
    const cases: PageCase[] = names.map((name) => ({
      name,
      input: base64(Buffer.from(IMPORT_CASES[name]!)),
      recipe: EMPTY_RECIPE,
    }));
    let fromBytes: Captured[];
    let fromFile: Captured[];
    const expected = new Map<string, Captured>();

    beforeAll(async () => {
      fromBytes = await page.evaluate((cs) => window.tidyvaultTest.capture(cs, 'bytes'), cases);
      fromFile = await page.evaluate((cs) => window.tidyvaultTest.capture(cs, 'file'), cases);
      for (const name of names)
        expected.set(name, await onNode(name, Buffer.from(IMPORT_CASES[name]!), EMPTY_RECIPE));
    }, 60_000);

    names.forEach((name, i) => {
      it(name, () => {
        expect(fromBytes[i]).toEqual(expected.get(name));
        expect(fromFile[i]).toEqual(expected.get(name));
      });
    });

    it('covers the rules it claims to (these inputs are not all accepted)', () => {
      const codes = fromBytes.map((c) => (c.error && 'code' in c.error ? c.error.code : 'ok'));
      expect(new Set(codes)).toEqual(
        new Set(['ok', 'IMPORT_RAGGED', 'IMPORT_FORMAT', 'IMPORT_EMPTY', 'IMPORT_BINARY', 'IMPORT_ENCODING']),
      );
      const mixed = fromBytes[names.indexOf('late-mixed-encodings.csv')]!.error;
      expect(mixed && 'message' in mixed ? mixed.message : '').toMatch(
        /^late-mixed-encodings\.csv: line 80003: bytes that are not valid UTF-8 .* mixes encodings/,
      );
      const warnings = fromBytes.flatMap((c) => c.load?.warnings ?? []);
      expect(warnings).toContain(
        '2 rows had fewer fields than the header and were padded with empty (null) cells',
      );
      expect(warnings).toContain('read as Windows-1252');
      expect(warnings).toContain('read as Windows-1252 (line 80003 is not valid UTF-8)');
    });
  });

  describe('values and DuckDB-worded errors: the same cells and messages as engine-node', () => {
    const names = Object.keys(RECIPE_CASES);
    let got: Captured[];
    const expected = new Map<string, Captured>();

    beforeAll(async () => {
      const cases: PageCase[] = names.map((name) => ({
        name,
        input: base64(Buffer.from(RECIPE_CASES[name]!.csv)),
        recipe: RECIPE_CASES[name]!.recipe,
      }));
      got = await page.evaluate((cs) => window.tidyvaultTest.capture(cs, 'bytes'), cases);
      for (const name of names)
        expected.set(
          name,
          await onNode(name, Buffer.from(RECIPE_CASES[name]!.csv), RECIPE_CASES[name]!.recipe),
        );
    }, 60_000);

    names.forEach((name, i) => {
      it(name, () => {
        expect(got[i]).toEqual(expected.get(name));
        if (name.startsWith('invalid-')) expect(got[i]!.error).toMatchObject({ code: 'RECIPE_PARAM' });
        else expect(got[i]!.result?.rows.length).toBeGreaterThan(0);
      });
    });
  });

  it('adds auto-named columns for the extra fields with ragged: extend, as engine-node does', async () => {
    const csv = 'a,b\n1,2\n3,4,5,6\n7\n';
    const [got] = await page.evaluate(
      (cs) => window.tidyvaultTest.capture(cs, 'bytes', { ragged: 'extend' }),
      [{ name: 'ragged.csv', input: base64(Buffer.from(csv)), recipe: EMPTY_RECIPE }],
    );
    const want = await capture(node, 'ragged.csv', Buffer.from(csv), EMPTY_RECIPE, async (name, bytes) => {
      const file = node.staging.file('.csv');
      fs.writeFileSync(file, bytes, { mode: 0o600 });
      try {
        return await node.importFile(file, name, { format: 'csv', ragged: 'extend' });
      } finally {
        fs.rmSync(file, { force: true });
      }
    });
    expect(got).toEqual(want);
    expect(got!.load?.columns.map((c) => c.name)).toEqual(['a', 'b', 'column_3', 'column_4']);
  });

  it('prints no data to the console when DuckDB refuses a file (its errors quote the line)', async () => {
    const printed: string[] = [];
    const listen = (m: { text: () => string }) => printed.push(m.text());
    page.on('console', listen);
    // Workers' consoles reach the page's console events in Chromium only through this hook too.
    const workerListen = (w: { on: (e: 'console', f: typeof listen) => void }) => w.on('console', listen);
    page.on('worker', workerListen);
    try {
      const csv = 'a,b\n1,2\nCANARY-7731,x,y\n';
      const [got] = await page.evaluate(
        (cs) => window.tidyvaultTest.capture(cs, 'bytes'),
        [{ name: 'ragged.csv', input: base64(Buffer.from(csv)), recipe: EMPTY_RECIPE }],
      );
      expect(got!.error).toMatchObject({ code: 'IMPORT_RAGGED' });
      const sql = await page.evaluate(() => window.tidyvaultTest.sqlError("SELECT 'CANARY-8842'::INTEGER"));
      expect(sql).toMatch(/CANARY-8842/);
      await page.waitForTimeout(200);
    } finally {
      page.off('console', listen);
      page.off('worker', workerListen);
    }
    expect(printed.filter((t) => /CANARY-(7731|8842)/.test(t))).toEqual([]);
  });

  it('leaves no table and no registered file once the datasets are dropped', async () => {
    expect(await page.evaluate(() => window.tidyvaultTest.leftovers())).toEqual({ tables: [], files: [] });
  });

  it('requested nothing from another origin, broke no CSP rule, loaded every asset', () => {
    expect(rec.requests.length).toBeGreaterThan(0);
    expect(rec.foreign()).toEqual([]);
    expect(rec.cspViolations).toEqual([]);
    expect(rec.errors).toEqual([]);
    // The only refusals: the extension the ICU test above asked for (the origin serves none).
    expect(rec.failedAssets.filter((u) => !u.startsWith(`${srv.origin}/duckdb-ext/`))).toEqual([]);
  });
});
