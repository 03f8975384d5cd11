import { bin, call, cast, col, isNotNull, isNull, lit, not, type Expr, type Select } from '@tidyvault/sql';
import type { LoadedDataset } from '../engine/engine.js';
import type { Recipe } from '../recipe/schema.js';
import { trimWs, WS_CHARS, WS_CLASS } from '../steps/common.js';
import { tryParseDate } from '../steps/date-parse.js';
import { INTEGER_PATTERN, NUMBER_PATTERN } from '../steps/number-parsing.js';
import type { Column, ColumnType } from '../steps/types.js';

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  nulls: number;
  /** Rows that are empty or whitespace only. */
  blanks: number;
  distinct: number;
  minLength: number | null;
  maxLength: number | null;
  topValues: { value: string | number | null; count: number }[];
  inferredType: 'integer' | 'number' | 'date' | 'boolean' | 'text' | 'empty';
  /** Rows with whitespace (the same set as `trim`'s) at the start or end; blanks are not counted. */
  padded: number;
  /** Rows whose value differs from its lower-case form (has upper-case letters); 0 unless text. */
  mixedCase: number;
  /**
   * For a text column inferred as integer, number, date or boolean: the share (0–1) of the
   * sampled non-blank values, weighted by their counts, that parse as that type (below 1, some
   * values would not convert). null when there is nothing to convert: the column is not text, or
   * it looks like text or is empty.
   */
  typeShare: number | null;
}

export interface Profile {
  rows: number;
  columns: ColumnProfile[];
}

export interface ProfileOptions {
  /** Only these of the output's columns (kept in the output's order); all of them when absent. */
  columns?: string[];
}

/** The output columns a profile covers. */
export function profiledColumns(output: Column[], only?: string[]): Column[] {
  if (only === undefined) return output;
  const unknown = only.find((n) => !output.some((c) => c.name === n));
  if (unknown !== undefined)
    throw new Error(`cannot profile column "${unknown}": the recipe has no such column`);
  return output.filter((c) => only.includes(c.name));
}

/**
 * What a column's profile reads: the recipe's output, or, with no steps, the table's column alone
 * (a 1,500-column table is then not bound and planned again for each of its columns).
 */
export function profileSource(
  dataset: LoadedDataset,
  recipe: Recipe,
  output: Select,
  column: Column,
): Select {
  if (recipe.steps.length > 0) return output;
  return {
    kind: 'select',
    columns: [{ expr: col(column.name) }],
    from: { kind: 'table', name: dataset.table },
  };
}

/** Date shapes the profiler recognises when suggesting a conversion. */
export const PROFILE_DATE_FORMATS = ['%Y-%m-%d', '%d/%m/%Y', '%m/%d/%Y', '%b %d %Y', '%d %b %Y', '%Y/%m/%d'];
/** Every value PROFILE_DATE_FORMATS can parse has this shape: three parts split by '-', '/' or ' ', the last digits. */
const DATE_SHAPE = '[0-9A-Za-z]{1,12}[/ -][0-9A-Za-z]{1,12}[/ -][0-9]{1,9}';
/** Type inference looks at the most frequent distinct values, weighted by their counts. */
export const TYPE_SAMPLE_VALUES = 20_000;
const SHARE = 0.95;

const sumIf = (cond: Expr): Expr =>
  call(
    'coalesce',
    call('sum', { kind: 'case', whens: [{ when: cond, then: col('n') }], else: lit(0) }),
    lit(0),
  );

/** Is the value's first (or last) character whitespace? Also true for the empty string. */
const startsWithWs = (v: Expr): Expr => call('contains', lit(WS_CHARS), call('left', v, lit(1)));
const endsWithWs = (v: Expr): Expr => call('contains', lit(WS_CHARS), call('substr', v, lit(-1)));
const allWs = (v: Expr): Expr => call('regexp_full_match', v, lit(`[${WS_CLASS}]*`));

/** Empty or whitespace only; the regex runs only on values that start with whitespace (or are empty). */
const isBlank = (v: Expr): Expr => bin('AND', startsWithWs(v), allWs(v));

/** Whitespace at either end, and not blank; the regex runs only on values with whitespace at an end. */
const isPadded = (v: Expr): Expr => bin('AND', bin('OR', startsWithWs(v), endsWithWs(v)), not(allWs(v)));

/**
 * One query per column. Everything is computed from the column's distinct values and their
 * counts (one GROUP BY), so regexes run once per distinct value rather than once per row.
 * Result columns: rows, nulls, blanks, padded, mixed_case, distinct, min_length, max_length, top
 * (list of {value, count}), sampled, integers, numbers, dates, booleans.
 */
export function columnProfileQuery(
  source: Select,
  column: Column,
  topN = 10,
  o: {
    /**
     * Break ties in the type sample by the value's hash (default). Without it, which of the values
     * tied at the sample's edge it takes follows the order DuckDB grouped them in: the same every
     * run on one thread (DuckDB-WASM, where the hash costs about a third of the profile), but not
     * on several.
     */
    stableSample?: boolean;
  } = {},
): Select {
  const v = col('v');
  const text = column.type === 'text' ? col(column.name) : cast(col(column.name), 'VARCHAR');
  const counts: Select = {
    kind: 'select',
    columns: [
      { expr: text, as: 'v' },
      { expr: { kind: 'countStar' }, as: 'n' },
    ],
    from: { kind: 'subquery', query: source, alias: 'data' },
    groupBy: [text],
  };
  const stats: Select = {
    kind: 'select',
    columns: [
      { expr: call('coalesce', call('sum', col('n')), lit(0)), as: 'rows' },
      { expr: sumIf(isNull(v)), as: 'nulls' },
      { expr: sumIf(isBlank(v)), as: 'blanks' },
      { expr: sumIf(isPadded(v)), as: 'padded' },
      {
        expr: column.type === 'text' ? sumIf(bin('<>', v, call('lower', v))) : lit(0),
        as: 'mixed_case',
      },
      { expr: call('count', v), as: 'distinct' },
      { expr: call('min', call('length', v)), as: 'min_length' },
      { expr: call('max', call('length', v)), as: 'max_length' },
    ],
    from: { kind: 'table', name: 'counts' },
  };
  const top: Select = {
    kind: 'select',
    columns: [
      {
        expr: {
          kind: 'call',
          fn: 'list',
          args: [
            {
              kind: 'struct',
              fields: [
                { name: 'value', value: v },
                { name: 'count', value: col('n') },
              ],
            },
          ],
          orderBy: [{ expr: col('n'), desc: true }, { expr: v }],
        },
        as: 'top',
      },
    ],
    from: {
      kind: 'subquery',
      alias: 'top_rows',
      query: {
        kind: 'select',
        columns: [{ expr: v }, { expr: col('n') }],
        from: { kind: 'table', name: 'counts' },
        where: isNotNull(v),
        orderBy: [{ expr: col('n'), desc: true }, { expr: v }],
        limit: topN,
      },
    },
  };
  const t = col('t');
  const nonBlank = bin('<>', t, lit(''));
  // A failed try_strptime costs an error message; a value with other characters, or too short or
  // long, cannot match any of the formats.
  const dateShaped = call('regexp_full_match', t, lit(DATE_SHAPE));
  const types: Select = {
    kind: 'select',
    columns: [
      { expr: sumIf(nonBlank), as: 'sampled' },
      {
        expr: sumIf(bin('AND', nonBlank, call('regexp_full_match', t, lit(INTEGER_PATTERN)))),
        as: 'integers',
      },
      { expr: sumIf(bin('AND', nonBlank, call('regexp_full_match', t, lit(NUMBER_PATTERN)))), as: 'numbers' },
      {
        expr: sumIf(bin('AND', dateShaped, isNotNull(tryParseDate(t, PROFILE_DATE_FORMATS)))),
        as: 'dates',
      },
      { expr: sumIf(call('regexp_full_match', call('lower', t), lit('true|false|yes|no'))), as: 'booleans' },
    ],
    from: {
      kind: 'subquery',
      alias: 'trimmed',
      query: {
        kind: 'select',
        // Trimmed once here, not in each test below.
        columns: [{ expr: trimWs(v), as: 't' }, { expr: col('n') }],
        from: {
          kind: 'subquery',
          alias: 'sample',
          query: {
            kind: 'select',
            columns: [{ expr: v }, { expr: col('n') }],
            from: { kind: 'table', name: 'counts' },
            where: isNotNull(v),
            // Ties broken by the value's hash (see stableSample): with more distinct values of
            // one count than the sample holds (a column of unique values), the sample and the
            // inferred type would otherwise change from run to run on several threads. Sorting by
            // the value itself costs several times more.
            orderBy: [
              { expr: col('n'), desc: true },
              ...(o.stableSample === false ? [] : [{ expr: call('hash', v) }]),
            ],
            limit: TYPE_SAMPLE_VALUES,
          },
        },
      },
    },
  };
  return {
    kind: 'select',
    with: [
      { name: 'counts', query: counts, materialized: true },
      { name: 'stats', query: stats },
      { name: 'top', query: top },
      { name: 'types', query: types },
    ],
    star: {},
    columns: [],
    from: {
      kind: 'join',
      type: 'CROSS',
      left: {
        kind: 'join',
        type: 'CROSS',
        left: { kind: 'table', name: 'stats' },
        right: { kind: 'table', name: 'top' },
      },
      right: { kind: 'table', name: 'types' },
    },
  };
}

type Row = Record<string, unknown>;

/** The type-test count behind each type a text column can be inferred as. */
const TYPE_COUNT: Partial<Record<ColumnProfile['inferredType'], string>> = {
  integer: 'integers',
  number: 'numbers',
  date: 'dates',
  boolean: 'booleans',
};

function typeShare(column: Column, r: Row, inferred: ColumnProfile['inferredType']): number | null {
  const count = TYPE_COUNT[inferred];
  const sampled = Number(r.sampled);
  if (column.type !== 'text' || count === undefined || !(sampled > 0)) return null;
  return Number(r[count]) / sampled;
}

function inferType(column: Column, r: Row, filled: number): ColumnProfile['inferredType'] {
  if (column.type !== 'text') return column.type;
  if (filled === 0) return 'empty';
  const sampled = Number(r.sampled);
  const share = (k: string) => (sampled > 0 ? Number(r[k]) / sampled : 0);
  if (share('integers') >= SHARE) return 'integer';
  if (share('numbers') >= SHARE) return 'number';
  if (share('dates') >= SHARE) return 'date';
  if (share('booleans') >= SHARE) return 'boolean';
  return 'text';
}

/** A column's profile from its query's single row (values as JSON: numbers may be strings). */
export function readColumnProfile(column: Column, r: Row): { rows: number; profile: ColumnProfile } {
  const n = (k: string) => (r[k] === null || r[k] === undefined ? 0 : Number(r[k]));
  const rows = n('rows');
  const nulls = n('nulls');
  const blanks = n('blanks');
  const top = (Array.isArray(r.top) ? r.top : []) as { value: string; count: unknown }[];
  const inferredType = inferType(column, r, rows - nulls - blanks);
  return {
    rows,
    profile: {
      name: column.name,
      type: column.type,
      nulls,
      blanks,
      distinct: n('distinct'),
      minLength: r.min_length === null || r.min_length === undefined ? null : n('min_length'),
      maxLength: r.max_length === null || r.max_length === undefined ? null : n('max_length'),
      topValues: top.map((t) => ({ value: t.value, count: Number(t.count) })),
      inferredType,
      padded: n('padded'),
      mixedCase: n('mixed_case'),
      typeShare: typeShare(column, r, inferredType),
    },
  };
}
