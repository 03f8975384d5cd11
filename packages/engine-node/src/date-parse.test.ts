import { tryParseDate } from '@tidyvault/core';
import { call, cast, col, lit, literal, select, type Select } from '@tidyvault/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from './duckdb.js';
import { NodeEngine } from './node-engine.js';

let engine: NodeEngine;
beforeAll(async () => {
  engine = await NodeEngine.open();
  const rows = VALUES.map((x, i) => `(${i}, ${literal(x)})`).join(', ');
  await engine.connection.run(`CREATE TEMP TABLE date_values AS SELECT * FROM (VALUES ${rows}) t(i, v)`);
});
afterAll(async () => {
  await engine.close();
});

const VALUES = [
  '2024-02-29',
  '2023-02-29',
  '31/12/2024',
  '12/31/2024',
  'Jan 05 2024',
  'jan\t05  2024',
  'Jan\n05\r\n2024',
  'Jan052024',
  '05 Jan 2024',
  '2024/01/05',
  '2024-01-05 10:30:00',
  '2024-01-05T10:30:00',
  '5.1.2024',
  '100% 2024',
  '2024年1月5日',
  '2024-1-5',
  '-2024-01-05',
  '',
  ' ',
  'soon',
  'N/A',
  // DuckDB's special values, which one call parses with any format.
  'infinity',
  '-Infinity',
  'EPOCH',
  'Infinity123',
  '2024😀01😀05',
  '1500-01-01',
  '2024-01-05 10:30:00.123456789',
  '2024-02-30',
  '2024-02-30 10:30:00+0100',
  '1500-01-02 10:30:00+0000',
  null,
];

const FORMAT_LISTS = [
  ['%Y-%m-%d', '%d/%m/%Y', '%b %d %Y'],
  ['%d/%m/%Y', '%m/%d/%Y', '%Y-%m-%d %H:%M:%S', '%B %d, %Y', '%d.%m.%Y'],
  ['%b %d %Y', '%Y-%m-%d'],
  ['%-d.%-m.%Y', '%Y-%-m-%-d', '%d %b %Y'],
  ['%Y%% %m', '%Y年%m月%d日', '%Y-%m-%dT%H:%M:%S'],
  ['%Y-%m-%d', '%Y/%m/%d', '%d %b %Y'],
  ['%d/%m/%Y', '%m/%d/%Y'],
  ['%Y😀%m😀%d', '%Y-%m-%d'],
  ['%Y-%m-%d %H:%M:%S.%n', '%Y-%m-%d'],
  ['%Y-%m-%d %H:%M:%S%z', '%d/%m/%Y'],
  ['%Y-%m-%d %H:%M:%S%z', '%Y-%m-%d'],
  ['%Y-%m-%d', '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%d %H:%M:%S.%n'],
];

/**
 * Each value parsed by RECIPE.md's rule (the first format that parses it, each format alone, as a
 * date) and by tryParseDate.
 */
async function bothWays(formats: string[]): Promise<[unknown, unknown][]> {
  const v = col('v');
  const q: Select = {
    kind: 'select',
    columns: [
      {
        expr: call(
          'coalesce',
          ...formats.map((f) => {
            const ts = call('try_strptime', v, lit(f));
            // A time zone: the moment's date in UTC (RECIPE.md), whatever the connection's zone.
            return /%z|%Z/.test(f)
              ? cast(call('make_timestamp', call('epoch_us', ts)), 'DATE')
              : cast(ts, 'DATE');
          }),
        ),
        as: 'each',
      },
      { expr: tryParseDate(v, formats), as: 'guarded' },
    ],
    from: { kind: 'table', name: 'date_values' },
    orderBy: [{ expr: col('i') }],
  };
  const r = await engine.connection.runAndReadAll(select(q));
  return r.getRowsJson().map((row) => [row[0], row[1]] as [unknown, unknown]);
}

describe('tryParseDate', () => {
  it.each(FORMAT_LISTS.map((f) => [f.join(' | '), f]))(
    'parses every value as the first format alone that parses it, special values aside: %s',
    async (_name, formats) => {
      const rows = await bothWays(formats as string[]);
      for (const [i, [each, guarded]] of rows.entries()) {
        const value = VALUES[i];
        // DuckDB's special values are no date in any format (DuckDB makes them 1900-01-01).
        const special = value !== null && /^\s*-?(infinity|epoch)\s*$/i.test(value);
        expect(guarded, `value ${JSON.stringify(value)}`).toEqual(special ? null : each);
      }
      // The cases are not all failures: some value parses with some format of each list.
      expect(rows.some(([each]) => each !== null)).toBe(true);
    },
  );

  it('does not roll 2024-02-30 over with a %z format in the list, nor lose dates before 1677 with a %n format', async () => {
    const parsed = async (value: string, formats: string[]) => {
      const q = select({ kind: 'select', columns: [{ expr: tryParseDate(lit(value), formats), as: 'd' }] });
      return (await engine.connection.runAndReadAll(q)).getRowsJson()[0]![0];
    };
    expect(await parsed('2024-02-30', ['%Y-%m-%d', '%Y-%m-%d %z'])).toBeNull();
    expect(await parsed('2024-02-29', ['%Y-%m-%d', '%Y-%m-%d %z'])).toBe('2024-02-29');
    expect(await parsed('1500-01-02', ['%Y-%m-%d', '%Y-%m-%d %H:%M:%S.%n'])).toBe('1500-01-02');
  });

  it('reads a %Y year only when written with four digits, and then tries the next format', async () => {
    const parsed = async (value: string, formats: string[]) => {
      const q = select({ kind: 'select', columns: [{ expr: tryParseDate(lit(value), formats), as: 'd' }] });
      return (await engine.connection.runAndReadAll(q)).getRowsJson()[0]![0];
    };
    // DuckDB alone reads '3/4/21' as the year 21 and '0' as 1 BC; the two-digit format is meant.
    const dmy = ['%d/%m/%Y', '%d/%m/%y'];
    expect(await parsed('3/4/21', dmy)).toBe('2021-04-03');
    expect(await parsed('3/4/2021', dmy)).toBe('2021-04-03');
    expect(await parsed('03/04/0021', dmy)).toBe('0021-04-03');
    expect(await parsed('3/4/021', dmy)).toBeNull();
    // DuckDB's %y reads one digit too (Python's needs two): RECIPE.md says so.
    expect(await parsed('3/4/0', dmy)).toBe('2000-04-03');
    expect(await parsed('3/4/0', ['%d/%m/%Y'])).toBeNull();
    expect(await parsed('3/4/0000', dmy)).toBeNull();
    // One format; a list without literals (once one call); a format with a zone.
    expect(await parsed('21-01-05', ['%Y-%m-%d'])).toBeNull();
    expect(await parsed('0999-12-31', ['%Y-%m-%d'])).toBe('0999-12-31');
    expect(await parsed('999-12-31', ['%Y-%m-%d'])).toBeNull();
    expect(await parsed('1000-01-01', ['%Y-%m-%d'])).toBe('1000-01-01');
    expect(await parsed('Jan 05 24', ['%b %d %Y', '%d %b %Y'])).toBeNull();
    expect(await parsed('05 Jan 2024', ['%b %d %Y', '%d %b %Y'])).toBe('2024-01-05');
    expect(await parsed('21-01-05 10:00:00+0000', ['%Y-%m-%d %H:%M:%S%z'])).toBeNull();
    expect(await parsed('0021-01-05 10:00:00+0000', ['%Y-%m-%d %H:%M:%S%z', '%Y'])).toBe('0021-01-05');
    // Four digits that are not the year: an offset, or fields that touch.
    expect(await parsed('21-01-05 10:00:00+0100', ['%Y-%m-%d %H:%M:%S%z', '%Y'])).toBeNull();
    expect(await parsed('01012', ['%d%m%Y'])).toBeNull();
    expect(await parsed('01012021', ['%d%m%Y'])).toBe('2021-01-01');
    expect(await parsed('21-01-05 1030', ['%Y-%m-%d %H%M', '%y-%m-%d %H%M'])).toBe('2021-01-05');
    // The four digits elsewhere spell the short year itself: still not a four-digit year.
    expect(await parsed('21-01-05 0021', ['%Y-%m-%d %H%M', '%y-%m-%d %H%M'])).toBe('2021-01-05');
    expect(await parsed('21-01-05 002130', ['%Y-%m-%d %H%M%S'])).toBeNull();
    expect(await parsed('21-01-05 00:21:00.0021', ['%Y-%m-%d %H:%M:%S.%f'])).toBeNull();
    expect(await parsed('2021-01-05 00:21:00.0021', ['%Y-%m-%d %H:%M:%S.%f'])).toBe('2021-01-05');
    // DuckDB reads '0210021' as 02, 10 and 021 (a three-digit year).
    expect(await parsed('0210021', ['%d%m%Y'])).toBeNull();
    expect(await parsed('02100021', ['%d%m%Y'])).toBe('0021-10-02');
    // With an offset, the year as written, not the UTC date's.
    expect(await parsed('1000-01-01 01:00:00+0200', ['%Y-%m-%d %H:%M:%S%z'])).toBe('0999-12-31');
    expect(await parsed('999-12-31 23:00:00-0200', ['%Y-%m-%d %H:%M:%S%z'])).toBeNull();
    // The ISO year too.
    expect(await parsed('21-W01-1', ['%G-W%V-%u'])).toBeNull();
    expect(await parsed('2021-W01-1', ['%G-W%V-%u'])).toBe('2021-01-04');
  });

  it('reads the year of %x and %c (whole dates) only when written with four digits too', async () => {
    const parsed = async (value: string, formats: string[]) => {
      const q = select({ kind: 'select', columns: [{ expr: tryParseDate(lit(value), formats), as: 'd' }] });
      return (await engine.connection.runAndReadAll(q)).getRowsJson()[0]![0];
    };
    expect(await parsed('2024-01-05', ['%x'])).toBe('2024-01-05');
    expect(await parsed('0024-01-05', ['%x'])).toBe('0024-01-05');
    // DuckDB alone reads these as the year 24 and the year 0 (1 BC).
    expect(await parsed('24-1-5', ['%x'])).toBeNull();
    expect(await parsed('0-11-29', ['%x'])).toBeNull();
    expect(await parsed('24-1-5 10:30:00', ['%c'])).toBeNull();
    expect(await parsed('2024-01-05 10:30:00', ['%c'])).toBe('2024-01-05');
  });

  it('gives the UTC date of a time with a zone, whatever the time zone DuckDB runs in', async () => {
    const q = select({
      kind: 'select',
      columns: [{ expr: tryParseDate(lit('2024-01-05 23:30:00-0500'), ['%Y-%m-%d %H:%M:%S%z']), as: 'd' }],
    });
    // The engine's own connection is locked; a bare DuckDB whose zone can be set.
    const instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const connection = await instance.connect();
    try {
      for (const tz of ['America/New_York', 'Pacific/Kiritimati', 'UTC']) {
        await connection.run(`SET TimeZone = '${tz}'`);
        expect((await connection.runAndReadAll(q)).getRowsJson()[0]![0], tz).toBe('2024-01-06');
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
