import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_HEADER_GUESSED } from '@tidyvault/core';
import { NodeEngine } from '../node-engine.js';
import { writeXlsx } from '../xlsx/write-xlsx.js';
import type { ImportOptions } from './types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-import-'));
let engine: NodeEngine;
const files: string[] = [];

function file(name: string, content: string | Uint8Array): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  files.push(p);
  return p;
}

/** Import then read back every row as the engine sees it. */
async function load(p: string, o: ImportOptions = {}) {
  const ds = await engine.importFile(p, path.basename(p), o);
  const table = await engine.run(ds, { version: 1, steps: [] });
  await engine.drop(ds);
  return { names: table.columns.map((c) => c.name), rows: table.rows, warnings: ds.warnings };
}

beforeAll(async () => {
  file('utf8.csv', 'name,city\nAnn,Zürich\n');
  file('years.csv', 'region,2022,2023\nEurope,100,200\nUS,300,400\n');
  file('bom.csv', '\ufeffname,city\nAnn,Zürich\n');
  file(
    'utf16le.csv',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,city\r\nAnn,Zürich\r\n', 'utf16le')]),
  );
  const be = Buffer.from('name,city\nAnn,Zürich\n', 'utf16le').swap16();
  file('utf16be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
  file(
    'cp1252.csv',
    Buffer.from([
      ...Buffer.from('name,city\nAnn,Z'),
      0xfc,
      ...Buffer.from('rich \x80 \x93q\x94\n', 'latin1'),
    ]),
  );
  file('mixed.csv', 'name,city\r\nAnn,"Two\r\nlines"\nBob,Paris\rCy,Rome\r\n');
  file('semicolon.csv', 'name;amount\nAnn;1,5\nBob;2,0\n');
  file('tab.tsv', 'name\tcity\nAnn\tParis\n');
  file('headers.csv', ',name,name,\ufeffx, name \nA,B,C,D,E\n');
  file('short.csv', 'a,b,c\n1,2,3\n4\n5,6\n');
  file('ragged.csv', 'a,b\n1,2\n3,4,5,6\n');
  file('empty-fields.csv', 'a,b\n,""\n');
  file('cp1252-header.csv', Buffer.from('Straße,Größe\nA,B\n', 'latin1'));
  file('case.csv', 'Name,name,NAME\n1,2,3\n');
  const long = 'id,text\n' + Array.from({ length: 80_000 }, (_, i) => `${i},row number ${i}\n`).join('');
  file('late-cr.csv', long + '80000,late\r80001,later\r');
  for (const [name, text] of Object.entries(JSON_FILES)) file(name, text);
  file('not.parquet', 'PAR1 this is not parquet at all PAR1');
  file('not-utf8.ndjson', Buffer.from([...Buffer.from('{"a":1}\n{"a":"'), 0xff, ...Buffer.from('"}\n')]));
  allowed = files.slice();
  engine = await NodeEngine.open({ allowedPaths: [...allowed, path.join(dir, 'data.parquet')], threads: 2 });
});
let allowed: string[] = [];

const JSON_FILES: Record<string, string> = {
  'cut-after-comma.json': '[{"a":1},{"a":2},\n',
  'cut-after-first.json': '[{"a":1},',
  'unclosed.json': '[{"a":1},{"a":2}',
  'trailing-comma.ndjson': '{"a":1}\n{"a":2,}\n',
  'bad-line.ndjson': '{"a":1}\n{"a":2}\n{"a":3}\nnot json\n{"a":5}\n',
  'blank-lines.ndjson': '{"a":1}\n\n\n{"a": oops}\n',
  'number-line.ndjson': '{"a":1}\n\n5\n',
  'pretty.json': '[\n  {"a": 1},\n  {"b": 2, "c" 3}\n]\n',
  'ok.ndjson': '{"a":1}\r\n\r\n{"b":[1,{"c":"\\u00e9"}],"a":null}\r\n',
};
afterAll(async () => {
  await engine.close();
});

describe('CSV import', () => {
  it.each(['utf8.csv', 'bom.csv', 'utf16le.csv', 'utf16be.csv'])(
    'decodes %s with no BOM in the first name',
    async (name) => {
      const r = await load(path.join(dir, name));
      expect(r.names).toEqual(['name', 'city']);
      expect(r.rows).toEqual([['Ann', 'Zürich']]);
    },
  );

  it('falls back to Windows-1252 and says so', async () => {
    const r = await load(path.join(dir, 'cp1252.csv'));
    expect(r.rows).toEqual([['Ann', 'Zürich € “q”']]);
    expect(r.warnings.join(' ')).toMatch(/Windows-1252/);
  });

  it('reads mixed and CR-only line endings, keeping newlines inside quotes', async () => {
    const r = await load(path.join(dir, 'mixed.csv'));
    expect(r.rows).toEqual([
      ['Ann', 'Two\r\nlines'],
      ['Bob', 'Paris'],
      ['Cy', 'Rome'],
    ]);
  });

  it('sniffs semicolons and tabs', async () => {
    expect((await load(path.join(dir, 'semicolon.csv'))).rows).toEqual([
      ['Ann', '1,5'],
      ['Bob', '2,0'],
    ]);
    expect((await load(path.join(dir, 'tab.tsv'))).names).toEqual(['name', 'city']);
  });

  it('repairs empty and duplicate header names and strips stray BOMs', async () => {
    expect((await load(path.join(dir, 'headers.csv'))).names).toEqual([
      'column_1',
      'name',
      'name_2',
      'x',
      'name_3',
    ]);
  });

  it('pads short rows with NULL and counts them', async () => {
    const r = await load(path.join(dir, 'short.csv'));
    expect(r.rows).toEqual([
      ['1', '2', '3'],
      ['4', null, null],
      ['5', '6', null],
    ]);
    expect(r.warnings).toContain(
      '2 rows had fewer fields than the header and were padded with empty (null) cells',
    );
  });

  it('says when it guessed that the first row is data, and reads it as a header when asked', async () => {
    const years = path.join(dir, 'years.csv');
    const guessed = await load(years);
    expect(guessed.names).toEqual(['column_1', 'column_2', 'column_3']);
    expect(guessed.warnings).toEqual([NO_HEADER_GUESSED]);
    expect(NO_HEADER_GUESSED).toMatch(/^the first row was read as data, not as a header: .*--header/);
    const asked = await load(years, { header: true });
    expect(asked.names).toEqual(['region', '2022', '2023']);
    expect(asked.warnings).toEqual([]);
    expect((await load(years, { header: false })).warnings).toEqual([]);
    expect((await load(path.join(dir, 'utf8.csv'))).warnings).toEqual([]);
  });

  it('refuses long rows naming the line, or extends with --ragged extend', async () => {
    await expect(load(path.join(dir, 'ragged.csv'))).rejects.toThrow(
      /ragged\.csv: line 3: 4 fields, but the header has 2/,
    );
    const r = await load(path.join(dir, 'ragged.csv'), { ragged: 'extend' });
    expect(r.names).toEqual(['a', 'b', 'column_3', 'column_4']);
    expect(r.rows).toEqual([
      ['1', '2', null, null],
      ['3', '4', '5', '6'],
    ]);
  });

  it('decodes a Windows-1252 header row', async () => {
    expect((await load(path.join(dir, 'cp1252-header.csv'))).names).toEqual(['Straße', 'Größe']);
  });

  it('renames header names that differ only in case (DuckDB columns are case-insensitive)', async () => {
    const r = await load(path.join(dir, 'case.csv'));
    expect(r.names).toEqual(['Name', 'name_2', 'NAME_3']);
    expect(r.rows).toEqual([['1', '2', '3']]);
  });

  it('reads lone CR line endings that first appear after the sniffed sample', async () => {
    const r = await load(path.join(dir, 'late-cr.csv'));
    expect(r.rows).toHaveLength(80_002);
    expect(r.rows.slice(-2)).toEqual([
      ['80000', 'late'],
      ['80001', 'later'],
    ]);
  });

  it('keeps empty fields as empty strings, not NULL', async () => {
    expect((await load(path.join(dir, 'empty-fields.csv'))).rows).toEqual([['', '']]);
  });
});

describe('other formats', () => {
  it('reads the named xlsx sheet, first by default', async () => {
    const xlsx = path.join(dir, 'two.xlsx');
    const rows = async function* (values: (string | null)[][]) {
      yield* values;
    };
    await writeXlsx(xlsx, [{ name: 'zip', type: 'text' }], rows([['00123'], [null]]), {
      formulaGuard: false,
      sheetName: 'First',
    });
    expect((await load(xlsx)).rows).toEqual([['00123'], [null]]);
    await expect(load(xlsx, { sheet: 'Nope' })).rejects.toThrow(/sheet 'Nope' not found; sheets: First/);
  });

  it('reads parquet columns as text', async () => {
    const pq = path.join(dir, 'data.parquet');
    const ds = await engine.importFile(path.join(dir, 'utf8.csv'), 'utf8.csv');
    await engine.export(
      ds,
      { version: 1, steps: [{ op: 'to-number', columns: [] as never }].slice(0, 0) },
      pq,
      { format: 'parquet' },
    );
    const r = await load(pq);
    expect(r.names).toEqual(['name', 'city']);
    expect(r.rows).toEqual([['Ann', 'Zürich']]);
  });
});

describe('JSON and NDJSON errors name the file, the line and what is wrong', () => {
  /** Imported under an upload name, as the server does with a staged file. */
  async function refused(name: string) {
    const p = path.join(dir, name);
    const e = await engine.importFile(p, `upload-${name}`).then(
      () => undefined,
      (err: unknown) => err as { code: string; message: string; location: object },
    );
    expect(e, name).toBeDefined();
    expect(e!.message).not.toContain(dir);
    return e!;
  }

  it('refuses an array cut off after a comma, saying where the file ends', async () => {
    expect(await refused('cut-after-comma.json')).toMatchObject({
      code: 'IMPORT_FORMAT',
      message:
        "upload-cut-after-comma.json: not valid JSON (expected a JSON array of objects): line 2, column 1 (after element 2 of the array): the file ends unexpectedly: expected another element after ','",
      location: { file: 'upload-cut-after-comma.json', line: 2 },
    });
    expect((await refused('cut-after-first.json')).message).toMatch(
      /line 1, column 10 \(after element 1 of the array\): the file ends unexpectedly/,
    );
    expect((await refused('unclosed.json')).message).toMatch(/the array is never closed/);
  });

  it('refuses a trailing comma in an NDJSON object, naming the line', async () => {
    expect(await refused('trailing-comma.ndjson')).toMatchObject({
      code: 'IMPORT_FORMAT',
      message:
        "upload-trailing-comma.ndjson: not valid NDJSON (expected one JSON object per line): line 2, column 8: a trailing comma before '}'",
      location: { line: 2 },
    });
  });

  it('names the physical line of the bad record, blank lines counted', async () => {
    expect((await refused('bad-line.ndjson')).location).toMatchObject({ line: 4 });
    expect((await refused('bad-line.ndjson')).message).toMatch(/: line 4, column 2: /);
    expect((await refused('blank-lines.ndjson')).message).toMatch(/: line 4, column 7: expected a value$/);
    expect(await refused('number-line.ndjson')).toMatchObject({
      message: 'upload-number-line.ndjson: line 3 is a number, not an object (expected one object per line)',
      location: { line: 3 },
    });
  });

  it('names the line, column and element of a JSON array’s syntax error', async () => {
    expect(await refused('pretty.json')).toMatchObject({
      message:
        "upload-pretty.json: not valid JSON (expected a JSON array of objects): line 3, column 16 (element 2 of the array): expected ':' after the key",
      location: { line: 3, row: 2 },
    });
  });

  it('refuses bytes that are not UTF-8, naming the line', async () => {
    expect(await refused('not-utf8.ndjson')).toMatchObject({
      code: 'IMPORT_ENCODING',
      message: 'upload-not-utf8.ndjson: line 2: byte 15 is not valid UTF-8 (NDJSON must be UTF-8 text)',
      location: { line: 2 },
    });
  });

  it('reads CRLF lines and blank lines', async () => {
    const r = await load(path.join(dir, 'ok.ndjson'));
    expect(r.names).toEqual(['a', 'b']);
    expect(r.rows).toEqual([
      ['1', null],
      [null, '[1,{"c":"é"}]'],
    ]);
  });

  it('a broken Parquet file is named by its upload name, never its path', async () => {
    expect(await refused('not.parquet')).toMatchObject({
      code: 'IMPORT_FORMAT',
      message: expect.stringMatching(/^upload-not\.parquet: not a valid Parquet file \(its footer length/),
    });
  });
});

describe('keys that name JavaScript object internals (prototype pollution)', () => {
  it('are ordinary column names in JSON, NDJSON and CSV, and pollute nothing', async () => {
    const records = '{"__proto__":"p","constructor":"c","prototype":"t","toString":"s"}';
    const json = file('proto.json', `[${records},{"__proto__":{"polluted":1},"constructor":null}]`);
    const ndjson = file('proto.ndjson', `${records}\n`);
    const csv = file('proto.csv', '__proto__,constructor,prototype,toString\np,c,t,s\n');
    const own = await NodeEngine.open({ allowedPaths: [json, ndjson, csv], threads: 1 });
    const read = async (p: string) => {
      const ds = await own.importFile(p, path.basename(p), {});
      const table = await own.run(ds, { version: 1, steps: [] });
      await own.drop(ds);
      return { names: table.columns.map((c) => c.name), rows: table.rows };
    };
    try {
      for (const p of [json, ndjson, csv]) {
        const { names, rows } = await read(p);
        expect(names, path.basename(p)).toEqual(['__proto__', 'constructor', 'prototype', 'toString']);
        expect(rows[0], path.basename(p)).toEqual(['p', 'c', 't', 's']);
      }
      const { rows } = await read(json);
      expect(rows[1]![0]).toBe('{"polluted":1}');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    } finally {
      await own.close();
    }
  });
});
