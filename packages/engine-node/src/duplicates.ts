import {
  checkDuplicateColumns,
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
  const rows = await engine.onOutput(data, recipe, async (source, all) => {
    checkDuplicateColumns(all, columns);
    return (
      await engine.connection.runAndReadAll(select(duplicateTuplesQuery(source, columns)))
    ).getRowsJson();
  });
  return duplicateCandidates(columns, rows, params, signal);
}
