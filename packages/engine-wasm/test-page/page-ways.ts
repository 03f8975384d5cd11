import {
  answersFromFirstRows,
  firstRowsPage,
  headPageQuery,
  pagePlan,
  rangePageQuery,
  type LoadedDataset,
  type Recipe,
  type TableResult,
} from '@tidyvault/core';
import type { Select } from '@tidyvault/sql';

/** What both engines offer that a page is read with. */
export interface PageEngine {
  validate(ds: LoadedDataset, recipe: Recipe): Promise<void>;
  runQuery(query: Select, columns: TableResult['columns']): Promise<TableResult>;
  run(ds: LoadedDataset, recipe: Recipe, o: { offset: number; limit: number }): Promise<TableResult>;
}

/**
 * A page as the local backend reads one from a table in row order (web's local-backend.ts
 * rows()): `stream` (rangePageQuery / headPageQuery), `first` (from the first rows, after a
 * dedupe; 'n/a' when that does not answer it), or else run() with the range.
 */
export async function pageOneWay(
  engine: PageEngine,
  ds: LoadedDataset,
  r: Recipe,
  offset: number,
  limit: number,
  how: string,
): Promise<TableResult | 'n/a'> {
  const plan = pagePlan(r.steps, ds.columns);
  if (how === 'stream') {
    if (r.steps.length > 0) await engine.validate(ds, r);
    const q =
      plan.head.length === 0
        ? rangePageQuery(ds.table, ds.columns, r.steps, offset, limit)
        : headPageQuery(ds.table, ds.columns, plan, offset, limit);
    return engine.runQuery(q.query, q.columns);
  }
  if (how === 'first') {
    if (!answersFromFirstRows(plan, ds, offset, limit)) return 'n/a';
    await engine.validate(ds, r);
    return firstRowsPage(ds.table, ds.columns, ds.rowCount, r.steps, offset, limit, (q, c) =>
      engine.runQuery(q, c),
    );
  }
  return engine.run(ds, r, { offset, limit });
}
