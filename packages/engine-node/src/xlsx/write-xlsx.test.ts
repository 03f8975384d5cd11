import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGuardedZip, TidyvaultError } from '@tidyvault/core';
import { readXlsxRows, type XlsxRow } from './read-xlsx.js';
import { columnLetters, safeSheetName, writeXlsx, type XlsxCell, type XlsxColumn } from './write-xlsx.js';

let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'write-xlsx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Memory (JS heap and buffers) still in use after a full collection: what the writer keeps. */
function retainedMemory(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

const fresh = () => join(dir, `w${counter++}.xlsx`);

async function* from<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

async function rowsOf(path: string): Promise<XlsxRow[]> {
  const rows: XlsxRow[] = [];
  for await (const row of readXlsxRows(path)) rows.push(row);
  return rows;
}

async function partText(path: string, part: string): Promise<string> {
  const zip = await openGuardedZip(await openAsBlob(path));
  const chunks: Uint8Array[] = [];
  for await (const c of zip.openEntry(part)) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

async function written(columns: XlsxColumn[], rows: XlsxCell[][], formulaGuard = true, sheetName?: string) {
  const path = fresh();
  await writeXlsx(
    path,
    columns,
    from(rows),
    sheetName === undefined ? { formulaGuard } : { formulaGuard, sheetName },
  );
  return path;
}

const columns: XlsxColumn[] = [
  { name: 'code', type: 'text' },
  { name: 'amount', type: 'number' },
  { name: 'count', type: 'integer' },
  { name: 'day', type: 'date' },
];

describe('writeXlsx → readXlsxRows', () => {
  it('round-trips text, numbers, dates, nulls, unicode and leading zeros', async () => {
    const path = await written(columns, [
      ['007', 12.5, 3, '2024-01-31'],
      ['Zürich 東京 🎉', -0.1, 9007199254740991n, '1900-01-01'],
      [null, null, null, null],
      ['', 1e21, -42n, '1900-03-01'],
      ['a & b < c > "d" \'e\'', 0, 0, '9999-12-31'],
      ['line\nbreak\ttab\rreturn', 3.14, null, null],
      ['  padded  ', null, 12345678901234567890n, '1899-12-31'],
      ['_x0041_ \u0001\u001f', '123.40', '00123', 'not a date'],
    ]);
    expect(await rowsOf(path)).toEqual([
      { rowNumber: 1, cells: ['code', 'amount', 'count', 'day'] },
      { rowNumber: 2, cells: ['007', '12.5', '3', '2024-01-31'] },
      { rowNumber: 3, cells: ['Zürich 東京 🎉', '-0.1', '9007199254740991', '1900-01-01'] },
      // A row of NULLs is kept as a bare row element (readers would otherwise lose it).
      { rowNumber: 4, cells: [] },
      { rowNumber: 5, cells: ['', '1e+21', '-42', '1900-03-01'] },
      { rowNumber: 6, cells: ['a & b < c > "d" \'e\'', '0', '0', '9999-12-31'] },
      { rowNumber: 7, cells: ['line\nbreak\ttab\rreturn', '3.14'] },
      { rowNumber: 8, cells: ['  padded  ', null, '12345678901234567890', '1899-12-31'] },
      { rowNumber: 9, cells: ['_x0041_ \u0001\u001f', '123.4', '123', 'not a date'] },
    ]);
  });

  it('keeps text that a double cannot hold exactly as text', async () => {
    const path = await written(
      [{ name: 'n', type: 'number' }],
      [['0.1'], ['12345678901234567890.5'], ['1e400'], ['abc'], ['-7']],
    );
    const sheet = await partText(path, 'xl/worksheets/sheet1.xml');
    expect(sheet).toContain('<c r="A2"><v>0.1</v></c>');
    expect(sheet).toContain('<c r="A3" t="inlineStr"><is><t>12345678901234567890.5</t></is></c>');
    expect(sheet).toContain('<c r="A4" t="inlineStr">');
    expect(sheet).toContain('<c r="A6"><v>-7</v></c>');
  });

  const tricky = fc.constantFrom(
    '\r',
    '\n',
    '\t',
    ' ',
    '\u0000',
    '\u000b',
    '\ufffe',
    '_',
    'x',
    '0',
    'A',
    '_x0041_',
    '<',
    '&',
    '"',
    ']]>',
  );
  const text = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.string({ unit: tricky, maxLength: 12 }),
  );

  it('round-trips any text exactly (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 20 }), async (texts) => {
        const path = await written(
          [{ name: 't', type: 'text' }],
          texts.map((t) => [t]),
          false,
        );
        const read = await rowsOf(path);
        const byRow = new Map(read.map((r) => [r.rowNumber, r.cells[0]]));
        texts.forEach((t, i) => expect(byRow.get(i + 2)).toBe(t));
      }),
      { numRuns: 40 },
    );
  });

  it('streams 100k rows, pulling them only as fast as the file is written', async () => {
    const path = fresh();
    const baseline = retainedMemory();
    let peak = 0;
    async function* many() {
      for (let i = 0; i < 100_000; i++) {
        if (i % 20_000 === 0) peak = Math.max(peak, retainedMemory() - baseline);
        yield [`r${i} ${'x'.repeat(i % 50)}`, i / 4, i, `2024-02-${String((i % 29) + 1).padStart(2, '0')}`];
      }
    }
    await writeXlsx(path, columns, many(), { formulaGuard: true });
    expect(peak).toBeLessThan(8 * 2 ** 20);
    let count = 0;
    let last: XlsxRow | undefined;
    for await (const row of readXlsxRows(path)) {
      count++;
      last = row;
    }
    expect(count).toBe(100_001);
    expect(last).toEqual({
      rowNumber: 100_001,
      cells: [`r99999 ${'x'.repeat(49)}`, '24999.75', '99999', '2024-02-08'],
    });
  });
});

describe('writeXlsx formula guard', () => {
  const risky = ['=1+1', '+1+1', '-1-A1', '@SUM(A1)', '\tx', '\rx', 'safe', "'quoted", '-1', '+1.5'];

  it('prefixes text cells (and header names) that start like a formula; numbers and dates never change', async () => {
    const path = await written(
      [
        { name: '=cmd', type: 'text' },
        { name: 'n', type: 'number' },
        { name: 'd', type: 'date' },
      ],
      risky.map((t, i) => [t, -i, '2024-01-01']),
    );
    const rows = await rowsOf(path);
    expect(rows[0]!.cells[0]).toBe("'=cmd");
    expect(rows.slice(1).map((r) => r.cells[0])).toEqual([
      "'=1+1",
      "'+1+1",
      "'-1-A1",
      "'@SUM(A1)",
      "'\tx",
      "'\rx",
      'safe',
      "'quoted",
      // Plain numbers kept as text: a spreadsheet reads them as numbers, never as formulas.
      '-1',
      '+1.5',
    ]);
    expect(rows.slice(1).map((r) => r.cells[1])).toEqual([
      '0',
      '-1',
      '-2',
      '-3',
      '-4',
      '-5',
      '-6',
      '-7',
      '-8',
      '-9',
    ]);
    expect(rows.slice(1).every((r) => r.cells[2] === '2024-01-01')).toBe(true);
  });

  it('leaves text alone when off, and never writes a formula either way', async () => {
    for (const guard of [false, true]) {
      const path = await written(
        [{ name: 't', type: 'text' }],
        risky.map((t) => [t]),
        guard,
      );
      const sheet = await partText(path, 'xl/worksheets/sheet1.xml');
      expect(sheet).not.toContain('<f');
      if (!guard) expect((await rowsOf(path)).slice(1).map((r) => r.cells[0])).toEqual(risky);
    }
  });
});

describe('writeXlsx output', () => {
  it('is a workbook exceljs reads: strings, numbers and real dates formatted yyyy-mm-dd', async () => {
    const path = await written(columns, [['=x', 2.5, 7, '2024-01-31']], true, 'My: Sheet?');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    const ws = wb.worksheets[0]!;
    expect(ws.name).toBe('My_ Sheet_');
    expect(ws.getCell('A2').value).toBe("'=x");
    expect(ws.getCell('A2').type).toBe(ExcelJS.ValueType.String);
    expect(ws.getCell('B2').value).toBe(2.5);
    expect(ws.getCell('D2').value).toEqual(new Date(Date.UTC(2024, 0, 31)));
    expect(ws.getCell('D2').numFmt).toBe('yyyy-mm-dd');
  });

  it('is readable only by its owner and carries no timestamp', async () => {
    const path = await written(columns, [['a', 1, 1, '2024-01-01']]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const zip = await openGuardedZip(await openAsBlob(path));
    expect(zip.entryNames).not.toContain('docProps/core.xml');
  });

  it('removes the partial file when the rows fail', async () => {
    const path = fresh();
    async function* failing() {
      yield ['a', 1, 1, null];
      throw new Error('source broke');
    }
    await expect(writeXlsx(path, columns, failing(), { formulaGuard: true })).rejects.toThrow('source broke');
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses more columns than a sheet holds', async () => {
    const wide = Array.from({ length: 16_385 }, (_, i) => ({ name: `c${i}`, type: 'text' as const }));
    const e = await writeXlsx(fresh(), wide, from([]), { formulaGuard: true }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TidyvaultError);
    expect((e as TidyvaultError).code).toBe('EXPORT');
    expect((e as Error).message).toMatch(/at most 16384 columns/);
  });

  it('refuses a text cell longer than an Excel cell holds, naming its row and column', async () => {
    const full = 'x'.repeat(32_767);
    expect((await rowsOf(await written(columns, [[full, 1, 1, null]], false)))[1]!.cells[0]).toBe(full);
    for (const [cell, guard] of [
      ['y'.repeat(32_768), false],
      [`=${'z'.repeat(32_766)}`, true],
    ] as const) {
      const path = fresh();
      const e = await writeXlsx(
        path,
        columns,
        from([
          ['a', 1, 1, null],
          [cell, 2, 2, null],
        ]),
        {
          formulaGuard: guard,
        },
      ).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(TidyvaultError);
      expect((e as TidyvaultError).code).toBe('EXPORT');
      expect((e as TidyvaultError).location).toEqual({ row: 2, column: 'code' });
      expect((e as Error).message).toBe(
        'row 2, column "code": 32768 characters, more than the 32767 an Excel cell holds; export to CSV or Parquet instead',
      );
      await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  it('names columns and sheets the way Excel allows', () => {
    expect([0, 25, 26, 701, 702, 16_383].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'ZZ', 'AAA', 'XFD']);
    expect(safeSheetName(undefined)).toBe('Data');
    expect(safeSheetName("'a/b[c]'")).toBe('a_b_c_');
    expect(safeSheetName('x'.repeat(40))).toHaveLength(31);
    expect(safeSheetName('History')).toBe('History_');
    expect(safeSheetName("''")).toBe('Data');
  });
});
