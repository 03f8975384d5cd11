import { describe, expect, it } from 'vitest';
import { handmadeXlsx, handmadeZip } from './handmade-zip.test-helper.js';
import { xlsxTable } from './xlsx-table.js';

async function table(sheetData: string): Promise<{ names: string[]; rows: (string | null)[][] }> {
  const t = await xlsxTable(new Blob([handmadeXlsx({ sheetData })]), 'f.xlsx');
  const rows: (string | null)[][] = [];
  for await (const r of t.rows) rows.push(r);
  return { names: t.names, rows };
}

const row = (n: number, ...values: string[]) =>
  `<row r="${n}">${values.map((v, i) => `<c r="${String.fromCharCode(65 + i)}${n}" t="inlineStr"><is><t>${v}</t></is></c>`).join('')}</row>`;

describe('xlsxTable: blank rows', () => {
  it('keeps blank rows between data rows as rows of NULLs, as OpenRefine stores them', async () => {
    const t = await table(`<row r="1" ht="20"/>${row(2, 'a', 'b')}${row(3, 'x', '1')}${row(5, 'y', '2')}`);
    expect(t.names).toEqual(['a', 'b']);
    expect(t.rows).toEqual([['x', '1'], [], ['y', '2']]);
  });

  it('keeps bare trailing rows (a row of NULLs Tidyvault wrote) but not rows kept for their formatting', async () => {
    const t = await table(
      `${row(1, 'a')}${row(2, 'x')}<row r="3"/><row r="4" spans="1:1"/><row r="5" s="2" customFormat="1"/><row r="6"><c r="A6" s="1"/></row>`,
    );
    expect(t.rows).toEqual([['x'], [], []]);
  });
});

describe('xlsxTable: formulas', () => {
  it('warns of formula cells without a computed value, which are read as empty', async () => {
    const t = await xlsxTable(
      new Blob([
        handmadeXlsx({
          sheetData: `${row(1, 'a', 'f')}<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f>A2*2</f><v>4</v></c></row><row r="3"><c r="A3"><v>3</v></c><c r="B3"><f>A3*2</f></c></row><row r="4"><c r="A4"><v>5</v></c><c r="B4"><f>A4*2</f></c></row>`,
        }),
      ]),
      'f.xlsx',
    );
    const rows: (string | null)[][] = [];
    for await (const r of t.rows) rows.push(r);
    expect(rows).toEqual([['2', '4'], ['3'], ['5']]);
    expect(t.warnings()).toEqual([
      '2 formula cells have no computed value saved in the file (the first at sheet row 3) and are read as empty: open and save the file in a spreadsheet program to compute them',
    ]);
  });
});

describe('xlsxTable: an empty sheet', () => {
  it('is named, with the other sheets to choose from', async () => {
    const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
    const sheet = (data: string) => `<worksheet><sheetData>${data}</sheetData></worksheet>`;
    const blob = new Blob([
      handmadeZip([
        {
          name: '_rels/.rels',
          data: `<Relationships><Relationship Id="r1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
        },
        {
          name: 'xl/workbook.xml',
          data: `<workbook xmlns:r="${REL}"><sheets><sheet name="Cover" sheetId="1" r:id="r1"/><sheet name="Data" sheetId="2" r:id="r2"/></sheets></workbook>`,
        },
        {
          name: 'xl/_rels/workbook.xml.rels',
          data: `<Relationships><Relationship Id="r1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="r2" Type="${REL}/worksheet" Target="worksheets/sheet2.xml"/></Relationships>`,
        },
        { name: 'xl/worksheets/sheet1.xml', data: sheet('') },
        { name: 'xl/worksheets/sheet2.xml', data: sheet(row(1, 'a')) },
      ]),
    ]);
    await expect(xlsxTable(blob, 'f.xlsx')).rejects.toThrow(
      "f.xlsx: the sheet 'Cover' is empty (other sheets: Data; choose one with --sheet)",
    );
    expect((await xlsxTable(blob, 'f.xlsx', { sheet: 'data' })).names).toEqual(['a']);
  });
});

describe('xlsxTable: a cell given twice', () => {
  it('is refused, naming it (one of its values would be dropped)', async () => {
    await expect(
      table(
        `${row(1, 'a', 'b')}${row(2, 'x', 'first').replace('</row>', '')}<c r="A2" t="inlineStr"><is><t>second</t></is></c><c r="B2" t="inlineStr"><is><t>dup</t></is></c></row>`,
      ),
    ).rejects.toThrow("f.xlsx: the workbook is damaged: sheet 'Only' row 2: the cell A2 is given twice");
  });
});
