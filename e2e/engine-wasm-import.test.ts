import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NodeEngine } from '@tidyvault/engine-node';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, type Captured } from '../packages/engine-wasm/test-page/capture.js';
import { launch, record, type Recorder } from './browser.js';
import { serveStatic, type StaticServer } from './engine-wasm-server.js';

/*
 * engine-wasm's import of JSON, NDJSON, Parquet and XLSX (parsed in JavaScript, inserted
 * through Arrow) in Chromium under the server's CSP, each file compared with what engine-node (DuckDB's
 * json and parquet extensions) makes of it: columns, rows, warnings, or the error's code,
 * location and (where the words are Tidyvault's) message.
 */

const ROOT = path.join(import.meta.dirname, '..');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-wasm-import-'));
const EMPTY = { version: 1, steps: [] };

const JSON_CASES: Record<string, string> = {
  'values.ndjson':
    '{"a":1,"b":1.0,"c":1e5,"d":-0,"e":12345678901234567890,"f":123456789012345678901234,"g":true,"h":null,"i":[1,2.50,{"x":"y\\u001f"}],"j":{"k":"é\\n"},"l":"s","m":1.5E-7,"n":-0.0,"o":"\\ud83d\\ude00 \\" \\\\ \\/"}\n\n{"B":2,"a":"x","new":3}\n   \n{"z":{}}\n',
  'array-line.ndjson': '{"a":1}\n[1,2]\n',
  // Keys that name object internals are ordinary columns (no prototype pollution on the page).
  'proto-keys.json':
    '[{"__proto__":"p","constructor":"c","prototype":"t","toString":"s"},{"__proto__":{"polluted":1},"constructor":null}]',
  'string-line.ndjson': '{"a":1}\n\n"str"\n',
  'number-element.json': '[{"a":1},{"b":2},3]',
  'negative-element.json': '[{"a":1},-3]',
  'double-element.json': '[{"a":1},2.5]',
  'null-element.json': '[{"a":1}, null]',
  'bool-element.json': '[{"a":1}, true]',
  'object.json': '{"a":1}',
  'no-records.json': '[]',
  'no-records.ndjson': '\n\n',
  'unclosed.json': '[{"a":1},',
  'duplicate-keys.json': '[{"a":1,"a":2,"A":3}]',
  'big-numbers.json':
    '[{"a":12345678901234567890}, {"a":-9223372036854775809}, {"a": 1.0e400}, {"a": 18446744073709551616}]',
  'pretty.json':
    '[\n  {\n    "name": " Ann ",\n    "tags": ["x", "y"],\n    "n": 10\n  },\n  {\n    "name": "Bob",\n    "extra": {"deep": [1, {"d": null}]}\n  }\n]\n',
  'header-repair.json': '[{"":1,"x":2," x ":3,"X":4,"x_2":5}]',
  'unicode.ndjson': '{"名前":"東京","emoji":"😀","ctl":"\\u0001\\t"}\n',
  'cut-after-comma.json': '[{"a":1},{"a":2},\n',
  'unclosed-after-element.json': '[{"a":1},{"a":2}',
  'trailing-comma.ndjson': '{"a":1}\n{"a":2,}\n',
  'bad-line.ndjson': '{"a":1}\n{"a":2}\n{"a":3}\nnot json\n{"a":5}\n',
  'blank-lines.ndjson': '{"a":1}\n\n\n{"a": oops}\n',
  'number-after-blank.ndjson': '{"a":1}\n\n5\n',
  'pretty-syntax.json': '[\n  {"a": 1},\n  {"b": "😀", "c" 3}\n]\n',
  'big-number-element.json': '[{"a":1}, 123456789012345678901234]',
  'bom.json': '\ufeff[{"a":1}]',
  'bom.ndjson': '\ufeff{"a":1}\n',
  'whitespace.json': ' \n ',
  'crlf.ndjson': '{"a":1}\r\n\r\n{"b":[1,{"c":"\\u00e9"}],"a":null}\r\n',
};

/** engine-node's messages for some of the cases: both engines must say exactly this. */
const JSON_MESSAGES: Record<string, string> = {
  'cut-after-comma.json':
    "cut-after-comma.json: not valid JSON (expected a JSON array of objects): line 2, column 1 (after element 2 of the array): the file ends unexpectedly: expected another element after ','",
  'unclosed.json':
    "unclosed.json: not valid JSON (expected a JSON array of objects): line 1, column 10 (after element 1 of the array): the file ends unexpectedly: expected another element after ','",
  'trailing-comma.ndjson':
    "trailing-comma.ndjson: not valid NDJSON (expected one JSON object per line): line 2, column 8: a trailing comma before '}'",
  'bad-line.ndjson':
    'bad-line.ndjson: not valid NDJSON (expected one JSON object per line): line 4, column 2: an invalid literal (expected null)',
  'blank-lines.ndjson':
    'blank-lines.ndjson: not valid NDJSON (expected one JSON object per line): line 4, column 7: expected a value',
  'number-after-blank.ndjson':
    'number-after-blank.ndjson: line 3 is a number, not an object (expected one object per line)',
  'pretty-syntax.json':
    "pretty-syntax.json: not valid JSON (expected a JSON array of objects): line 3, column 18 (element 2 of the array): expected ':' after the key",
};

let srv: StaticServer;
let browser: Browser;
let page: Page;
let rec: Recorder;
let node: NodeEngine;

/** What engine-wasm makes of `bytes` named `name`: the import and the rows. */
async function onPage(name: string, bytes: Buffer, options: object = {}): Promise<Captured> {
  const loaded = await page.evaluate(([n, b, o]) => window.tidyvaultTest.load(n, b, o), [
    name,
    bytes.toString('base64'),
    options,
  ] as const);
  if ('error' in loaded) return { error: loaded.error };
  const { id, columns, rowCount, warnings } = loaded.value;
  const out: Captured = {
    load: { columns: columns as { name: string; type: string }[], rowCount, warnings },
  };
  const run = await page.evaluate(([i]) => window.tidyvaultTest.call(i, 'run', [null]), [id] as const);
  if ('error' in run) out.error = run.error;
  else out.result = run.value as Captured['result'];
  await page.evaluate((i) => window.tidyvaultTest.drop(i), id);
  return out;
}

/** What engine-node makes of the same file. */
async function onNode(name: string, bytes: Buffer, options: object = {}): Promise<Captured> {
  return capture(node, name, bytes, EMPTY, async (n, b) => {
    const file = path.join(TMP, `in-${Date.now()}-${Math.random()}${path.extname(n)}`);
    fs.writeFileSync(file, b);
    try {
      return await node.importFile(file, n, options);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
}

/** Both engines agree; the Parquet readers' own words after "not a valid Parquet file" are not compared. */
async function both(name: string, bytes: Buffer, options: object = {}) {
  const wasm = await onPage(name, bytes, options);
  const native = await onNode(name, bytes, options);
  const strip = (c: Captured) => {
    const e = c.error as { message?: string } | undefined;
    if (e?.message && /: not a valid Parquet file/.test(e.message))
      e.message = e.message.replace(/(: not a valid Parquet file).*$/s, '$1');
    return c;
  };
  expect(strip(wasm)).toEqual(strip(native));
  return wasm;
}

beforeAll(async () => {
  srv = await serveStatic();
  browser = await launch();
  const context = await browser.newContext();
  page = await context.newPage();
  rec = await record(context, page, srv.origin);
  node = await NodeEngine.open({ memoryLimit: '1GB', threads: 2, allowedDirectories: [TMP] });
  await page.goto(`${srv.origin}/`);
  await page.evaluate(() => window.tidyvaultTest.ready);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
  await node?.close();
  fs.rmSync(TMP, { recursive: true, force: true });
});

describe('JSON and NDJSON: engine-node’s columns, cells and errors', () => {
  for (const [name, text] of Object.entries(JSON_CASES)) {
    it(name, async () => {
      const r = await both(name, Buffer.from(text));
      if (JSON_MESSAGES[name]) expect(r.error).toMatchObject({ message: JSON_MESSAGES[name] });
    });
  }

  it('W1 as JSON and as NDJSON (written by engine-node), and by an explicit format', async () => {
    const w1 = await node.loadCsv('w1.csv', fs.readFileSync(path.join(ROOT, 'fixtures', 'w1', 'input.csv')));
    for (const format of ['json', 'ndjson'] as const) {
      const file = path.join(TMP, `w1.${format}`);
      await node.export(w1, EMPTY as never, file, { format });
      const r = await both(`w1.${format}`, fs.readFileSync(file));
      expect(r.load?.rowCount).toBe(5000);
      await both('w1.data', fs.readFileSync(file), { format });
    }
    await node.drop(w1);
  });
});

/** A Parquet file written by engine-node's DuckDB from `sql`. */
async function parquetOf(sql: string, options = 'FORMAT parquet'): Promise<Buffer> {
  const file = path.join(TMP, `p-${Date.now()}-${Math.random()}.parquet`);
  await node.connection.run(`COPY (${sql}) TO '${file}' (${options})`);
  return fs.readFileSync(file);
}

const TYPED = `SELECT * FROM (VALUES
  ('a', 1::INTEGER, 9007199254740993::BIGINT, 1.5::DOUBLE, 0.1::FLOAT, true, DATE '2024-02-29',
   TIMESTAMP '2024-01-02 03:04:05.123456', 12.50::DECIMAL(10,2), 123456789012345678.1234567890::DECIMAL(38,10),
   '\\x00\\xFFab\\x27'::BLOB, 'd9c6e7a0-1f5e-4b8a-9d3e-2a1b0c9d8e7f'::UUID, [1, 2, 3], {'x': 'y', 'n': 2}, 200::UTINYINT,
   -5::SMALLINT, 1e300::DOUBLE, -0.0::DOUBLE, TIME '12:34:56.5', 1.005::DECIMAL(4,3)),
  (NULL, NULL, -1, NULL, NULL, NULL, NULL, NULL, -0.05::DECIMAL(10,2), NULL, NULL, NULL, [], NULL, NULL,
   NULL, 1e-7, 7.0, NULL, -0.001)
) AS t(s, i, big, d, f, b, dt, ts, dec, bigdec, bl, u, l, st, ut, sm, d2, d3, tm, dec3)`;

describe('Parquet: engine-node’s text for every column', () => {
  for (const codec of ['snappy', 'zstd', 'gzip', 'uncompressed']) {
    it(`scalar types, lists and structs (${codec})`, async () => {
      const r = await both('typed.parquet', await parquetOf(TYPED, `FORMAT parquet, COMPRESSION ${codec}`));
      expect(r.load?.rowCount).toBe(2);
    });
  }

  it('several row groups, and names repaired', async () => {
    const sql = `SELECT i AS "Name", i::VARCHAR AS "name", (i * 1.5)::DOUBLE AS " NAME " FROM range(10000) t(i)`;
    const r = await both('groups.parquet', await parquetOf(sql, 'FORMAT parquet, ROW_GROUP_SIZE 2048'));
    expect(r.load?.rowCount).toBe(10000);
  });

  it('timestamps with a time zone, and nanoseconds', async () => {
    await both(
      'tz.parquet',
      await parquetOf(
        `SELECT TIMESTAMPTZ '2024-05-06 07:08:09.5+00' AS tz, TIMESTAMP_NS '2024-05-06 07:08:09.123456789' AS ns`,
      ),
    );
  });

  it('W1 (written by engine-node), and W1 written by engine-wasm’s own Parquet export', async () => {
    const w1 = await node.loadCsv('w1.csv', fs.readFileSync(path.join(ROOT, 'fixtures', 'w1', 'input.csv')));
    const file = path.join(TMP, 'w1.parquet');
    await node.export(w1, EMPTY as never, file, { format: 'parquet' });
    const r = await both('w1.parquet', fs.readFileSync(file));
    expect(r.load?.rowCount).toBe(5000);
    await node.drop(w1);
  });

  it('a file that is not Parquet', async () => {
    const bytes = Buffer.from('PAR1 this is not parquet at all PAR1');
    const r = await onPage('broken.parquet', bytes);
    expect(r).toEqual(await onNode('broken.parquet', bytes));
    expect(r.error).toMatchObject({
      code: 'IMPORT_FORMAT',
      message:
        'broken.parquet: not a valid Parquet file (its footer length (543976545 bytes) is larger than the file (the file may be cut short))',
    });
  });

  it('a Parquet file cut short, or not Parquet at all: the same words in both', async () => {
    const whole = await parquetOf('SELECT 1 AS a');
    const cut = await onPage('cut.parquet', whole.subarray(0, whole.length - 3));
    expect(cut).toEqual(await onNode('cut.parquet', whole.subarray(0, whole.length - 3)));
    expect(cut.error).toMatchObject({ message: expect.stringMatching(/does not end with PAR1/) });
    const csv = Buffer.from('a,b\n1,2\n3,4\n');
    expect(await onPage('csv.parquet', csv)).toEqual(await onNode('csv.parquet', csv));
  });
});

describe('formats by name', () => {
  it('refuses a name it cannot tell the format of, as engine-node does but without its --format flag', async () => {
    const bytes = Buffer.from('a,b\n1,2\n');
    const wasm = await onPage('data.dat', bytes, {});
    const native = await onNode('data.dat', bytes, {});
    expect(wasm.error).toMatchObject({ code: 'USAGE' });
    expect(native.error).toMatchObject({ code: 'USAGE' });
    expect((wasm.error as { message: string }).message).toMatch(
      /data\.dat .* "\.dat"; rename it to end in \.csv/,
    );
  });
});

/** An xlsx written by exceljs: two sheets, dates, rich text, formulas, gaps, a ragged row. */
async function workbook(rows: unknown[][], extra?: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Data');
  for (const r of rows) ws.addRow(r);
  extra?.(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('XLSX: engine-node’s guarded reader, header, cells and errors', () => {
  const BOOK = [
    ['id', 'Name', 'name', '', 'when'],
    [1, 'Ann', 12.5, true, new Date(Date.UTC(2024, 0, 31))],
    [2, { richText: [{ text: 'Bo' }, { text: 'b' }] }, { formula: 'C2*2', result: 25 }, null, null],
    [],
    [0.30000000000000004, '=not a formula', -3, false, new Date(Date.UTC(1900, 2, 1))],
  ];

  it('a workbook written by exceljs (first sheet, then another by name)', async () => {
    const book = await workbook(BOOK, (wb) => wb.addWorksheet('Notes').addRows([['note'], ['hello']]));
    const r = await both('book.xlsx', book);
    expect(r.load?.columns.map((c) => c.name)).toEqual(['id', 'Name', 'name_2', 'column_4', 'when']);
    // The blank row between rows 3 and 5 is a row of NULLs, as OpenRefine stores it.
    expect(r.load?.rowCount).toBe(4);
    await both('book.xlsx', book, { sheet: 'notes' });
    const missing = await both('book.xlsx', book, { sheet: 'Nope' });
    expect(missing.error).toMatchObject({ code: 'IMPORT_FORMAT' });
  });

  it('headers that look like numbers (years) keep their cells in their own columns', async () => {
    const book = await workbook([
      ['name', '2024', 'city', 1],
      ['Ann', 'x', 'Paris', 'one'],
      ['Bob', 'y', 'Lyon', 'two'],
    ]);
    const r = await both('years.xlsx', book);
    expect(r.load?.columns.map((c) => c.name)).toEqual(['name', '2024', 'city', '1']);
    expect(JSON.stringify(r)).toContain(JSON.stringify(['Ann', 'x', 'Paris', 'one']));
  });

  it('a row wider than the header: an error naming it, or columns added with ragged: extend', async () => {
    const book = await workbook([
      ['a', 'b'],
      [1, 2],
      [3, 4, 5, 6],
    ]);
    expect((await both('ragged.xlsx', book)).error).toMatchObject({
      code: 'IMPORT_RAGGED',
      location: { row: 3 },
    });
    const extended = await both('ragged.xlsx', book, { ragged: 'extend' });
    expect(extended.load?.columns.map((c) => c.name)).toEqual(['a', 'b', 'column_3', 'column_4']);
  });

  it('an empty sheet, a header alone, a zip that is not a workbook', async () => {
    expect((await both('empty.xlsx', await workbook([]))).error).toMatchObject({ code: 'IMPORT_EMPTY' });
    expect((await both('header.xlsx', await workbook([['a', 'b']]))).load?.rowCount).toBe(0);
    expect((await both('not.xlsx', Buffer.from('PK\u0005\u0006' + '\u0000'.repeat(18)))).error).toMatchObject(
      {
        code: 'IMPORT_FORMAT',
      },
    );
  });

  it('W1 as XLSX (written by engine-node)', async () => {
    const w1 = await node.loadCsv('w1.csv', fs.readFileSync(path.join(ROOT, 'fixtures', 'w1', 'input.csv')));
    const file = path.join(TMP, 'w1.xlsx');
    await node.export(w1, EMPTY as never, file, { format: 'xlsx', formulaGuard: false });
    const r = await both('w1.xlsx', fs.readFileSync(file));
    expect(r.load?.rowCount).toBe(5000);
    await node.drop(w1);
  });

  it('lists the sheets of a workbook', async () => {
    const book = await workbook(BOOK, (wb) => wb.addWorksheet('Notes'));
    expect(await page.evaluate((b) => window.tidyvaultTest.sheets(b), book.toString('base64'))).toEqual({
      value: ['Data', 'Notes'],
    });
  });
});

describe('the page', () => {
  it('leaves no table and no registered file behind', async () => {
    expect(await page.evaluate(() => window.tidyvaultTest.leftovers())).toEqual({ tables: [], files: [] });
  });

  it('requested nothing from another origin, broke no CSP rule', () => {
    expect(rec.foreign()).toEqual([]);
    expect(rec.cspViolations).toEqual([]);
    expect(rec.errors).toEqual([]);
    expect(rec.failedAssets).toEqual([]);
  });
});
