import {
  bin,
  call,
  cast,
  col,
  isNotNull,
  isNull,
  lit,
  type Expr,
  type From,
  type Select,
} from '@tidyvault/sql';
import { columnsAre, TidyvaultError } from '../errors.js';
import type { Column } from '../steps/types.js';

/*
 * The queries behind a text facet and a numeric (range) facet, shared by every engine (the
 * server's routes on engine-node, engine-wasm in the browser): the SQL and the way its rows
 * become an answer live here, the engines only run them.
 */

export interface Facet {
  column: string;
  values: { value: string | null; count: number }[];
  /** More distinct values exist than were returned. */
  truncated: boolean;
}

export interface Histogram {
  column: string;
  /** Smallest and largest value (null when the column holds no number). */
  min: number | null;
  max: number | null;
  /**
   * Equal-width bins from min to max; the last one includes max. Empty bins are listed. Bins of
   * lengths hold whole numbers: each is [from, to), and there are never more bins than lengths.
   */
  bins: { from: number; to: number; count: number }[];
  /** Rows whose value is null, in no bin. */
  missing: number;
}

/** The column of the recipe's output named `name`, or the error every engine gives when there is none. */
export function outputColumn(columns: readonly Column[], name: string): Column {
  const c = columns.find((x) => x.name === name);
  if (!c) {
    throw new TidyvaultError('RECIPE_COLUMN', `column "${name}" does not exist; ${columnsAre(columns)}`, {
      column: name,
    });
  }
  return c;
}

/** Value counts of one column under the recipe, most frequent first (ties by value), at most `limit`. */
export function facetQuery(source: Select, column: string, isText: boolean, limit: number): Select {
  const v = isText ? col(column) : cast(col(column), 'VARCHAR');
  return {
    kind: 'select',
    columns: [
      { expr: v, as: 'value' },
      { expr: { kind: 'countStar' }, as: 'count' },
    ],
    from: { kind: 'subquery', query: source, alias: 'data' },
    groupBy: [v],
    orderBy: [
      { expr: col('count'), desc: true },
      { expr: col('value'), nulls: 'FIRST' },
    ],
    limit: limit + 1,
  };
}

/** The facet from `facetQuery`'s rows (value, count), values read as text or null. */
export function readFacet(column: string, rows: readonly (readonly unknown[])[], limit: number): Facet {
  const values = rows.map(([value, count]) => ({
    value: value === null || value === undefined ? null : String(value),
    count: Number(count),
  }));
  return { column, values: values.slice(0, limit), truncated: values.length > limit };
}

/**
 * What a histogram counts: the values of a number column (the numeric facet), or the lengths in
 * characters of any column's values as text (the column profile of a text column).
 */
export type HistogramOf = 'value' | 'length';

/** The column for a histogram: it must exist, and hold numbers when its values are counted. */
export function histogramColumn(columns: readonly Column[], name: string, of: HistogramOf = 'value'): Column {
  const c = outputColumn(columns, name);
  if (of === 'value' && c.type !== 'number' && c.type !== 'integer') {
    throw new TidyvaultError(
      'RECIPE_TYPE',
      `column "${name}" holds ${c.type}, not numbers: convert it to numbers first for a numeric facet`,
      { column: name },
    );
  }
  return c;
}

const countIf = (cond: Expr): Expr =>
  call('sum', { kind: 'case', whens: [{ when: cond, then: lit(1) }], else: lit(0) });

const histogramSource = (source: Select): From => ({ kind: 'subquery', query: source, alias: 'data' });

const measure = (column: string, of: HistogramOf): Expr =>
  of === 'length'
    ? cast(call('length', cast(col(column), 'VARCHAR')), 'DOUBLE')
    : cast(col(column), 'DOUBLE');

/** How many bins, and how wide: lengths are whole numbers, so never more bins than lengths, each ending before the next. */
export function histogramBins(
  range: HistogramRange,
  bins: number,
  of: HistogramOf = 'value',
): { bins: number; width: number } {
  if (of === 'value') return { bins, width: (range.max - range.min) / bins };
  const n = Math.min(bins, range.max - range.min + 1);
  return { bins: n, width: (range.max - range.min + 1) / n };
}

/** One row (lo, hi, missing, present): the range of the column as doubles, its nulls and its numbers. */
export function histogramRangeQuery(source: Select, column: string, of: HistogramOf = 'value'): Select {
  const v = measure(column, of);
  return {
    kind: 'select',
    columns: [
      { expr: call('min', v), as: 'lo' },
      { expr: call('max', v), as: 'hi' },
      { expr: call('coalesce', countIf(isNull(col(column))), lit(0)), as: 'missing' },
      { expr: call('count', v), as: 'present' },
    ],
    from: histogramSource(source),
  };
}

export interface HistogramRange {
  min: number;
  max: number;
  missing: number;
  present: number;
}

/**
 * What `histogramRangeQuery`'s row says: either the whole answer (no number, or every number
 * equal: one bin) or the range whose bins `histogramCountsQuery` must count.
 */
export function readHistogramRange(
  column: string,
  row: readonly unknown[],
): { done: Histogram } | { range: HistogramRange } {
  const [lo, hi, missing, present] = row;
  if (lo === null || lo === undefined || hi === null || hi === undefined)
    return { done: { column, min: null, max: null, bins: [], missing: Number(missing) } };
  const min = Number(lo);
  const max = Number(hi);
  if (min === max)
    return {
      done: {
        column,
        min,
        max,
        bins: [{ from: min, to: max, count: Number(present) }],
        missing: Number(missing),
      },
    };
  return { range: { min, max, missing: Number(missing), present: Number(present) } };
}

/** Rows (b, n): how many values fall in each of `bins` equal-width bins from min to max (the last includes max). */
export function histogramCountsQuery(
  source: Select,
  column: string,
  range: HistogramRange,
  requestedBins: number,
  of: HistogramOf = 'value',
): Select {
  const v = measure(column, of);
  const { bins, width } = histogramBins(range, requestedBins, of);
  const bucket = call(
    'least',
    cast(call('trunc', bin('/', bin('-', v, lit(range.min)), lit(width))), 'BIGINT'),
    lit(bins - 1),
  );
  return {
    kind: 'select',
    columns: [
      { expr: bucket, as: 'b' },
      { expr: { kind: 'countStar' }, as: 'n' },
    ],
    from: histogramSource(source),
    where: isNotNull(col(column)),
    groupBy: [bucket],
  };
}

/** The histogram from the range and `histogramCountsQuery`'s rows (b, n); empty bins are listed. */
export function readHistogram(
  column: string,
  range: HistogramRange,
  requestedBins: number,
  rows: readonly (readonly unknown[])[],
  of: HistogramOf = 'value',
): Histogram {
  const { min, max } = range;
  const { bins, width } = histogramBins(range, requestedBins, of);
  const found = new Map<number, number>();
  for (const [b, k] of rows) found.set(Number(b), Number(k));
  return {
    column,
    min,
    max,
    bins: Array.from({ length: bins }, (_, i) => ({
      from: min + i * width,
      to: i === bins - 1 && of === 'value' ? max : min + (i + 1) * width,
      count: found.get(i) ?? 0,
    })),
    missing: range.missing,
  };
}
