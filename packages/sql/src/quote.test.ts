import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expr, select } from './codegen.js';
import { quoteIdentifier, quoteString, SqlQuoteError } from './quote.js';

let connection: DuckDBConnection;
let instance: DuckDBInstance;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

/** Names as hostile as a CSV header can be: quotes, backslashes, unicode, newlines, SQL. */
const nastyName = fc
  .oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
    fc.string({
      unit: fc.constantFrom(
        '"',
        "'",
        '\\',
        ';',
        '\n',
        '\r',
        '\t',
        ' ',
        '-',
        '*',
        '/',
        '$',
        '?',
        'é',
        '字',
        '🙂',
        '\u200b',
      ),
      minLength: 1,
      maxLength: 30,
    }),
    fc.constantFrom(
      '"; DROP TABLE t; --',
      'a"b',
      '""',
      "'",
      'x'.repeat(5000),
      'select',
      'rowid',
      '\u0000'.slice(1) + 'ok',
    ),
  )
  .filter((s) => s.length > 0 && !s.includes('\0'));

describe('quoteIdentifier', () => {
  it('keeps any column name exactly one identifier', async () => {
    await fc.assert(
      fc.asyncProperty(nastyName, async (name) => {
        const reader = await connection.runAndReadAll(`SELECT 1 AS ${quoteIdentifier(name)}, 2 AS "second"`);
        expect(reader.columnNames()).toEqual([name, 'second']);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses names DuckDB cannot represent', () => {
    expect(() => quoteIdentifier('')).toThrow(SqlQuoteError);
    expect(() => quoteIdentifier('a\0b')).toThrow(SqlQuoteError);
  });
});

describe('quoteString', () => {
  it('round-trips any string literal through DuckDB unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 200 }), async (value) => {
        const reader = await connection.runAndReadAll(`SELECT ${quoteString(value)} AS v, 'end' AS e`);
        expect(reader.getRowsJson()).toEqual([[value, 'end']]);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips quotes, backslashes, NUL and line breaks', async () => {
    for (const value of ["it's", "''", '\\', '\\n', 'a\0b\0', '\0', 'line\r\nbreak', "'; DROP TABLE x; --"]) {
      const reader = await connection.runAndReadAll(`SELECT ${quoteString(value)} AS v`);
      expect(reader.getRowsJson()).toEqual([[value]]);
    }
  });
});

describe('codegen', () => {
  it('refuses function names outside the closed list', () => {
    expect(() => expr({ kind: 'call', fn: 'read_csv' as never, args: [] })).toThrow(SqlQuoteError);
  });

  it('emits literals of every kind DuckDB reads back', async () => {
    const sql = select({
      kind: 'select',
      columns: [
        { expr: { kind: 'literal', value: -1.5 }, as: 'a' },
        { expr: { kind: 'literal', value: 9007199254740993n }, as: 'b' },
        { expr: { kind: 'literal', value: null }, as: 'c' },
        { expr: { kind: 'literal', value: true }, as: 'd' },
        {
          expr: {
            kind: 'binary',
            op: '-',
            left: { kind: 'literal', value: 1 },
            right: { kind: 'literal', value: -1 },
          },
          as: 'e',
        },
      ],
    });
    const reader = await connection.runAndReadAll(sql);
    expect(reader.getRowsJson()).toEqual([['-1.5', '9007199254740993', null, true, 2]]);
  });
});
