import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_XLSX_CAPS as NODE_CAPS,
  listXlsxSheets as nodeSheets,
  readXlsxRows as nodeRows,
} from '../../../../engine-node/src/xlsx/read-xlsx.js';
import {
  handmadeXlsx,
  handmadeZip,
  type HandmadeXlsx,
} from '../../../../engine-node/src/xlsx/handmade-zip.test-helper.js';
import { listXlsxSheets, readXlsxRows } from './reader.js';
import { DEFAULT_XLSX_CAPS, type XlsxCaps } from './zip.js';

/*
 * The browser's xlsx reader (a File, DecompressionStream) against engine-node's (a path, yauzl)
 * on the same bytes: the same rows, or the same error code and words.
 */

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasm-xlsx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Outcome = { rows: unknown[] } | { error: { code: string; message: string } };

async function outcome(rows: AsyncIterable<unknown>): Promise<Outcome> {
  const out: unknown[] = [];
  try {
    for await (const r of rows) out.push(r);
    return { rows: out };
  } catch (e) {
    const x = e as { code?: string; message: string };
    return { error: { code: x.code ?? 'none', message: x.message } };
  }
}

/** Both readers on `bytes`: they must agree; returns what they said. */
async function both(bytes: Buffer, options: { sheet?: string; caps?: XlsxCaps } = {}): Promise<Outcome> {
  const path = join(dir, `f${counter++}.xlsx`);
  await writeFile(path, bytes);
  const mine = await outcome(readXlsxRows(new Blob([bytes]), options));
  const theirs = await outcome(nodeRows(path, options));
  expect(mine).toEqual(theirs);
  return mine;
}

const rowsOf = (o: Outcome) => ('rows' in o ? o.rows : undefined);
const errorOf = (o: Outcome) => ('error' in o ? o.error : undefined);

async function exceljsWorkbook(): Promise<Buffer> {
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
  wb.addWorksheet('Notes').addRow(['note', 'hello']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const dateStyles =
  '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="166" formatCode="#,##0.00 &quot;days&quot;"/></numFmts>' +
  '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="166"/></cellXfs>';

const HANDMADE: Record<string, HandmadeXlsx> = {
  'numbers, inline strings, booleans, errors, formulas': {
    sheetData:
      '<row r="2"><c r="A2"><v>0.30000000000000004</v></c><c r="B2"><v>1E-3</v></c><c r="C2"><v>12345678901234567890</v></c>' +
      '<c r="D2" t="b"><v>1</v></c><c r="E2" t="e"><v>#DIV/0!</v></c>' +
      '<c r="F2" t="str"><f>A1&amp;"x"</f><v>joined</v></c><c r="G2"><f>SUM(A:A)</f></c>' +
      '<c r="H2" t="inlineStr"><is><r><t>in</t></r><r><t xml:space="preserve">line </t></r></is></c><c r="J2" t="d"><v>2024-02-29T00:00:00</v></c></row>',
  },
  'shared rich text, phonetic runs, escapes': {
    sharedStrings:
      '<si><t>plain</t></si><si><r><t>ri</t></r><r><t>ch</t></r></si><si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>' +
      '<si><t>a_x000D_b _x005F_x0041_</t></si><si><t/></si>',
    sheetData:
      '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>',
  },
  'dates, the 1900 bug, custom formats': {
    styles: dateStyles,
    sheetData:
      '<row r="1"><c r="A1" s="1"><v>45322</v></c><c r="B1" s="1"><v>60</v></c><c r="C1" s="2"><v>45322.5</v></c><c r="D1" s="3"><v>45322</v></c><c r="E1" s="1"><v>2958466</v></c></row>',
  },
  'dates from 1904': {
    workbookPr: '<workbookPr date1904="1"/>',
    styles: dateStyles,
    sheetData: '<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>43860</v></c></row>',
  },
  'a DOCTYPE': {
    sheetData: '',
    sheetXml:
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet><sheetData/></worksheet>',
  },
  'malformed XML': { sheetData: '<row r="1"><c r="A1"><v>1</v></row>' },
  'a dangling shared string': {
    sharedStrings: '<si><t>a</t></si>',
    sheetData: '<row r="4"><c r="A4" t="s"><v>5</v></c></row>',
  },
  'a bad cell reference': { sheetData: '<row r="1"><c r="1A"><v>1</v></c></row>' },
};

describe('the browser xlsx reader is engine-node’s', () => {
  it('has the same caps', () => {
    expect(DEFAULT_XLSX_CAPS).toEqual(NODE_CAPS);
  });

  it('reads a workbook written by exceljs, by default the first sheet, by name another', async () => {
    const book = await exceljsWorkbook();
    expect(rowsOf(await both(book))).toHaveLength(6);
    expect(rowsOf(await both(book, { sheet: 'notes' }))).toEqual([
      { rowNumber: 1, cells: ['note', 'hello'] },
    ]);
    expect(errorOf(await both(book, { sheet: 'Foo' }))).toEqual({
      code: 'XLSX_SHEET',
      message: "sheet 'Foo' not found; sheets: Data, Notes",
    });
    const path = join(dir, 'book.xlsx');
    await writeFile(path, book);
    expect(await listXlsxSheets(new Blob([book]))).toEqual(await nodeSheets(path));
  });

  for (const [name, x] of Object.entries(HANDMADE)) {
    it(name, async () => {
      await both(handmadeXlsx(x));
    });
  }

  it('refuses unsafe zips in the same words', async () => {
    const xlsx = (extra: Parameters<typeof handmadeZip>[0]) =>
      handmadeZip([...extra, { name: 'xl/workbook.xml', data: '<workbook/>' }]);
    const cases = [
      xlsx([{ name: '../evil.xml', data: 'x' }]),
      xlsx([{ name: '/abs.xml', data: 'x' }]),
      xlsx([{ name: 'link', data: 'target', unixMode: 0o120777 }]),
      xlsx([{ name: 'secret.xml', data: 'x', flags: 1 }]),
      xlsx([{ name: 'inner.zip', data: 'x' }]),
      xlsx([
        { name: 'A.xml', data: 'x' },
        { name: 'a.xml', data: 'y' },
      ]),
      xlsx([{ name: 'big.xml', data: 'x', declaredSize: 600 * 2 ** 20 }]),
    ];
    for (const bytes of cases) expect(errorOf(await both(bytes))?.code).toMatch(/^XLSX_(UNSAFE|LIMIT)$/);
  });

  it('refuses a part that inflates past its header, too many entries, and the caps it is given', async () => {
    const lying = handmadeXlsx({ sheetData: '<row r="1"><c r="A1"><v>1</v></c></row>' });
    expect(errorOf(await both(lying, { caps: { ...DEFAULT_XLSX_CAPS, maxTotalBytes: 300 } }))?.code).toBe(
      'XLSX_LIMIT',
    );
    const liar = handmadeZip([
      { name: '_rels/.rels', data: '<Relationships/>' },
      { name: 'xl/workbook.xml', data: '<workbook>' + 'x'.repeat(5000) + '</workbook>', declaredSize: 100 },
    ]);
    expect(errorOf(await both(liar))?.code).toBe('XLSX_LIMIT');
    const many = handmadeZip(Array.from({ length: 12 }, (_, i) => ({ name: `p${i}.xml`, data: 'x' })));
    expect(errorOf(await both(many, { caps: { ...DEFAULT_XLSX_CAPS, maxEntries: 10 } }))).toEqual({
      code: 'XLSX_LIMIT',
      message: 'the xlsx has more than 10 entries — refused as a possible zip bomb',
    });
  });

  it('says what a file that is not an xlsx is', async () => {
    expect(errorOf(await both(Buffer.from('d0cf11e0a1b11ae1' + '00'.repeat(100), 'hex')))).toMatchObject({
      code: 'XLSX_CORRUPT',
      message: expect.stringMatching(/password-protected workbook or a legacy \.xls/),
    });
    const other = await both(handmadeZip([{ name: 'word/document.xml', data: '<w/>' }]));
    expect(errorOf(other)?.message).toMatch(/no workbook part/);
    const random = await outcome(readXlsxRows(new Blob([Buffer.alloc(5000, 7)])));
    expect(errorOf(random)).toMatchObject({ code: 'XLSX_CORRUPT' });
  });
});
