import { TidyvaultError, compileRecipe, type LoadedDataset, type Recipe } from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import { bin, call, cast, col, isNotNull, isNull, lit, select, type Expr, type Select } from '@tidyvault/sql';

export interface Histogram {
  column: string;
  /** Smallest and largest value (null when the column holds no number). */
  min: number | null;
  max: number | null;
  /** Equal-width bins from min to max; the last one includes max. Empty bins are listed. */
  bins: { from: number; to: number; count: number }[];
  /** Rows whose value is null, in no bin. */
  missing: number;
}

const countIf = (cond: Expr): Expr =>
  call('sum', { kind: 'case', whens: [{ when: cond, then: lit(1) }], else: lit(0) });

/** A numeric column's histogram under the recipe: for the range facet. */
export async function histogram(
  engine: NodeEngine,
  data: LoadedDataset,
  recipe: Recipe,
  column: string,
  bins: number,
): Promise<Histogram> {
  await engine.validate(data, recipe);
  const { query, columns } = compileRecipe(recipe, data.table, data.columns);
  const c = columns.find((x) => x.name === column);
  if (!c) {
    throw new TidyvaultError(
      'RECIPE_COLUMN',
      `column "${column}" does not exist; columns are: ${columns.map((x) => `"${x.name}"`).join(', ')}`,
      { column },
    );
  }
  if (c.type !== 'number' && c.type !== 'integer') {
    throw new TidyvaultError(
      'RECIPE_TYPE',
      `column "${column}" holds ${c.type}, not numbers: convert it to numbers first for a numeric facet`,
      { column },
    );
  }
  const source = { kind: 'subquery' as const, query: { ...query, orderBy: [] }, alias: 'data' };
  const v = cast(col(column), 'DOUBLE');
  const range: Select = {
    kind: 'select',
    columns: [
      { expr: call('min', v), as: 'lo' },
      { expr: call('max', v), as: 'hi' },
      { expr: call('coalesce', countIf(isNull(col(column))), lit(0)), as: 'missing' },
      { expr: call('count', v), as: 'present' },
    ],
    from: source,
  };
  const [lo, hi, missing, present] = (await engine.connection.runAndReadAll(select(range))).getRowsJson()[0]!;
  if (lo === null || hi === null) return { column, min: null, max: null, bins: [], missing: Number(missing) };
  const min = Number(lo);
  const max = Number(hi);
  if (min === max)
    return {
      column,
      min,
      max,
      bins: [{ from: min, to: max, count: Number(present) }],
      missing: Number(missing),
    };
  const width = (max - min) / bins;
  const bucket = call(
    'least',
    cast(call('trunc', bin('/', bin('-', v, lit(min)), lit(width))), 'BIGINT'),
    lit(bins - 1),
  );
  const counts: Select = {
    kind: 'select',
    columns: [
      { expr: bucket, as: 'b' },
      { expr: { kind: 'countStar' }, as: 'n' },
    ],
    from: source,
    where: isNotNull(col(column)),
    groupBy: [bucket],
  };
  const found = new Map<number, number>();
  for (const [b, k] of (await engine.connection.runAndReadAll(select(counts))).getRowsJson())
    found.set(Number(b), Number(k));
  return {
    column,
    min,
    max,
    bins: Array.from({ length: bins }, (_, i) => ({
      from: min + i * width,
      to: i === bins - 1 ? max : min + (i + 1) * width,
      count: found.get(i) ?? 0,
    })),
    missing: Number(missing),
  };
}
