import { TidyvaultError, compileRecipe, type LoadedDataset, type Recipe } from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import { cast, col, select, type Select } from '@tidyvault/sql';

export interface Facet {
  column: string;
  values: { value: string | null; count: number }[];
  /** More distinct values exist than were returned. */
  truncated: boolean;
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

export async function facet(
  engine: NodeEngine,
  data: LoadedDataset,
  recipe: Recipe,
  column: string,
  limit: number,
): Promise<Facet> {
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
  const q = facetQuery({ ...query, orderBy: [] }, column, c.type === 'text', limit);
  const reader = await engine.connection.runAndReadAll(select(q));
  const rows = reader.getRowsJson().map(([value, count]) => ({
    value: value === null ? null : String(value),
    count: Number(count),
  }));
  return { column, values: rows.slice(0, limit), truncated: rows.length > limit };
}
