import {
  facetQuery,
  outputColumn,
  readFacet,
  type Facet,
  type LoadedDataset,
  type Recipe,
} from '@tidyvault/core';
import type { NodeEngine } from '@tidyvault/engine-node';
import { select } from '@tidyvault/sql';

// The query and its reading are core's (facet/facet-query.ts), shared with engine-wasm.
export { facetQuery, type Facet } from '@tidyvault/core';

export async function facet(
  engine: NodeEngine,
  data: LoadedDataset,
  recipe: Recipe,
  column: string,
  limit: number,
): Promise<Facet> {
  return engine.onOutput(data, recipe, async (source, columns) => {
    const c = outputColumn(columns, column);
    const q = facetQuery(source, column, c.type === 'text', limit);
    const reader = await engine.connection.runAndReadAll(select(q));
    return readFacet(column, reader.getRowsJson(), limit);
  });
}
