import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, FIXTURES, tidyvault, workdir, write } from './run-cli.js';

const dir = workdir();
const w1 = path.join(FIXTURES, 'w1/input.csv');
const w1Recipe = path.join(FIXTURES, 'w1/recipe.json');

describe('tidyvault profile', () => {
  it('prints the contract JSON', () => {
    const input = write(
      dir,
      'p.csv',
      'zip,amount,when,flag\n00123,1.5,2024-01-01,yes\n00123,,2024-02-01,no\n,2,, \n',
    );
    const r = tidyvault(['profile', input, '--json']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.rows).toBe(3);
    expect(p.columns.map((c: { name: string }) => c.name)).toEqual(['zip', 'amount', 'when', 'flag']);
    const zip = p.columns[0];
    expect(zip).toEqual({
      name: 'zip',
      nulls: 0,
      blanks: 1,
      distinct: 2,
      minLength: 0,
      maxLength: 5,
      topValues: [
        { value: '00123', count: 2 },
        { value: '', count: 1 },
      ],
      inferredType: 'integer',
    });
    expect(p.columns[1].inferredType).toBe('number');
    expect(p.columns[2].inferredType).toBe('date');
    expect(p.columns[3].inferredType).toBe('boolean');
  });

  it('stops quietly when the reader of its output goes away (| head)', () => {
    // A long output made fast: the SQL of a step over 300 columns with long names.
    const columns = Array.from({ length: 300 }, (_, i) => `${'long_name_'.repeat(30)}${i}`);
    const long = write(
      dir,
      'long-sql.json',
      JSON.stringify({ version: 1, steps: [{ op: 'trim', columns }] }),
    );
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" sql "${long}" | head -c 10`], {
      encoding: 'utf8',
    });
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(r.stdout).toHaveLength(10);
  });

  it('reads the first row as the header, or as data, when told (--header, --no-header)', () => {
    const numbers = write(dir, 'numbers.csv', '1,2\n3,4\n5,6\n');
    const names = (args: string[]) => {
      const r = tidyvault(['profile', numbers, '--json', ...args]);
      expect(r.code, r.stderr).toBe(0);
      const p = JSON.parse(r.stdout) as { rows: number; columns: { name: string }[] };
      return [p.rows, p.columns.map((c) => c.name)];
    };
    expect(names([])).toEqual([3, ['column_1', 'column_2']]);
    expect(names(['--header'])).toEqual([2, ['1', '2']]);
    const pivot = write(dir, 'pivot.csv', 'region,2022,2023\nEU,100,200\nUS,300,400\n');
    const r = tidyvault(['profile', pivot, '--json', '--no-header']);
    expect(JSON.parse(r.stdout).rows).toBe(3);
    expect(JSON.parse(tidyvault(['profile', pivot, '--json']).stdout).rows).toBe(2);
    const both = tidyvault(['profile', numbers, '--header', '--no-header']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--header and --no-header contradict each other/);
  });

  it('prints values and names that hold bidirectional controls escaped, so they cannot display reversed', () => {
    const input = write(dir, 'bidi.csv', 'na\u202eme,b\n"ab\u202ecd",1\n');
    const r = tidyvault(['profile', input]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"na\\u202eme"');
    expect(r.stdout).toContain('"ab\\u202ecd" ×1');
    expect(r.stdout).not.toContain('\u202e');
  });

  it('summarises in words without --json', () => {
    const r = tidyvault(['profile', w1]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/5,000 rows, 12 columns/);
  });
});

describe('tidyvault cluster', () => {
  it('groups spellings, most frequent first, raw values unchanged', () => {
    const input = write(dir, 'c.csv', 'name\nAcme Inc\nAcme Inc\nacme inc.\n ACME INC\nOther\nInc Acme\n');
    const r = tidyvault(['cluster', input, '--column', 'name', '--method', 'fingerprint', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      column: 'name',
      method: 'fingerprint',
      clusters: [
        {
          values: [
            { value: 'Acme Inc', count: 2 },
            { value: ' ACME INC', count: 1 },
            { value: 'Inc Acme', count: 1 },
            { value: 'acme inc.', count: 1 },
          ],
          suggested: 'Acme Inc',
        },
      ],
    });
  });

  it('names a missing column', () => {
    const r = tidyvault(['cluster', w1, '--column', 'nope', '--method', 'fingerprint']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/column "nope" does not exist/);
  });
});

describe('tidyvault sql and validate', () => {
  it('prints one query with a CTE per step', () => {
    const r = tidyvault(['sql', w1Recipe]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^-- Tidyvault recipe \(10 steps\)/);
    expect(r.stdout).toMatch(/WITH "s0_source"/);
    expect(r.stdout).toMatch(/FROM "input"/);
  });

  it('asks for --input when the recipe names no column, and prints the SQL with it', () => {
    const all = write(dir, 'trim-all.json', JSON.stringify({ version: 1, steps: [{ op: 'trim' }] }));
    const r = tidyvault(['sql', all]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /the recipe names no column, so its SQL depends on the file's columns: pass --input <file>/,
    );
    const withInput = tidyvault(['sql', all, '--input', w1]);
    expect(withInput.code).toBe(0);
    expect(withInput.stdout).toMatch(/"email"/);
  });

  it('finds no duplicates in a file with a header only', () => {
    const empty = write(dir, 'header-only.csv', 'a,b\n');
    const r = tidyvault(['duplicates', empty, '--columns', 'a']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no duplicates among 0 distinct combinations of a/i);
  });

  it('validates a recipe alone and against a file', () => {
    expect(tidyvault(['validate', w1Recipe]).stdout).toMatch(/valid \(10 steps\)/);
    const r = tidyvault(['validate', w1Recipe, '--input', w1]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid \(10 steps\) against/);
    const bad = write(
      dir,
      'bad.json',
      JSON.stringify({ version: 1, steps: [{ op: 'to-date', columns: ['date'], formats: ['%Q'] }] }),
    );
    const v = tidyvault(['validate', bad, '--input', w1]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/step 1 \(to-date\): formats\[0\] "%Q" is not a valid date format/);
  });
});
