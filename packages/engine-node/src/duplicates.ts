import {
  checkDuplicateColumns,
  compileRecipe,
  duplicateCandidates,
  duplicateTuplesQuery,
  type DuplicatesAnswer,
  type DuplicatesParams,
  type LoadedDataset,
  type Recipe,
} from '@tidyvault/core';
import { select } from '@tidyvault/sql';
import type { NodeEngine } from './node-engine.js';

// The query, the checks and the grouping are core's (dedupe/duplicates.ts), shared with engine-wasm.
export { MAX_DUPLICATE_GROUPS, MAX_DUPLICATE_TUPLES, type DuplicatesAnswer } from '@tidyvault/core';

/** Candidate fuzzy-duplicate groups of the recipe's rows over `columns` (text), for review. */
export async function findDuplicates(
  engine: NodeEngine,
  data: LoadedDataset,
  recipe: Recipe,
  columns: string[],
  params: DuplicatesParams,
  signal: AbortSignal,
): Promise<DuplicatesAnswer> {
  await engine.validate(data, recipe);
  const { query, columns: all } = compileRecipe(recipe, data.table, data.columns);
  checkDuplicateColumns(all, columns);
  const rows = (
    await engine.connection.runAndReadAll(select(duplicateTuplesQuery(query, columns)))
  ).getRowsJson();
  return duplicateCandidates(columns, rows, params, signal);
}
