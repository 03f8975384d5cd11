import { bin, call, cast, col, inList, isNull, lit, type Expr, type Select } from '@tidyvault/sql';
import { trimWs } from '../steps/common.js';
import { INTEGER_PATTERN, NUMBER_PATTERN } from '../steps/number-parsing.js';
import type { Column, ColumnType } from '../steps/types.js';

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  nulls: number;
  blanks: number;
  distinct: number;
  minLength: number | null;
  maxLength: number | null;
  topValues: { value: string | number | null; count: number }[];
  inferredType: 'integer' | 'number' | 'date' | 'boolean' | 'text' | 'empty';
}

export interface Profile {
  rows: number;
  columns: ColumnProfile[];
}

/** Date shapes the profiler recognises when suggesting a conversion. */
export const PROFILE_DATE_FORMATS = ['%Y-%m-%d', '%d/%m/%Y', '%m/%d/%Y', '%b %d %Y', '%d %b %Y', '%Y/%m/%d'];
const STATS = [
  'nulls',
  'blanks',
  'distinct',
  'min_length',
  'max_length',
  'integers',
  'numbers',
  'dates',
  'booleans',
] as const;

const countIf = (cond: Expr): Expr =>
  call('sum', { kind: 'case', whens: [{ when: cond, then: lit(1) }], else: lit(0) });

function statsFor(c: Column): Expr[] {
  const v = col(c.name);
  const text = c.type === 'text' ? v : cast(v, 'VARCHAR');
  const t = trimWs(text);
  const nonBlank = bin('<>', t, lit(''));
  return [
    countIf(isNull(v)),
    countIf(bin('=', t, lit(''))),
    { kind: 'call', fn: 'count', args: [v], distinct: true },
    call('min', call('length', text)),
    call('max', call('length', text)),
    countIf(bin('AND', nonBlank, call('regexp_full_match', t, lit(INTEGER_PATTERN)))),
    countIf(bin('AND', nonBlank, call('regexp_full_match', t, lit(NUMBER_PATTERN)))),
    countIf(
      bin('AND', nonBlank, {
        kind: 'unary',
        op: 'IS NOT NULL',
        arg: call('coalesce', ...PROFILE_DATE_FORMATS.map((f) => call('try_strptime', t, lit(f)))),
      }),
    ),
    countIf(
      inList(
        call('lower', t),
        ['true', 'false', 'yes', 'no'].map((x) => lit(x)),
      ),
    ),
  ];
}

/** One pass over the data for every column's counts. Column i's stats are columns i*9 … i*9+8, after `rows`. */
export function profileStatsQuery(source: Select, columns: Column[]): Select {
  return {
    kind: 'select',
    columns: [
      { expr: { kind: 'countStar' }, as: 'rows' },
      ...columns.flatMap((c, i) => statsFor(c).map((expr, j) => ({ expr, as: `c${i}_${STATS[j]}` }))),
    ],
    from: { kind: 'subquery', query: source, alias: 'data' },
  };
}

export function topValuesQuery(source: Select, column: string, limit = 10): Select {
  return {
    kind: 'select',
    columns: [
      { expr: col(column), as: 'value' },
      { expr: { kind: 'countStar' }, as: 'count' },
    ],
    from: { kind: 'subquery', query: source, alias: 'data' },
    groupBy: [col(column)],
    orderBy: [
      { expr: col('count'), desc: true },
      { expr: col('value'), nulls: 'LAST' },
    ],
    limit,
  };
}

/** Turn the stats row into profiles (top values are filled in separately). */
export function readProfileStats(row: (number | string | null)[], columns: Column[]): Profile {
  const n = (x: number | string | null | undefined) => (x === null || x === undefined ? 0 : Number(x));
  const rows = n(row[0]);
  return {
    rows,
    columns: columns.map((c, i) => {
      const s = (j: number) => row[1 + i * STATS.length + j] ?? null;
      const nulls = n(s(0));
      const blanks = n(s(1));
      const filled = rows - nulls - blanks;
      const share = (k: number) => (filled > 0 ? n(s(k)) / filled : 0);
      const inferredType: ColumnProfile['inferredType'] =
        c.type !== 'text'
          ? c.type === 'integer'
            ? 'integer'
            : c.type === 'number'
              ? 'number'
              : 'date'
          : filled === 0
            ? 'empty'
            : share(5) >= 0.95
              ? 'integer'
              : share(6) >= 0.95
                ? 'number'
                : share(7) >= 0.95
                  ? 'date'
                  : share(8) >= 0.95
                    ? 'boolean'
                    : 'text';
      return {
        name: c.name,
        type: c.type,
        nulls,
        blanks,
        distinct: n(s(2)),
        minLength: s(3) === null ? null : n(s(3)),
        maxLength: s(4) === null ? null : n(s(4)),
        topValues: [],
        inferredType,
      };
    }),
  };
}
