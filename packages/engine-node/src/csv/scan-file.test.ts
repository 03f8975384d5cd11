import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanCsvFile } from './scan-file.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-scan-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(bytes: Uint8Array | string): string {
  const p = path.join(dir, 'in.csv');
  fs.writeFileSync(p, bytes);
  return p;
}

describe('scanCsvFile', () => {
  it('reports an over-long row by its physical line', async () => {
    const p = file('id,note\n1,"two\nlines"\n2,x,extra\n3,y\n');
    const report = await scanCsvFile(p, {
      encoding: 'utf-8',
      bomLength: 0,
      delimiter: ',',
      quote: '"',
      expectedFields: 2,
    });
    expect(report).toMatchObject({
      records: 4,
      maxFields: 3,
      firstLongRecord: { line: 4, fields: 3 },
      shortRecords: 0,
    });
  });

  it('names the line where an unterminated quote opens', async () => {
    const p = file('a;b\r\n1;2\r\n3;"4\r\n5;6\r\n');
    const report = await scanCsvFile(p, { encoding: 'utf-8', bomLength: 0, delimiter: ';', quote: '"' });
    expect(report.unterminatedQuote).toEqual({ line: 3 });
  });

  it('reads UTF-16 after its byte-order mark', async () => {
    const p = file(Buffer.from('\uFEFFa\tb\n1\t2\n3\n', 'utf16le'));
    const report = await scanCsvFile(p, {
      encoding: 'utf-16le',
      bomLength: 2,
      delimiter: '\t',
      quote: '"',
      expectedFields: 2,
    });
    expect(report).toMatchObject({ records: 3, shortRecords: 1, maxFields: 2 });
  });

  it('reads Windows-1252', async () => {
    const p = file(Buffer.from([0x61, 0x7c, 0x80, 0x0a, 0x92, 0x7c, 0xe9, 0x7c, 0x78, 0x0a]));
    const report = await scanCsvFile(p, {
      encoding: 'windows-1252',
      bomLength: 0,
      delimiter: '|',
      quote: null,
      expectedFields: 2,
    });
    expect(report.firstLongRecord).toEqual({ line: 2, fields: 3 });
  });

  it('keeps its place across read chunks inside quotes and between CR and LF', async () => {
    const filler = 'x'.repeat((1 << 20) - 3);
    const p = file(`h1,h2\r\n"${filler}\r\n",1\r\n2,3,4\r\n`);
    const report = await scanCsvFile(p, {
      encoding: 'utf-8',
      bomLength: 0,
      delimiter: ',',
      quote: '"',
      expectedFields: 2,
    });
    expect(report).toMatchObject({
      records: 3,
      quotedNewlines: 1,
      firstLongRecord: { line: 4, fields: 3 },
      lineEndings: { crlf: 3, lf: 0, cr: 0 },
    });
  });
});
