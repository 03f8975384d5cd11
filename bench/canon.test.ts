import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs without type declarations
import { CsvParser, csvDigest, normaliseField } from './lib/canon.mjs';

const parse = (pieces: string[]): string[][] => {
  const rows: string[][] = [];
  const p = new CsvParser((r: string[]) => rows.push(r));
  for (const s of pieces) p.push(s);
  p.end();
  return rows;
};

describe('bench CSV parser', () => {
  const text = 'a,b,c\r\n"x\r\ny","q""q",\n\n"",1,"2"\nlast,row,no-newline';
  const want = [
    ['a', 'b', 'c'],
    ['x\r\ny', 'q"q', ''],
    ['', '1', '2'],
    ['last', 'row', 'no-newline'],
  ];

  it('parses RFC 4180 with quotes, escapes, CRLF and embedded newlines', () => {
    expect(parse([text])).toEqual(want);
  });

  it('gives the same rows however the input is split into chunks', () => {
    for (let size = 1; size <= 7; size++) {
      const pieces: string[] = [];
      for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
      expect(parse(pieces)).toEqual(want);
    }
  });
});

describe('number normalisation', () => {
  it('normalises plain decimals only', () => {
    expect(normaliseField('1234.50')).toBe('1234.5');
    expect(normaliseField('17.0')).toBe('17');
    expect(normaliseField('-0.00')).toBe('0');
    expect(normaliseField('01234')).toBe('01234'); // zip with a leading zero stays text
    expect(normaliseField('+1 555 123 4567')).toBe('+1 555 123 4567');
    expect(normaliseField('2024-01-31')).toBe('2024-01-31');
  });
});

describe('csvDigest', () => {
  it('ignores quoting and number format, and notices order', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-canon-'));
    const write = (name: string, s: string) => {
      fs.writeFileSync(path.join(dir, name), s);
      return path.join(dir, name);
    };
    const a = await csvDigest(write('a.csv', 'id,amount,zip\n1,12.50,01234\n2,,"x,y"\n'));
    const b = await csvDigest(write('b.csv', 'id,amount,zip\n"1",12.5,01234\n2,"","x,y"\n'));
    const c = await csvDigest(write('c.csv', 'id,amount,zip\n2,,"x,y"\n1,12.5,01234\n'));
    const d = await csvDigest(write('d.csv', 'id,amount,zip\n1,12.5,1234\n2,,"x,y"\n'));
    fs.rmSync(dir, { recursive: true });
    expect(b.canonical).toBe(a.canonical);
    expect(b.ordered).toBe(a.ordered);
    expect(c.canonical).toBe(a.canonical);
    expect(c.ordered).not.toBe(a.ordered);
    expect(d.canonical).not.toBe(a.canonical);
    expect(a.rows).toBe(2);
  });
});
