import { describe, expect, it } from 'vitest';
import { handmadeZip } from './handmade-zip.test-helper.js';
import { readXlsxRows } from './read-xlsx.js';

const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A one-sheet workbook whose `rows` cells all refer to one shared string. */
function workbook(shared: string, rows: number): Blob {
  const cells = Array.from(
    { length: rows },
    (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="s"><v>0</v></c></row>`,
  );
  return new Blob([
    handmadeZip([
      {
        name: '_rels/.rels',
        data: `<Relationships><Relationship Id="r1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      },
      {
        name: 'xl/workbook.xml',
        data: `<workbook xmlns:r="${REL}"><sheets><sheet name="S" sheetId="1" r:id="r1"/></sheets></workbook>`,
      },
      {
        name: 'xl/_rels/workbook.xml.rels',
        data: `<Relationships><Relationship Id="r1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="r2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
      },
      { name: 'xl/sharedStrings.xml', data: `<sst><si><t>${shared}</t></si></sst>` },
      {
        name: 'xl/worksheets/sheet1.xml',
        data: `<worksheet><sheetData>${cells.join('')}</sheetData></worksheet>`,
      },
    ]),
  ]);
}

async function count(blob: Blob): Promise<number> {
  let n = 0;
  for await (const _ of readXlsxRows(blob)) n++;
  return n;
}

describe('shared strings repeated by many cells', () => {
  it('are read while they stay within 100 times the sheet (at least 64 M characters)', async () => {
    expect(await count(workbook('x'.repeat(1000), 20_000))).toBe(20_000);
  });

  it('are refused as a zip bomb past that: a 1 MB file expanding to gigabytes of text', async () => {
    await expect(count(workbook('y'.repeat(1_000_000), 3_000))).rejects.toMatchObject({
      code: 'XLSX_LIMIT',
      message: expect.stringMatching(
        /^sheet 'S' row 6\d: its cells repeat shared strings into more than 100 times the sheet's own size/,
      ),
    });
  });
});
