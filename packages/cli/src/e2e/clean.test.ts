import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, FIXTURES, tidyvault, workdir, write } from './run-cli.js';

const dir = workdir();
const recipe = (steps: unknown[]) =>
  write(dir, `r${Math.random().toString(36).slice(2)}.json`, JSON.stringify({ version: 1, steps }));

describe('tidyvault clean', () => {
  it('reproduces the pandas reference output of the W1 workload', () => {
    const out = path.join(dir, 'w1.csv');
    const r = tidyvault([
      'clean',
      path.join(FIXTURES, 'w1/input.csv'),
      '--recipe',
      path.join(FIXTURES, 'w1/recipe.json'),
      '-o',
      out,
      '--no-formula-guard',
    ]);
    expect(r.stderr).toMatch(/wrote 4,904 rows × 12 columns/);
    expect(r.code).toBe(0);
    execFileSync(process.execPath, [path.join(FIXTURES, 'w1/check.mjs'), out]);
  });

  it('says what it wrote in words: one row, one column, one step', () => {
    const input = write(dir, 'one.csv', 'a\n x \n');
    const r = tidyvault([
      'clean',
      input,
      '--recipe',
      recipe([{ op: 'trim' }]),
      '-o',
      path.join(dir, 'one-out.csv'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^wrote 1 row × 1 column to .*one-out\.csv \(csv\) in [\d.]+ s; 1 row read, 1 step\n$/,
    );
  });

  it('keeps the ";" every value of a one-column file ends with, and fills its empty cells down', () => {
    const input = write(dir, 'emails.csv', 'recipients\nalice@example.com;\nbob@example.com;\n');
    const out = path.join(dir, 'emails-out.csv');
    const r = tidyvault(['clean', input, '--recipe', recipe([]), '-o', out, '--quiet', '--no-formula-guard']);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe('recipients\nalice@example.com;\nbob@example.com;\n');
    const regions = write(dir, 'regions.csv', 'region,city\nNorth,Leeds\n,York\n,Hull\nSouth,Bath\n,Kent\n');
    const filled = path.join(dir, 'regions-out.csv');
    const down = recipe([{ op: 'fill-null', columns: ['region'], strategy: 'down' }]);
    expect(
      tidyvault(['clean', regions, '--recipe', down, '-o', filled, '--quiet', '--no-formula-guard']).code,
    ).toBe(0);
    expect(fs.readFileSync(filled, 'utf8')).toBe(
      'region,city\nNorth,Leeds\nNorth,York\nNorth,Hull\nSouth,Bath\nSouth,Kent\n',
    );
  });

  it('compares an integer column with a whole number past 2^53 given as text, every digit kept', () => {
    const input = write(dir, 'ids.json', '[{"n":"9007199254740993"},{"n":"9007199254740992"},{"n":"1"}]');
    const out = path.join(dir, 'ids-out.csv');
    const steps = (value: unknown) => [
      { op: 'to-integer', columns: ['n'] },
      { op: 'filter-rows', where: { column: 'n', op: 'in', value: [value, '1'] } },
    ];
    const r = tidyvault([
      'clean',
      input,
      '--recipe',
      recipe(steps('9007199254740993')),
      '-o',
      out,
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe('n\n9007199254740993\n1\n');
    const rounded = tidyvault(['clean', input, '--recipe', recipe(steps(2 ** 53 + 2)), '-o', out]);
    expect(rounded.code).toBe(1);
    expect(rounded.stderr).toMatch(
      /past 9007199254740991, where a JSON number loses digits: write the whole number as text/,
    );
  });

  it('writes every output format, readable by its owner only', () => {
    const input = write(dir, 'in.csv', 'name,amount,when\n =cmd| x ,"1,234.5",2024-01-31\nBob,-7,\n');
    const r = recipe([
      { op: 'trim', columns: ['name'] },
      { op: 'to-number', columns: ['amount'] },
      { op: 'to-date', columns: ['when'], formats: ['%Y-%m-%d'] },
    ]);
    for (const ext of ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'xlsx']) {
      const out = path.join(dir, `out.${ext}`);
      const res = tidyvault(['clean', input, '--recipe', r, '-o', out, '--quiet']);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(fs.statSync(out).size).toBeGreaterThan(0);
      // Cleaned data is readable by its owner only, in every format alike.
      expect(fs.statSync(out).mode & 0o777, ext).toBe(0o600);
    }
    expect(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8')).toBe(
      `"name",amount,when\n"'=cmd| x",1234.5,2024-01-31\n"Bob",-7.0,\n`,
    );
    expect(fs.readFileSync(path.join(dir, 'out.tsv'), 'utf8')).toBe(
      `"name"\tamount\twhen\n"'=cmd| x"\t1234.5\t2024-01-31\n"Bob"\t-7.0\t\n`,
    );
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8'))).toEqual([
      { name: '=cmd| x', amount: 1234.5, when: '2024-01-31' },
      { name: 'Bob', amount: -7, when: null },
    ]);
    expect(fs.readFileSync(path.join(dir, 'out.ndjson'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('writes valid JSON when numbers overflow a DOUBLE: out-of-range values and an overflowing mean stay empty', () => {
    const input = write(dir, 'overflow.csv', 'v,w\n1e400,1\n-1e400,2\n1e308,3\n1e308,4\n,5\n');
    const r = recipe([
      { op: 'to-number', columns: ['v', 'w'] },
      { op: 'fill-null', columns: ['v'], strategy: 'mean' },
    ]);
    const out = path.join(dir, 'overflow.json');
    const res = tidyvault(['clean', input, '--recipe', r, '-o', out, '--quiet']);
    expect(res.code).toBe(0);
    const rows = JSON.parse(fs.readFileSync(out, 'utf8')) as { v: number | null }[];
    expect(rows.map((x) => x.v)).toEqual([null, null, 1e308, 1e308, null]);
  });

  it('guards formulas in a file of 1,000 columns (DuckDB planned the old guard in cubic time and ran out of memory)', () => {
    const n = 1000;
    const header = Array.from({ length: n }, (_, i) => `c${i}`).join(',');
    const row = Array.from({ length: n }, (_, i) => (i % 2 ? '=x' : 'y')).join(',');
    const input = write(dir, 'wide.csv', `${header}\n${row}\n`);
    const out = path.join(dir, 'wide-out.csv');
    const res = tidyvault(['clean', input, '--recipe', recipe([]), '-o', out, '--quiet']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const cells = fs.readFileSync(out, 'utf8').split('\n')[1]!.split(',');
    expect(cells).toHaveLength(n);
    expect(cells.slice(0, 4)).toEqual(['"y"', `"'=x"`, '"y"', `"'=x"`]);
  });

  it('removes its temporary file when killed mid-write (SIGTERM, SIGINT)', async () => {
    const big = write(
      dir,
      'big.csv',
      'a,b\n' + Array.from({ length: 400_000 }, (_, i) => `${i}, w${i % 977} `).join('\n') + '\n',
    );
    const r = recipe([{ op: 'trim', columns: ['b'] }]);
    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const) {
      const out = fs.mkdtempSync(path.join(dir, 'killed-'));
      const child = spawn(process.execPath, [
        CLI,
        'clean',
        big,
        '--recipe',
        r,
        '-o',
        path.join(out, 'o.xlsx'),
        '--quiet',
      ]);
      const ended = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      // Wait until the temporary file exists, then stop the run.
      for (let i = 0; i < 600 && !fs.readdirSync(out).some((f) => f.endsWith('.tmp')); i++)
        await new Promise((res) => setTimeout(res, 50));
      expect(
        fs.readdirSync(out).some((f) => f.endsWith('.tmp')),
        signal,
      ).toBe(true);
      child.kill(signal);
      expect(await ended, signal).toBe(code);
      expect(fs.readdirSync(out), signal).toEqual([]);
    }
  }, 60_000);

  it('keeps a NUL character in a value through every output format and back', () => {
    const input = write(dir, 'nul.csv', 'a,b\n"x\u0000y",2\nz,3\n');
    for (const format of ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'xlsx']) {
      const out = path.join(dir, `nul-out.${format}`);
      const back = path.join(dir, `nul-back-${format}.csv`);
      const wrote = tidyvault(['clean', input, '--recipe', recipe([]), '-o', out, '--quiet']);
      expect(wrote.code, `${format}: ${wrote.stderr}`).toBe(0);
      const read = tidyvault(['clean', out, '--recipe', recipe([]), '-o', back, '--quiet']);
      expect(read.code, `${format}: ${read.stderr}`).toBe(0);
      expect(fs.readFileSync(back, 'utf8'), format).toBe('"a","b"\n"x\u0000y","2"\n"z","3"\n');
    }
  });

  it('keeps every row of a one-column CSV whose cells are empty: NULL is written "" there, not a blank line', () => {
    const input = write(dir, 'one-column.csv', 'v\nx\n"  "\ny\n');
    const out = path.join(dir, 'one-column-out.csv');
    const res = tidyvault([
      'clean',
      input,
      '--recipe',
      recipe([{ op: 'blank-to-null' }]),
      '-o',
      out,
      '--quiet',
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe('"v"\n"x"\n""\n"y"\n');
    expect(tidyvault(['profile', out]).stdout).toMatch(/3 rows, 1 column/);
  });

  it('keeps file order with a column named rowid (any case): it is read as rowid_2, not as the row order', () => {
    const csv = write(dir, 'rowid.csv', 'ROWID,x\nzeta,same\nalpha,same\n10,3\n9,4\n');
    const out = path.join(dir, 'rowid-out.csv');
    const r = tidyvault(['clean', csv, '--recipe', recipe([]), '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(
      '"ROWID_2","x"\n"zeta","same"\n"alpha","same"\n"10","3"\n"9","4"\n',
    );
    const json = write(dir, 'rowid.json', '[{"rowid":"b","x":"1"},{"rowid":"a","x":null}]');
    const filled = path.join(dir, 'rowid-filled.json');
    const steps = [
      { op: 'fill-null', columns: ['x'], strategy: 'down' },
      { op: 'dedupe-rows', columns: ['x'] },
    ];
    expect(tidyvault(['clean', json, '--recipe', recipe(steps), '-o', filled]).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(filled, 'utf8'))).toEqual([{ rowid_2: 'b', x: '1' }]);
  });

  it('passes over empty lines before the header (DuckDB took the first as the header)', () => {
    const input = write(dir, 'blank-top.csv', '\r\n\r\na,b\r\n1,2\r\n\r\n3,4\r\n');
    const out = path.join(dir, 'blank-top.csv.out.csv');
    const r = tidyvault(['clean', input, '--recipe', recipe([]), '-o', out, '--no-formula-guard']);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe('a,b\n1,2\n3,4\n');
    // Ending otherwise than the rest: DuckDB read no row at all.
    for (const text of ['\na,b\r\n1,2\r\n3,4\r\n', '\r\na,b\n1,2\n3,4\n']) {
      fs.writeFileSync(input, text);
      expect(tidyvault(['clean', input, '--recipe', recipe([]), '-o', out, '--no-formula-guard']).code).toBe(
        0,
      );
      expect(fs.readFileSync(out, 'utf8')).toBe('a,b\n1,2\n3,4\n');
    }
    const ragged = write(dir, 'blank-top-ragged.csv', '\n\na,b\n1,2\n3,4,5\n');
    expect(tidyvault(['clean', ragged, '--recipe', recipe([]), '-o', out]).stderr).toMatch(
      /blank-top-ragged\.csv: line 5: 3 fields, but the header has 2/,
    );
  });

  it('takes jsonl for ndjson as a format name too', () => {
    const input = write(dir, 'lines.data', '{"a":"1"}\n{"a":"2"}\n');
    const out = path.join(dir, 'lines.out');
    const r = tidyvault([
      'clean',
      input,
      '--input-format',
      'jsonl',
      '--recipe',
      recipe([]),
      '-o',
      out,
      '--format',
      'jsonl',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe('{"a":"1"}\n{"a":"2"}\n');
  });

  it('refuses to write over its own recipe', () => {
    const input = write(dir, 'tiny.csv', 'a\n1\n');
    const r = recipe([]);
    const before = fs.readFileSync(r, 'utf8');
    const res = tidyvault(['clean', input, '--recipe', r, '-o', r]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/is the recipe file; choose another output path/);
    expect(fs.readFileSync(r, 'utf8')).toBe(before);
  });

  it('leaves formulas alone with --no-formula-guard', () => {
    const input = write(dir, 'formula.csv', 'a\n=1+2\n@SUM(A1)\n');
    const out = path.join(dir, 'formula-out.csv');
    expect(
      tidyvault(['clean', input, '--recipe', recipe([]), '-o', out, '--no-formula-guard', '--quiet']).code,
    ).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe('a\n=1+2\n@SUM(A1)\n');
  });

  it('reads the other input formats as text', () => {
    const json = write(
      dir,
      'in.json',
      JSON.stringify([
        { zip: '00123', n: 1.5, nested: { a: [1] } },
        { zip: null, extra: true },
      ]),
    );
    const out = path.join(dir, 'json-out.csv');
    expect(tidyvault(['clean', json, '--recipe', recipe([]), '-o', out, '--quiet']).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(
      '"zip","n","nested","extra"\n"00123","1.5","{""a"":[1]}",\n,,,"true"\n',
    );
    const ndjson = write(dir, 'in.ndjson', '{"a":"x"}\n{"b":"y"}\n');
    const out2 = path.join(dir, 'nd-out.csv');
    expect(tidyvault(['clean', ndjson, '--recipe', recipe([]), '-o', out2, '--quiet']).code).toBe(0);
    expect(fs.readFileSync(out2, 'utf8')).toBe('"a","b"\n"x",\n,"y"\n');
  });

  it('round-trips through parquet and xlsx', () => {
    const input = write(dir, 'rt.csv', 'id,city\n007,Zürich\n008,\n');
    const pq = path.join(dir, 'rt.parquet');
    const xl = path.join(dir, 'rt.xlsx');
    expect(tidyvault(['clean', input, '--recipe', recipe([]), '-o', pq, '--quiet']).code).toBe(0);
    expect(tidyvault(['clean', pq, '--recipe', recipe([]), '-o', xl, '--quiet']).code).toBe(0);
    const back = path.join(dir, 'rt-back.csv');
    expect(tidyvault(['clean', xl, '--recipe', recipe([]), '-o', back, '--quiet']).code).toBe(0);
    expect(fs.readFileSync(back, 'utf8')).toBe('"id","city"\n"007","Zürich"\n"008",""\n');
  });
});
