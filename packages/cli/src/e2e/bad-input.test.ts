import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { handmadeZip } from '../../../core/src/xlsx-read/handmade-zip.test-helper.js';
import { CLI, tidyvault, workdir, write } from './run-cli.js';

const dir = workdir();
const okRecipe = write(dir, 'ok.json', JSON.stringify({ version: 1, steps: [{ op: 'trim' }] }));
const good = write(dir, 'good.csv', 'name,city\n Ann ,Paris\n');

/** One clear message, exit code 1, no stack trace, no output file left behind. */
function expectDataError(args: string[], message: RegExp, out = path.join(dir, 'out.csv')): void {
  fs.rmSync(out, { force: true });
  const r = tidyvault(args);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.code).toBe(1);
  expect(fs.existsSync(out)).toBe(false);
  expect(fs.readdirSync(path.dirname(out)).filter((f) => f.includes('.tidyvault-'))).toEqual([]);
}

const clean = (input: string, recipe = okRecipe, out = path.join(dir, 'out.csv')) => [
  'clean',
  input,
  '--recipe',
  recipe,
  '-o',
  out,
];

describe('bad input gets exit 1 and one message naming the problem', () => {
  it('an empty file', () => expectDataError(clean(write(dir, 'empty.csv', '')), /empty\.csv.*empty/));

  it('a header with a stray quote (every row was dropped, with exit 0)', () =>
    expectDataError(
      clean(write(dir, 'stray-header.csv', 'id,"Size" (inches)\n1,55\n2,65\n')),
      /stray-header\.csv: line 1: the header has a quote character inside an unquoted field/,
    ));

  it('text after a closing quote, named as that (it was called a quote inside an unquoted field)', () =>
    expectDataError(
      clean(write(dir, 'after-quote.csv', 'a,b\n1,"x"y\n2,z\n')),
      /after-quote\.csv: line 2: text after a closing quote/,
    ));

  it('a binary file named .csv', () => {
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 1, 2, 3,
    ]);
    expectDataError(clean(write(dir, 'image.csv', png)), /image\.csv.*binary/i);
  });

  it('bytes that are neither UTF-8 nor Windows-1252', () =>
    expectDataError(
      clean(write(dir, 'bytes.csv', Buffer.from('a,b\nok,\x81\x8d\n', 'latin1'))),
      /bytes\.csv.*(UTF-8|Windows-1252)/,
    ));

  it('an unterminated quote, naming its line', () =>
    expectDataError(clean(write(dir, 'quote.csv', 'a,b\n1,2\n3,"open\n4,5\n')), /quote\.csv: line 3/));

  it('an unterminated quote in the last row, naming its line', () =>
    expectDataError(clean(write(dir, 'quote-last.csv', 'a,b\n1,2\n3,"open\n')), /quote-last\.csv: line 3/));

  // Short rows switch to DuckDB's serial reader, which reads an open quote to the end of the file.
  it('an unterminated quote in a file with short rows, naming its line', () =>
    expectDataError(
      clean(write(dir, 'quote-short.csv', 'a,b,c\n1,2\n3,"open,x\n4,5,6\n')),
      /quote-short\.csv: line 3: a quoted field starts here and is never closed/,
    ));

  it('a row with too many fields, naming its line', () =>
    expectDataError(
      clean(write(dir, 'ragged.csv', 'a,b\n1,2\n3,4,5\n')),
      /ragged\.csv: line 3: 3 fields, but the header has 2/,
    ));

  it('a corrupt xlsx', () =>
    expectDataError(clean(write(dir, 'corrupt.xlsx', Buffer.from('PK\x03\x04garbage'))), /corrupt\.xlsx/));

  it('an xlsx that is a zip bomb', () => {
    const bomb = handmadeZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(200 * 2 ** 20, 0x20) },
    ]);
    expectDataError(clean(write(dir, 'bomb.xlsx', bomb)), /bomb\.xlsx.*(zip bomb|ratio|expands)/i);
  });

  it('JSON that is not an array of objects', () => {
    expectDataError(clean(write(dir, 'obj.json', '{"a":1}')), /obj\.json.*array/);
    expectDataError(clean(write(dir, 'nums.json', '[1,2]')), /nums\.json: element 1 of the array is/);
  });

  it('a recipe with an unknown op', () =>
    expectDataError(
      clean(good, write(dir, 'unknown-op.json', '{"version":1,"steps":[{"op":"explode"}]}')),
      /step 1: unknown op "explode"/,
    ));

  it('a recipe with a wrong parameter type', () =>
    expectDataError(
      clean(good, write(dir, 'bad-type.json', '{"version":1,"steps":[{"op":"trim","columns":"name"}]}')),
      /step 1 \(trim\) field "columns"/,
    ));

  it('a recipe naming a missing column', () =>
    expectDataError(
      clean(
        good,
        write(dir, 'missing.json', '{"version":1,"steps":[{"op":"trim"},{"op":"trim","columns":["nmae"]}]}'),
      ),
      /step 2 \(trim\): column "nmae" does not exist/,
    ));

  it('a regex that RE2 rejects', () =>
    expectDataError(
      clean(
        good,
        write(
          dir,
          'regex.json',
          JSON.stringify({
            version: 1,
            steps: [{ op: 'replace', columns: ['name'], find: '(?<=a)b', replace: '', regex: true }],
          }),
        ),
      ),
      /step 1 \(replace\): find .* is not a valid RE2 regular expression/,
    ));

  it('a step that would make a column with a reserved name, in any case', () => {
    for (const [file, step] of [
      ['rename-reserved.json', { op: 'rename-columns', mapping: { name: '__TIDYVAULT_ROW__' } }],
      [
        'merge-reserved.json',
        { op: 'merge-columns', columns: ['name', 'city'], separator: ' ', into: 'RowId' },
      ],
    ] as const)
      expectDataError(
        clean(good, write(dir, file, JSON.stringify({ version: 1, steps: [step] }))),
        /step 1 \((rename|merge)-columns\): the column name "(__TIDYVAULT_ROW__|RowId)" is reserved/,
      );
  });

  it('an --encoding the file contradicts (its byte-order mark, or no NUL byte for UTF-16)', () => {
    const bom = write(
      dir,
      'bom8.csv',
      new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('id,name\n1,Ann\n')]),
    );
    expectDataError(
      [...clean(bom), '--encoding', 'utf-16le'],
      /bom8\.csv: the file starts with a UTF-8 byte-order mark, but it was asked to be read as UTF-16LE/,
    );
    expectDataError(
      [...clean(good), '--encoding', 'utf-16be'],
      /good\.csv: the file cannot be UTF-16BE: it has no NUL bytes/,
    );
    expect(tidyvault([...clean(bom), '--encoding', 'utf-8']).code).toBe(0);
  });

  it('too many fields under a delimiter the sniffer guessed, saying it was a guess', () =>
    expectDataError(
      clean(write(dir, 'guess.csv', 'note\na b\tc\nd e\tf\n')),
      /guess\.csv: line 2: 2 fields, but the header has 1 .*The tab delimiter was a guess: --delimiter names another/,
    ));

  it('an output path equal to the input', () => {
    const before = fs.readFileSync(good, 'utf8');
    const r = tidyvault(clean(good, okRecipe, good));
    expect(r.stderr).toMatch(/is the input file/);
    expect(r.code).toBe(1);
    expect(fs.readFileSync(good, 'utf8')).toBe(before);
  });
});

describe('usage errors exit 2', () => {
  it('an unknown flag or a missing required one', () => {
    expect(tidyvault(['clean', good, '--recipe', okRecipe]).code).toBe(2);
    expect(tidyvault(['clean', good, '--recipe', okRecipe, '-o', 'x.csv', '--bogus']).code).toBe(2);
    expect(tidyvault(['frobnicate']).code).toBe(2);
  });

  it('a sheet asked of a file that is not xlsx, instead of ignoring it', () => {
    const r = tidyvault([...clean(good), '--sheet', 'Orders']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /a sheet \(--sheet\) is chosen only in an xlsx file; .*good\.csv is read as csv/,
    );
  });

  it('an option given twice, and a missing recipe named as such', () => {
    const twice = tidyvault(['clean', good, '--recipe', okRecipe, '-o', 'a.csv', '-o', 'b.csv']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/-o is given more than once \(--output\)/);
    const tiny = tidyvault(['profile', good, '--memory-limit', '0GB']);
    expect(tiny.code).toBe(2);
    expect(tiny.stderr).toMatch(/--memory-limit must be at least 64MB/);
    const sql = tidyvault(['sql']);
    expect(sql.code).toBe(2);
    expect(sql.stderr).toMatch(/missing the recipe file/);
    const noRecipe = tidyvault(clean(good, path.join(dir, 'nope.json')));
    expect(noRecipe.code).toBe(2);
    expect(noRecipe.stderr).toMatch(/cannot read the recipe .*nope\.json: there is no such file\n/);
    const folder = tidyvault(clean(good, dir));
    expect(folder.stderr).toMatch(/cannot read the recipe .*: it is a folder, not a file\n/);
    const none = tidyvault(['profile', path.join(dir, 'nonexistent.csv')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/cannot read .*nonexistent\.csv: there is no such file/);
  });

  it('a file this user may not read: named, "permission denied", usage exit code, no stack', () => {
    // Root reads any file, so as root the CLI runs as nobody (setpriv, util-linux).
    const open = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-cli-perm-'));
    fs.chmodSync(open, 0o755);
    const locked = write(open, 'locked.csv', 'name\nAnn\n');
    fs.chmodSync(locked, 0o000);
    const asRoot = process.getuid?.() === 0;
    const argv = ['profile', locked];
    const r = asRoot
      ? spawnSync(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, ...argv],
          {
            encoding: 'utf8',
            env: { ...process.env, TIDYVAULT_DEBUG: '', TIDYVAULT_HOME: open },
          },
        )
      : spawnSync(process.execPath, [CLI, ...argv], {
          encoding: 'utf8',
          env: { ...process.env, TIDYVAULT_DEBUG: '' },
        });
    expect(r.stderr).toMatch(/cannot read .*locked\.csv: permission denied/);
    expect(r.stderr).not.toMatch(/unexpected error|EACCES|\n\s+at /);
    expect(r.status).toBe(2);
  });

  it('refuses "-" for standard input or output instead of reading or writing a file named "-"', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-cli-dash-'));
    const out = tidyvault(['clean', good, '--recipe', okRecipe, '-o', '-', '--format', 'csv'], { cwd });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/writing to standard output \("-o -"\) is not supported/);
    for (const args of [
      ['clean', '-', '--recipe', okRecipe, '-o', 'x.csv'],
      ['profile', '-'],
    ]) {
      const r = tidyvault(args, { cwd, input: 'name\nAnn\n' });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/reading standard input \("-"\) is not supported/);
    }
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  it('refuses a CSV-only option for another format instead of ignoring it', () => {
    const json = write(dir, 'people.json', '[{"name":"Ann"}]');
    for (const [flag, shown] of [
      [['--no-header'], '--no-header'],
      [['--header'], '--header'],
      [['--delimiter', ';'], '--delimiter'],
      [['--encoding', 'windows-1252'], '--encoding'],
    ] as const) {
      const r = tidyvault(['profile', json, ...flag]);
      expect(r.code, shown).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(`${shown} applies to CSV and TSV files only; .*people\\.json is read as json`),
      );
    }
    expect(tidyvault(['profile', json]).code).toBe(0);
  });

  it('names --input-format, the option clean reads the input format from, for an unknown extension', () => {
    const odd = write(dir, 'people.weird', 'name\nAnn\n');
    const r = tidyvault(clean(odd));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot tell the format of .*people\.weird .* or pass --input-format\n/);
    const profile = tidyvault(['profile', odd]);
    expect(profile.stderr).toMatch(/ or pass --format\n/);
    const ok = tidyvault([...clean(odd), '--input-format', 'csv']);
    expect(ok.stderr).toMatch(/^wrote 1 row /);
    expect(ok.code).toBe(0);
  });

  it('a spill folder others can read', () => {
    const open = path.join(dir, 'spill-open');
    fs.mkdirSync(open, { mode: 0o755 });
    fs.chmodSync(open, 0o755);
    const r = tidyvault([...clean(good), '--spill-dir', open]);
    expect(r.stderr).toMatch(/must be private/);
    expect(r.code).toBe(2);
  });

  it('--help for the tool and each command shows examples', () => {
    for (const args of [
      ['--help'],
      ['clean', '--help'],
      ['profile', '--help'],
      ['cluster', '--help'],
      ['sql', '--help'],
      ['validate', '--help'],
    ]) {
      const r = tidyvault(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Example/);
    }
  });

  it('with no command: exit 2, the usage on stderr as for every usage error', () => {
    const r = tidyvault([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tidyvault: no command given\n[\s\S]*Example/);
  });
});
