import {
  compileRecipe,
  histogramColumn,
  histogramCountsQuery,
  histogramRangeQuery,
  readHistogram,
  readHistogramRange,
  type Histogram,
  type LoadedDataset,
  type Recipe,
} from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import { select, type Select } from '@tidyvault/sql';

// The queries and their reading are core's (facet/facet-query.ts), shared with engine-wasm.
export type { Histogram } from '@tidyvault/core';

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
  histogramColumn(columns, column);
  const source = { ...query, orderBy: [] };
  const run = async (q: Select) => (await engine.connection.runAndReadAll(select(q))).getRowsJson();
  const first = readHistogramRange(column, (await run(histogramRangeQuery(source, column)))[0]!);
  if ('done' in first) return first.done;
  return readHistogram(
    column,
    first.range,
    bins,
    await run(histogramCountsQuery(source, column, first.range, bins)),
  );
}
