import { tryStrptime } from '@tidyvault/core';
import { call, col, list, lit, literal, select, type Select } from '@tidyvault/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
];

/** Each value parsed by the list form (one try_strptime call, the engine's own rule) and by tryStrptime. */
async function bothWays(formats: string[]): Promise<[unknown, unknown][]> {
  const v = col('v');
  const q: Select = {
    kind: 'select',
    columns: [
      { expr: call('try_strptime', v, list(formats.map((f) => lit(f)))), as: 'listed' },
      { expr: tryStrptime(v, formats), as: 'guarded' },
    ],
    from: { kind: 'table', name: 'date_values' },
    orderBy: [{ expr: col('i') }],
  };
  const r = await engine.connection.runAndReadAll(select(q));
  return r.getRowsJson().map((row) => [row[0], row[1]] as [unknown, unknown]);
}

describe('tryStrptime', () => {
  it.each(FORMAT_LISTS.map((f) => [f.join(' | '), f]))(
    'parses every value as one try_strptime over the list does, special values aside: %s',
    async (_name, formats) => {
      const rows = await bothWays(formats as string[]);
      for (const [i, [listed, guarded]] of rows.entries()) {
        const value = VALUES[i];
        // DuckDB's special values are no date in any format (one call makes them 1900-01-01).
        const special = value !== null && /^\s*-?(infinity|epoch)\s*$/i.test(value);
        expect(guarded, `value ${JSON.stringify(value)}`).toEqual(special ? null : listed);
      }
      // The cases are not all failures: some value parses with some format of each list.
      expect(rows.some(([listed]) => listed !== null)).toBe(true);
    },
  );
});
