import {
  histogramColumn,
  histogramCountsQuery,
  histogramRangeQuery,
  readHistogram,
  readHistogramRange,
  type Histogram,
  type HistogramOf,
  type LoadedDataset,
  type Recipe,
} from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import { select, type Select } from '@tidyvault/sql';

// The queries and their reading are core's (facet/facet-query.ts), shared with engine-wasm.
export type { Histogram } from '@tidyvault/core';

/** A numeric column's histogram under the recipe (the range facet), or of any column's value lengths. */
export async function histogram(
  engine: NodeEngine,
  data: LoadedDataset,
  recipe: Recipe,
  column: string,
  bins: number,
  of: HistogramOf = 'value',
): Promise<Histogram> {
  return engine.onOutput(data, recipe, async (source, columns) => {
    histogramColumn(columns, column, of);
    const run = async (q: Select) => (await engine.connection.runAndReadAll(select(q))).getRowsJson();
    const first = readHistogramRange(column, (await run(histogramRangeQuery(source, column, of)))[0]!);
    if ('done' in first) return first.done;
    const counts = await run(histogramCountsQuery(source, column, first.range, bins, of));
    return readHistogram(column, first.range, bins, counts, of);
  });
}
