import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recipe } from '@tidyvault/core';
import { NodeEngine } from '../node-engine.js';
import { readXlsxRows } from '../xlsx/read-xlsx.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-guard-'));
const input = path.join(dir, 'in.csv');
const DANGEROUS = ['=1+2', '+1 555', '-2+3', '@SUM(A1)', '\tx', '\rx'];
// Plain numbers kept as text are not formulas: a spreadsheet reads "-3" as the number -3.
const SAFE = ["'quoted", 'plain', ' =spaced', '', '-3', '+1.5', '-2e3', '-.5'];
let engine: NodeEngine;

const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

beforeAll(async () => {
  const rows = [...DANGEROUS, ...SAFE].map((v, i) => `${csvField(v)},${i % 2 ? '-5' : '7'}`);
  fs.writeFileSync(input, `=header,n\n${rows.join('\n')}\n`);
  engine = await NodeEngine.open({ allowedDirectories: [dir], threads: 1 });
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const toNumber: Recipe = { version: 1, steps: [{ op: 'to-number', columns: ['n'] }] };

async function exportTo(format: 'csv' | 'xlsx' | 'json', formulaGuard?: boolean) {
  const ds = await engine.importFile(input, 'in.csv');
  const out = path.join(dir, `out-${String(formulaGuard)}.${format}`);
  try {
    await engine.export(ds, toNumber, out, {
      format,
      ...(formulaGuard === undefined ? {} : { formulaGuard }),
    });
  } finally {
    await engine.drop(ds);
  }
  return out;
}

async function xlsxRows(file: string) {
  const rows: (string | null)[][] = [];
  for await (const row of readXlsxRows(file)) rows.push(row.cells);
  return rows;
}

describe('formula guard', () => {
  it('prefixes an apostrophe to text cells and header names that start a formula, by default', async () => {
    const rows = await xlsxRows(await exportTo('xlsx'));
    expect(rows[0]).toEqual(["'=header", 'n']);
    expect(rows.slice(1, 1 + DANGEROUS.length).map((r) => r[0])).toEqual(DANGEROUS.map((v) => "'" + v));
    expect(rows.slice(1 + DANGEROUS.length).map((r) => r[0])).toEqual(SAFE);
  });

  it('never touches numbers, so negative amounts stay numeric', async () => {
    const text = fs.readFileSync(await exportTo('csv'), 'utf8');
    const lines = text.split('\n');
    expect(lines[0]).toBe(`"'=header",n`);
    expect(lines[1]).toBe(`"'=1+2",7.0`);
    expect(lines[2]).toBe(`"'+1 555",-5.0`);
  });

  it('guards a cell that starts with NUL (a step can make one), in CSV and TSV', async () => {
    async function* rows() {
      yield* [['\0=1+1'], ['x\0'], ['\0-3']];
    }
    const ds = await engine.importRows('rows', ['a'], rows());
    try {
      const out = path.join(dir, 'nul.csv');
      await engine.export(ds, { version: 1, steps: [] }, out, { format: 'csv' });
      expect(fs.readFileSync(out, 'utf8')).toBe(`"a"\n"'\0=1+1"\n"x\0"\n"'\0-3"\n`);
      await engine.export(ds, { version: 1, steps: [] }, out, { format: 'tsv' });
      expect(fs.readFileSync(out, 'utf8').split('\n')[1]).toBe(`"'\0=1+1"`);
    } finally {
      await engine.drop(ds);
    }
  });

  it('quotes every text value of a CSV, so splitting on ";" cannot make a formula cell; not without the guard', async () => {
    async function* rows() {
      yield* [['x;=1+1'], ['plain'], [null]];
    }
    const ds = await engine.importRows('rows', ['a'], rows());
    try {
      const out = path.join(dir, 'sep.csv');
      await engine.export(ds, { version: 1, steps: [] }, out, { format: 'csv' });
      expect(fs.readFileSync(out, 'utf8')).toBe('"a"\n"x;=1+1"\n"plain"\n""\n');
      await engine.export(ds, { version: 1, steps: [] }, out, { format: 'tsv', formulaGuard: false });
      expect(fs.readFileSync(out, 'utf8')).toBe('a\nx;=1+1\nplain\n""\n');
    } finally {
      await engine.drop(ds);
    }
  });

  it('quotes a column whose guarded name meets another, and only the text column named *', async () => {
    async function* rows() {
      yield* [['x', 'x;=1+1', '7']];
    }
    const ds = await engine.importRows('rows', ['=a', "'=A", '*'], rows());
    try {
      const out = path.join(dir, 'names.csv');
      await engine.export(ds, { version: 1, steps: [{ op: 'to-number', columns: ['*'] }] }, out, {
        format: 'csv',
      });
      expect(fs.readFileSync(out, 'utf8')).toBe(`"'=a","'=A_1",*\n"x","x;=1+1",7.0\n`);
      const star = await engine.importRows('star', ['*', 'n'], rows());
      try {
        await engine.export(star, { version: 1, steps: [{ op: 'to-number', columns: ['n'] }] }, out, {
          format: 'csv',
        });
        expect(fs.readFileSync(out, 'utf8')).toBe('"*",n\n"x",\n');
      } finally {
        await engine.drop(star);
      }
    } finally {
      await engine.drop(ds);
    }
  });

  it('quotes the header of a number column whose name holds a separator (and so its values), not others', async () => {
    async function* rows() {
      yield* [['1', '2', '3']];
    }
    const ds = await engine.importRows('rows', ['x;=1+1', 'a,b', 'n'], rows());
    try {
      const out = path.join(dir, 'number-names.csv');
      const numbers: Recipe = { version: 1, steps: [{ op: 'to-number', columns: ['x;=1+1', 'a,b', 'n'] }] };
      await engine.export(ds, numbers, out, { format: 'csv' });
      expect(fs.readFileSync(out, 'utf8')).toBe('"x;=1+1","a,b",n\n"1.0","2.0",3.0\n');
      await engine.export(ds, numbers, out, { format: 'tsv' });
      expect(fs.readFileSync(out, 'utf8')).toBe('"x;=1+1"\t"a,b"\tn\n"1.0"\t"2.0"\t3.0\n');
    } finally {
      await engine.drop(ds);
    }
  });

  it('sorts by the values, not by what the guard or a one-column file writes', async () => {
    async function* rows() {
      yield* [['a'], ['=z'], ['(p'], ['+p'], [null], ['10'], ['9'], ['-5']];
    }
    const ds = await engine.importRows('rows', ['v'], rows());
    try {
      const out = path.join(dir, 'sorted.csv');
      const sorted: Recipe = { version: 1, steps: [{ op: 'sort-rows', by: [{ column: 'v' }] }] };
      await engine.export(ds, sorted, out, { format: 'csv' });
      expect(fs.readFileSync(out, 'utf8')).toBe(`"v"\n"(p"\n"'+p"\n"-5"\n"10"\n"9"\n"'=z"\n"a"\n""\n`);
      const numbers: Recipe = {
        version: 1,
        steps: [
          { op: 'to-number', columns: ['v'] },
          { op: 'sort-rows', by: [{ column: 'v' }] },
        ],
      };
      await engine.export(ds, numbers, out, { format: 'tsv', formulaGuard: false });
      expect(fs.readFileSync(out, 'utf8').split('\n').slice(1, 4)).toEqual(['-5.0', '9.0', '10.0']);
    } finally {
      await engine.drop(ds);
    }
  });

  it('is off when the export asks, and in formats no spreadsheet evaluates (JSON)', async () => {
    const rows = await xlsxRows(await exportTo('xlsx', false));
    expect(rows[0]).toEqual(['=header', 'n']);
    expect(rows[1]![0]).toBe('=1+2');
    const json = JSON.parse(fs.readFileSync(await exportTo('json'), 'utf8')) as Record<string, unknown>[];
    expect(json[0]).toEqual({ '=header': '=1+2', n: 7 });
  });
});
