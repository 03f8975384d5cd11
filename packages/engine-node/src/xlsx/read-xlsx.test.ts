import ExcelJS from 'exceljs';
import { openAsBlob } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGuardedZip } from '@tidyvault/core';
import {
  handmadeXlsx,
  handmadeZip,
  type HandmadeXlsx,
} from '../../../core/src/xlsx-read/handmade-zip.test-helper.js';
import {
  DEFAULT_XLSX_CAPS,
  listXlsxSheets,
  readXlsxRows,
  XlsxError,
  type ReadXlsxOptions,
  type XlsxRow,
} from './read-xlsx.js';

let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'read-xlsx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fresh = (ext = 'xlsx') => join(dir, `f${counter++}.${ext}`);

async function rowsOf(path: string, options: ReadXlsxOptions = {}): Promise<XlsxRow[]> {
  const rows: XlsxRow[] = [];
  for await (const row of readXlsxRows(path, options)) rows.push(row);
  return rows;
}

async function handmade(x: HandmadeXlsx): Promise<string> {
  const path = fresh();
  await writeFile(path, handmadeXlsx(x));
  return path;
}

async function failure(work: Promise<unknown>): Promise<XlsxError> {
  const e = await work.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(XlsxError);
  return e as XlsxError;
}

async function twoSheetWorkbook(): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const data = wb.addWorksheet('Data');
  data.addRow(['id', 'name', 'amount', 'when', 'flag']);
  data.addRow([1, 'Ann', 12.5, new Date(Date.UTC(2024, 0, 31)), true]);
  data.addRow([
    2,
    { richText: [{ text: 'Bo', font: { bold: true } }, { text: 'b' }] },
    { formula: 'C2*2', result: 25 },
    null,
    false,
  ]);
  data.getCell('A5').value = { error: '#N/A' } as ExcelJS.CellErrorValue;
  data.getCell('C7').value = 'only C7';
  const stamp = data.getCell('D8');
  stamp.value = new Date(Date.UTC(2024, 1, 29, 13, 45, 30));
  stamp.numFmt = 'yyyy-mm-dd hh:mm:ss';
  const us = data.getCell('A9');
  us.value = new Date(Date.UTC(1999, 11, 31));
  us.numFmt = 'mm-dd-yy';
  const money = data.getCell('B9');
  money.value = 45322;
  money.numFmt = '#,##0.00 "days"';
  wb.addWorksheet('Notes').addRow(['note', 'hello']);
  const path = fresh();
  await wb.xlsx.writeFile(path);
  return path;
}

describe('readXlsxRows on a workbook written by exceljs', () => {
  let path: string;
  beforeAll(async () => {
    path = await twoSheetWorkbook();
  });

  it('lists the sheets in workbook order', async () => {
    expect(await listXlsxSheets(path)).toEqual(['Data', 'Notes']);
  });

  it('reads the first sheet by default: shared strings, rich text, formulas, errors, dates, gaps', async () => {
    expect(await rowsOf(path)).toEqual([
      { rowNumber: 1, cells: ['id', 'name', 'amount', 'when', 'flag'] },
      { rowNumber: 2, cells: ['1', 'Ann', '12.5', '2024-01-31', 'TRUE'] },
      { rowNumber: 3, cells: ['2', 'Bob', '25', null, 'FALSE'] },
      { rowNumber: 5, cells: ['#N/A'] },
      { rowNumber: 7, cells: [null, null, 'only C7'] },
      { rowNumber: 8, cells: [null, null, null, '2024-02-29 13:45:30'] },
      { rowNumber: 9, cells: ['1999-12-31', '45322'] },
    ]);
  });

  it('selects a sheet by name, exactly or ignoring case', async () => {
    expect(await rowsOf(path, { sheet: 'Notes' })).toEqual([{ rowNumber: 1, cells: ['note', 'hello'] }]);
    expect(await rowsOf(path, { sheet: 'notes' })).toEqual([{ rowNumber: 1, cells: ['note', 'hello'] }]);
  });

  it('names the available sheets when the sheet is unknown', async () => {
    const e = await failure(rowsOf(path, { sheet: 'Foo' }));
    expect(e.code).toBe('XLSX_SHEET');
    expect(e.message).toBe("sheet 'Foo' not found; sheets: Data, Notes");
  });

  it('stops cleanly when the caller stops early', async () => {
    for await (const row of readXlsxRows(path)) {
      expect(row.rowNumber).toBe(1);
      break;
    }
    expect((await rowsOf(path)).length).toBe(7);
  });
});

describe('readXlsxRows on handmade parts', () => {
  it('keeps number text exactly, reads inline strings, booleans, errors and cached formula values', async () => {
    const path = await handmade({
      sheetData:
        '<row r="2"><c r="A2"><v>0.30000000000000004</v></c><c r="B2"><v>1E-3</v></c><c r="C2"><v>12345678901234567890</v></c>' +
        '<c r="D2" t="b"><v>1</v></c><c r="E2" t="e"><v>#DIV/0!</v></c>' +
        '<c r="F2" t="str"><f>A1&amp;"x"</f><v>joined</v></c><c r="G2"><f>SUM(A:A)</f></c>' +
        '<c r="H2" t="inlineStr"><is><r><t>in</t></r><r><rPr><b/></rPr><t xml:space="preserve">line </t></r>' +
        '<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></is></c></row>' +
        '<row><c><v>7</v></c><c t="inlineStr"><is><t>next</t></is></c></row>' +
        '<row r="9"><c r="B9" s="0"/></row>',
    });
    expect(await rowsOf(path)).toEqual([
      {
        rowNumber: 2,
        cells: [
          '0.30000000000000004',
          '1E-3',
          '12345678901234567890',
          'TRUE',
          '#DIV/0!',
          'joined',
          null,
          'inline ',
        ],
      },
      { rowNumber: 3, cells: ['7', 'next'] },
    ]);
  });

  it('concatenates shared rich-text runs, skips phonetic runs and decodes _xHHHH_ escapes', async () => {
    const path = await handmade({
      sharedStrings:
        '<si><t>plain</t></si><si><r><t>ri</t></r><r><rPr><i/></rPr><t>ch</t></r></si>' +
        '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>' +
        '<si><t>a_x000D_b _x005F_x0041_</t></si><si><t/></si>',
      sheetData:
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>' +
        '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>',
    });
    expect(await rowsOf(path)).toEqual([
      { rowNumber: 1, cells: ['plain', 'rich', '東京', 'a\rb _x0041_', ''] },
    ]);
  });

  const dateStyles =
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="[h]:mm"/>' +
    '<numFmt numFmtId="166" formatCode="#,##0.00 &quot;days&quot;"/></numFmts>' +
    '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>' +
    '<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="22"/></cellXfs>';

  it('turns date-styled numbers into ISO text, with the 1900 leap-year bug', async () => {
    const cells = (s: number, values: string[]) =>
      values.map((v, i) => `<c r="${String.fromCharCode(65 + i)}${s + 1}" s="${s}"><v>${v}</v></c>`).join('');
    const path = await handmade({
      styles: dateStyles,
      sheetData: [
        ['45322', '1', '59', '60', '61'],
        ['45322.5', '0.75'],
        ['1.5'],
        ['45322'],
        ['45322.75', '2958466'],
      ]
        .map((values, i) => `<row r="${i + 2}">${cells(i + 1, values)}</row>`)
        .join(''),
    });
    expect(await rowsOf(path)).toEqual([
      { rowNumber: 2, cells: ['2024-01-31', '1900-01-01', '1900-02-28', '1900-02-29', '1900-03-01'] },
      { rowNumber: 3, cells: ['2024-01-31 12:00:00', '1899-12-31 18:00:00'] },
      { rowNumber: 4, cells: ['1900-01-01 12:00:00'] },
      { rowNumber: 5, cells: ['45322'] },
      { rowNumber: 6, cells: ['2024-01-31 18:00:00', '2958466'] },
    ]);
  });

  it('counts dates from 1904 when the workbook says date1904', async () => {
    const path = await handmade({
      workbookPr: '<workbookPr date1904="1"/>',
      styles: dateStyles,
      sheetData: '<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>43860</v></c></row>',
    });
    expect(await rowsOf(path)).toEqual([{ rowNumber: 1, cells: ['1904-01-01', '2024-01-31'] }]);
  });

  it('refuses a DOCTYPE in any part (no external entities, no entity expansion)', async () => {
    const xxe = await handmade({
      sheetData: '',
      sheetXml:
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
        '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>',
    });
    const e = await failure(rowsOf(xxe));
    expect(e.code).toBe('XLSX_UNSAFE');
    expect(e.message).toBe(
      "the xlsx part 'xl/worksheets/sheet1.xml' declares a DOCTYPE — refused (possible XML entity attack)",
    );
  });

  it('refuses entity expansion in the shared strings', async () => {
    const path = await handmade({
      sheetData: '',
      sharedStrings: '',
      sharedStringsXml:
        '<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&b;</t></si></sst>',
    });
    const e = await failure(rowsOf(path));
    expect(e.code).toBe('XLSX_UNSAFE');
    expect(e.message).toMatch(/'xl\/sharedStrings\.xml' declares a DOCTYPE/);
  });

  it('reports malformed XML and dangling shared-string indexes as corrupt', async () => {
    const broken = await handmade({ sheetData: '<row r="1"><c r="A1"><v>1</v></row>' });
    const e = await failure(rowsOf(broken));
    expect(e.code).toBe('XLSX_CORRUPT');
    expect(e.message).toMatch(
      /^the file is not a valid xlsx \(zip\) file: the part 'xl\/worksheets\/sheet1\.xml' is not well-formed XML/,
    );
    const dangling = await handmade({
      sharedStrings: '<si><t>a</t></si>',
      sheetData: '<row r="4"><c r="A4" t="s"><v>5</v></c></row>',
    });
    expect((await failure(rowsOf(dangling))).message).toMatch(
      /row 4: a cell refers to shared string '5', which does not exist/,
    );
  });
});

describe('readXlsxRows on files that are not (safe) xlsx', () => {
  it('reports truncated files, random bytes and other zips as corrupt, in words', async () => {
    const whole = await readFile(await twoSheetWorkbook());
    const truncated = fresh();
    await writeFile(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const random = fresh();
    await writeFile(random, Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 2654435761) >>> 24)));
    const otherZip = fresh('zip');
    await writeFile(otherZip, handmadeZip([{ name: 'word/document.xml', data: '<w/>' }]));
    for (const path of [truncated, random, otherZip]) {
      const e = await failure(rowsOf(path));
      expect(e.code).toBe('XLSX_CORRUPT');
      expect(e.message).toMatch(/^the file is not a valid xlsx \(zip\) file: \S/);
    }
    expect((await failure(listXlsxSheets(otherZip))).message).toMatch(/no workbook part/);
  });

  it('says when the file cannot be read at all', async () => {
    const missing = await failure(rowsOf(join(dir, 'nope.xlsx')));
    expect(missing.message).toBe('cannot read the xlsx file: the file does not exist');
    expect((await failure(listXlsxSheets(dir))).message).toBe(
      'cannot read the xlsx file: it is a folder, not a file',
    );
  });

  it('applies the caps it is given', async () => {
    const path = await twoSheetWorkbook();
    const e = await failure(rowsOf(path, { caps: { ...DEFAULT_XLSX_CAPS, maxTotalBytes: 2048 } }));
    expect(e.code).toBe('XLSX_LIMIT');
    expect(e.message).toBe('the xlsx expands to more than 2 KiB — refused as a possible zip bomb');
  });
});

async function uncompressedSize(path: string, part: string): Promise<number> {
  const zip = await openGuardedZip(await openAsBlob(path));
  let bytes = 0;
  for await (const c of zip.openEntry(part)) bytes += c.byteLength;
  return bytes;
}

/** Memory (JS heap and buffers) still in use after a full collection: what the reader keeps. */
function retainedMemory(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

describe('readXlsxRows streams', () => {
  const ROWS = 100_000;

  it('reads a 100k-row sheet holding one row at a time, not the sheet', async () => {
    const path = fresh();
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true });
    const ws = wb.addWorksheet('Big');
    ws.addRow(['id', 'name', 'city', 'amount', 'when', 'note']).commit();
    for (let i = 1; i <= ROWS; i++) {
      const when = new Date(Date.UTC(2020, 0, 1 + (i % 1000)));
      ws.addRow([
        i,
        `name-${i}`,
        `city-${i % 977}`,
        i * 1.25,
        when,
        `note ${i} ${'x'.repeat(i % 40)}`,
      ]).commit();
    }
    ws.commit();
    await wb.commit();

    const sheetXmlBytes = await uncompressedSize(path, 'xl/worksheets/sheet1.xml');
    const baseline = retainedMemory();
    let peak = 0;
    let count = 0;
    let last: XlsxRow | undefined;
    for await (const row of readXlsxRows(path)) {
      count++;
      last = row;
      if (count % 10_000 === 0) peak = Math.max(peak, retainedMemory() - baseline);
    }
    expect(count).toBe(ROWS + 1);
    expect(last).toEqual({
      rowNumber: ROWS + 1,
      cells: [
        String(ROWS),
        `name-${ROWS}`,
        `city-${ROWS % 977}`,
        String(ROWS * 1.25),
        '2020-01-01',
        `note ${ROWS} `,
      ],
    });
    expect(sheetXmlBytes).toBeGreaterThan(25 * 2 ** 20);
    expect(peak).toBeLessThan(sheetXmlBytes / 4);
  });

  it('hands rows over before the end of the sheet is parsed', async () => {
    const rows = Array.from(
      { length: 50_000 },
      (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c></row>`,
    );
    const path = await handmade({
      sheetData: '',
      sheetXml: `<worksheet><sheetData>${rows.join('')}<row r="x">`,
    });
    let seen = 0;
    const e = await failure(
      (async () => {
        for await (const _ of readXlsxRows(path)) seen++;
      })(),
    );
    expect(e.code).toBe('XLSX_CORRUPT');
    expect(seen).toBeGreaterThan(40_000);
  });
});
