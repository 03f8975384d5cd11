import type { LoadedDataset } from '../engine/engine.js';
import type { Recipe } from '../recipe/schema.js';
import { keepsRowOrder, keepsRowsInPlace } from '../steps/step-shape.js';
import { compileRecipe, type CompiledRecipe, type CompileOptions } from './compile.js';

export interface OnTableOptions extends CompileOptions {
  /**
   * The query fills a table (CREATE TABLE … AS): when the dataset is scanned in rowid order and
   * every step keeps the row order, leave out the final sort. DuckDB's CREATE TABLE AS keeps a
   * scan's order (preserve_insertion_order), and sorting a million rows by their position doubles
   * the cost. Not for COPY … TO: with several threads DuckDB 1.5 writes row groups out of order.
   */
  intoTable?: boolean;
}

/** The recipe over a loaded dataset, as an engine runs it. */
export function compileOnTable(
  dataset: LoadedDataset,
  recipe: Recipe,
  { intoTable = false, ...o }: OnTableOptions = {},
): CompiledRecipe {
  const steps = recipe.steps.slice(0, o.upTo ?? recipe.steps.length);
  if (
    o.limit !== undefined &&
    dataset.rowIdColumn === undefined &&
    steps.length > 0 &&
    keepsRowsInPlace(steps, dataset.columns)
  ) {
    // A page of steps that keep rows in place: computed from the page's rows, not every row sorted.
    const { offset = 0, limit, ...rest } = o;
    return compileRecipe(recipe, dataset.table, dataset.columns, { ...rest, rows: { offset, limit } });
  }
  const compiled = compileRecipe(recipe, dataset.table, dataset.columns, {
    ...o,
    ...(dataset.rowIdColumn === undefined ? {} : { rowIdColumn: dataset.rowIdColumn }),
  });
  if (!intoTable || dataset.rowIdColumn !== undefined || !keepsRowOrder(steps, dataset.columns))
    return compiled;
  return { ...compiled, query: { ...compiled.query, orderBy: [] } };
}
